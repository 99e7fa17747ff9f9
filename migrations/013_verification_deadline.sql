-- Verification has a deadline (docs/cases.md, "Verification"). A settled case waits
-- verify_deadline_s for its reporter to verify it on site (核查); from verify_due_at on, the
-- mediators of its centre and the grid leaders of its place may verify it too (代核查); at
-- verify_lapse_at, as long again later, the timer closes it as not verified (逾期未核查).
ALTER TABLE categories
    ADD COLUMN verify_deadline_s integer NOT NULL DEFAULT 259200
        CHECK (verify_deadline_s BETWEEN 1 AND 31536000);

ALTER TABLE cases
    ADD COLUMN verify_due_at   timestamptz,
    ADD COLUMN verify_lapse_at timestamptz;

-- Cases already waiting get their clocks from now, not from when they were settled: the rule is
-- new, and nobody could have known to verify by it.
UPDATE cases c SET verify_due_at = now() + make_interval(secs => k.verify_deadline_s),
    verify_lapse_at = now() + make_interval(secs => 2 * k.verify_deadline_s)
FROM events e JOIN categories k ON k.code = e.category
WHERE e.id = c.event_id AND c.state = 'verifying';

ALTER TABLE cases ADD CONSTRAINT cases_verify_clocks CHECK ((state = 'verifying') = (verify_lapse_at IS NOT NULL)
    AND (verify_due_at IS NULL) = (verify_lapse_at IS NULL));

-- The timer's second work list: cases awaiting verification, by when they lapse.
CREATE INDEX cases_verify_lapse_idx ON cases (verify_lapse_at) WHERE state = 'verifying';

-- Cases closed as not verified, counted apart (docs/metrics.md).
ALTER TABLE case_stats ADD COLUMN unverified integer;
