-- Callback (回访, docs/cases.md "Callback"). A case verified on site (核查通过) is closed and then
-- called back: a mediator of the centre that settled it asks the party whether they are satisfied
-- (满意 / 基本满意 / 不满意), or records a try that did not reach them; after callback_tries
-- failed tries the callback ends as unreachable, and a callback not done within
-- callback_deadline_s of the verification is ended by the timer as not called back (逾期未回访).
-- 不满意 reopens the case at its tier (重办).
ALTER TABLE categories
    ADD COLUMN callback_tries smallint NOT NULL DEFAULT 3 CHECK (callback_tries BETWEEN 1 AND 20),
    ADD COLUMN callback_deadline_s integer NOT NULL DEFAULT 172800
        CHECK (callback_deadline_s BETWEEN 1 AND 31536000);

-- The case's latest callback: pending from verification until it ends; its result once ended.
ALTER TABLE cases
    ADD COLUMN callback_status text CHECK (callback_status IN
        ('pending', 'satisfied', 'basic', 'dissatisfied', 'unreachable', 'lapsed')),
    ADD COLUMN callback_tries smallint NOT NULL DEFAULT 0,
    ADD COLUMN callback_due_at timestamptz;

ALTER TABLE cases ADD CONSTRAINT cases_callback_clock
    CHECK ((callback_status = 'pending') = (callback_due_at IS NOT NULL));

-- The timer's third work list and the console's 回访 queue: callbacks pending, by deadline.
CREATE INDEX cases_callback_due_idx ON cases (callback_due_at) WHERE callback_status = 'pending';

-- The history row that ended a callback carries its result (the figures count these rows).
ALTER TABLE case_history ADD COLUMN callback_result text CHECK (callback_result IN
    ('satisfied', 'basic', 'dissatisfied', 'unreachable', 'lapsed'));

-- Callback figures (docs/metrics.md): callbacks ended, of which the party was reached, of which
-- satisfied or basically satisfied.
ALTER TABLE case_stats
    ADD COLUMN callbacks integer,
    ADD COLUMN callbacks_reached integer,
    ADD COLUMN satisfied integer;
