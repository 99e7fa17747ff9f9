-- Closure statistics (docs/metrics.md): counters per cohort of cases, kept current from the case
-- events on NATS by dispatch.StatsApplier and summed by dispatch.Stats for the dashboard.

-- A case is late once the timer has acted on it (flagged it overdue or escalated it): it can no
-- longer close on time. Carried on the case so each transition's event says so.
ALTER TABLE cases ADD COLUMN late boolean NOT NULL DEFAULT false;
UPDATE cases c SET late = true
WHERE EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id AND h.actor_id IS NULL
              AND h.transition IN ('overdue', 'escalate'));

-- One row per (category, span, unit, period): the cases received in that period (by their
-- opening day in Asia/Shanghai) at that unit or below, and what has become of them. unit_code is
-- the case's ancestor at each level 1-4 (county, township, village, grid); category '' sums every
-- category; span 'd' is a day, 'm' a month (period = its first day). Tier columns _t1.._t4 are
-- per tier (1 county ... 4 grid); hN_BB counts the cases closed at tier N whose time to close
-- falls in bin BB (docs/metrics.md). NULL stands for 0, so sparse rows stay small.
CREATE TABLE case_stats (
    category      text COLLATE "C" NOT NULL,
    span          "char" NOT NULL CHECK (span IN ('d', 'm')),
    level         smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
    unit_code     text COLLATE "C" NOT NULL,
    period        date NOT NULL,
    received      integer,
    reworks       integer,
    verifications integer,
    reopened      integer,
    PRIMARY KEY (category, span, level, unit_code, period)
);

DO $$
DECLARE
    m text;
    t int;
    b int;
BEGIN
    FOREACH m IN ARRAY ARRAY['arrived', 'escalated', 'closed', 'on_time', 'mediated', 'unsettled', 'open', 'overdue'] LOOP
        FOR t IN 1..4 LOOP
            EXECUTE format('ALTER TABLE case_stats ADD COLUMN %I integer', m || '_t' || t);
        END LOOP;
    END LOOP;
    FOR t IN 1..4 LOOP
        FOR b IN 0..19 LOOP
            EXECUTE format('ALTER TABLE case_stats ADD COLUMN %I integer', 'h' || t || '_' || lpad(b::text, 2, '0'));
        END LOOP;
    END LOOP;
END $$;

-- Transitions already counted, so a message NATS delivers again is not counted twice. Rows older
-- than the stream keeps messages (7 days) are pruned. Transitions up to stats_rebuilt.max_id were
-- counted by a rebuild from the history.
CREATE TABLE stats_applied (
    transition_id bigint PRIMARY KEY,
    applied_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stats_applied_at_idx ON stats_applied (applied_at);

CREATE TABLE stats_rebuilt (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    max_id     bigint NOT NULL,
    rebuilt_at timestamptz NOT NULL DEFAULT now()
);
