-- The mediation workflow (dispatch/case_machine.go, docs/cases.md): the states a case passes
-- through at its tier, how it was settled, and one history row per transition, whose id is the
-- transition id that consumers deduplicate on.
ALTER TABLE cases DROP CONSTRAINT cases_state_check;
ALTER TABLE cases ADD CONSTRAINT cases_state_check
    CHECK (state IN ('queued', 'accepted', 'mediating', 'verifying', 'closed'));
ALTER TABLE cases
    ADD COLUMN outcome      text CHECK (outcome IN ('mediated', 'handled', 'unsettled')),
    ADD COLUMN rework_count integer NOT NULL DEFAULT 0,
    ADD COLUMN urged_at     timestamptz;

-- transition: the action (accept, mediate, ...), or 'reported' for the row intake writes.
ALTER TABLE case_history
    ADD COLUMN transition  text NOT NULL DEFAULT 'reported'
        CHECK (transition ~ '^[a-z_]{1,20}$'),
    ADD COLUMN from_level  smallint CHECK (from_level BETWEEN 1 AND 4),
    ADD COLUMN centre_code text COLLATE "C" REFERENCES units (code),
    ADD COLUMN outcome     text CHECK (outcome IN ('mediated', 'handled', 'unsettled')),
    ADD CONSTRAINT case_history_reason_length CHECK (length(reason) <= 2000);
