-- Parking on the case's clock, and a parking's review date passing (issue 16; docs/cases.md
-- "Extension and parking", docs/routing.md "Working time").
--
-- park_clock is the clock of the deadline a case had when it was parked: park_left is then
-- working time on a working clock, given back on that clock when it is unparked.
-- park_review_due_at is when the timer recorded the review date as passed (park_review_due):
-- it does so once per parking; parking again with a new review date clears it.
ALTER TABLE cases
    ADD COLUMN park_clock text CHECK (park_clock IN ('calendar', 'working_hours', 'working_days')),
    ADD COLUMN park_review_due_at timestamptz;

-- The timer's claim: parked cases whose review date passed and was not yet recorded.
CREATE INDEX cases_park_review_idx ON cases (park_review_at)
    WHERE state = 'parked' AND park_review_due_at IS NULL;
