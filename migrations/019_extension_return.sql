-- Extension (延期) and parking (挂账), issue 16 point 2 (docs/cases.md, "Extension and parking").
--
-- A centre asks for more time before its deadline (extend_request); a supervisor at the centre's
-- unit or above approves (the deadline moves) or refuses (it does not). The pending request lives
-- on the case, with the centre that asked: once the case has moved, the request lapses.
--
-- A parked case (state 'parked', 挂账) waits on something outside the centre (a court, another
-- department): its clock stops. The time it had left is kept and given back when it is unparked;
-- while parked it has no deadline, so the timer never sees it. The review date is when the centre
-- means to look at it again.
ALTER TABLE cases DROP CONSTRAINT cases_state_check;
ALTER TABLE cases ADD CONSTRAINT cases_state_check
    CHECK (state IN ('queued', 'accepted', 'mediating', 'verifying', 'parked', 'declined', 'closed'));

ALTER TABLE cases
    ADD COLUMN extension_until  timestamptz,
    ADD COLUMN extension_centre text,
    ADD COLUMN extension_reason text CHECK (length(extension_reason) <= 2000),
    ADD COLUMN park_review_at   timestamptz,
    ADD COLUMN park_left        interval,
    ADD COLUMN park_from_state  text CHECK (park_from_state IN ('accepted', 'mediating')),
    ADD CONSTRAINT cases_extension_pending CHECK ((extension_until IS NULL) = (extension_centre IS NULL)),
    ADD CONSTRAINT cases_parked CHECK ((state = 'parked') = (park_from_state IS NOT NULL)
        AND (state = 'parked') = (park_review_at IS NOT NULL) AND (state <> 'parked' OR deadline_at IS NULL));

-- The requested date of an extension and the review date of a parking, on their history rows.
ALTER TABLE case_history ADD COLUMN until_at timestamptz;

-- Parked cases, counted apart (docs/metrics.md, 挂账).
ALTER TABLE case_stats ADD COLUMN parked integer;

-- Declining a case (退单), issue 16 point 3 (docs/cases.md, "Declining a case"): a centre refuses
-- a case it received, with a reason code and words (state 'declined', no deadline), and a centre
-- above rules: re-routed elsewhere (decline_uphold) or sent back (decline_overrule). The code is
-- on the decline's history row; cases declined again and again are counted from those rows.
ALTER TABLE case_history ADD COLUMN reason_code text
    CHECK (reason_code IN ('not_ours', 'wrong_address', 'duplicate', 'other'));
CREATE INDEX case_history_decline_idx ON case_history (case_id) WHERE transition = 'decline';
-- A centre's queue lists the cases declined below it, awaiting its ruling.
CREATE INDEX cases_declined_idx ON cases (centre_code) WHERE state = 'declined';
