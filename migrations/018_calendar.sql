-- Working-day clocks (docs/routing.md, "Working time"). The county's working calendar: the
-- working hours of a working day, and the dates that break the weekday rule (public holidays on
-- weekdays, weekend days worked to make up for them: 调休). A category's deadline per tier runs
-- on a clock: calendar time (as before), working hours, or working days (then the deadline is
-- whole days, 86400 s each). Deadlines are still stored as timestamps, worked out at the
-- transition that sets them, so the timer's indexed query does not change.

-- One row: the working hours as [[start, end], ...] in minutes after midnight, and a revision
-- that every edit of the calendar renews, so each process knows when its copy is stale.
CREATE TABLE calendar_settings (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    hours      jsonb NOT NULL DEFAULT '[[510, 720], [870, 1050]]' CHECK (jsonb_typeof(hours) = 'array'),
    revision   uuid NOT NULL DEFAULT gen_random_uuid(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint REFERENCES members (id)
);
INSERT INTO calendar_settings DEFAULT VALUES;

CREATE TABLE calendar_days (
    day        date PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 40),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint REFERENCES members (id)
);

-- 2026: 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, 2025-11-04).
INSERT INTO calendar_days (day, kind, name)
SELECT d::date, 'holiday', n FROM (VALUES
    ('2026-01-01', '2026-01-03', '元旦'),
    ('2026-02-15', '2026-02-23', '春节'),
    ('2026-04-04', '2026-04-06', '清明节'),
    ('2026-05-01', '2026-05-05', '劳动节'),
    ('2026-06-19', '2026-06-21', '端午节'),
    ('2026-09-25', '2026-09-27', '中秋节'),
    ('2026-10-01', '2026-10-07', '国庆节')
) AS h(f, t, n), generate_series(f::date, t::date, interval '1 day') AS d;
INSERT INTO calendar_days (day, kind, name) VALUES
    ('2026-01-04', 'workday', '元旦调休上班'),
    ('2026-02-14', 'workday', '春节调休上班'),
    ('2026-02-28', 'workday', '春节调休上班'),
    ('2026-05-09', 'workday', '劳动节调休上班'),
    ('2026-09-20', 'workday', '国庆节调休上班'),
    ('2026-10-10', 'workday', '国庆节调休上班');

-- 2027: the State Council's arrangement (which days are swapped) was not published when this
-- was written; these are only the statutory days of 全国年节及纪念日放假办法 (2024), whose
-- dates are fixed. Administrators add the make-up days and bridging days once it is out.
INSERT INTO calendar_days (day, kind, name) VALUES
    ('2027-01-01', 'holiday', '元旦（法定，调休待公布）'),
    ('2027-02-05', 'holiday', '春节（法定，调休待公布）'),
    ('2027-02-06', 'holiday', '春节（法定，调休待公布）'),
    ('2027-02-07', 'holiday', '春节（法定，调休待公布）'),
    ('2027-02-08', 'holiday', '春节（法定，调休待公布）'),
    ('2027-04-05', 'holiday', '清明节（法定，调休待公布）'),
    ('2027-05-01', 'holiday', '劳动节（法定，调休待公布）'),
    ('2027-05-02', 'holiday', '劳动节（法定，调休待公布）'),
    ('2027-06-09', 'holiday', '端午节（法定，调休待公布）'),
    ('2027-09-15', 'holiday', '中秋节（法定，调休待公布）'),
    ('2027-10-01', 'holiday', '国庆节（法定，调休待公布）'),
    ('2027-10-02', 'holiday', '国庆节（法定，调休待公布）'),
    ('2027-10-03', 'holiday', '国庆节（法定，调休待公布）');

ALTER TABLE categories
    ADD COLUMN village_clock  text NOT NULL DEFAULT 'calendar',
    ADD COLUMN township_clock text NOT NULL DEFAULT 'calendar',
    ADD COLUMN county_clock   text NOT NULL DEFAULT 'calendar',
    ADD COLUMN urgent_clock   text NOT NULL DEFAULT 'calendar',
    ADD CONSTRAINT categories_clocks CHECK (
        village_clock IN ('calendar', 'working_hours', 'working_days')
        AND township_clock IN ('calendar', 'working_hours', 'working_days')
        AND county_clock IN ('calendar', 'working_hours', 'working_days')
        AND urgent_clock IN ('calendar', 'working_hours', 'working_days')
        AND (village_clock <> 'working_days' OR village_deadline_s % 86400 = 0)
        AND (township_clock <> 'working_days' OR township_deadline_s % 86400 = 0)
        AND (county_clock <> 'working_days' OR county_deadline_s % 86400 = 0)
        AND (urgent_clock <> 'working_days' OR urgent_deadline_s % 86400 = 0));

-- The clock of the case's current deadline, for the 剩余 the apps show (working time left
-- rather than wall-clock time); NULL while there is no deadline.
ALTER TABLE cases ADD COLUMN deadline_clock text
    CHECK (deadline_clock IN ('calendar', 'working_hours', 'working_days'));
