-- The earning side of the points ledger (issue 17; docs/points.md): what 027's ledger needs to
-- book points from case events exactly once, manual items with their approval, and the monthly
-- audit (月度审核) that freezes a township's month. 027's tables are not changed.

-- A transition the points consumer has read, written in the same transaction as the rows it
-- booked: a redelivered event finds its marker and books nothing, so a cap is evaluated once.
CREATE TABLE point_applied (
    transition_id bigint PRIMARY KEY,
    applied_at    timestamptz NOT NULL DEFAULT now()
);

-- What a case or manual row was for: the day it happened (Asia/Shanghai), which a rule's cap
-- per day, month, quarter or year counts by, and the case (a case rule books once per case).
CREATE TABLE point_occurrences (
    ledger_id   bigint PRIMARY KEY REFERENCES point_ledger (id),
    member_id   bigint NOT NULL REFERENCES members (id),
    rule_id     bigint NOT NULL REFERENCES point_rules (id),
    occurred_on date NOT NULL,
    case_id     bigint REFERENCES cases (id)
);

CREATE INDEX point_occurrences_cap_idx ON point_occurrences (member_id, rule_id, occurred_on);
CREATE UNIQUE INDEX point_occurrences_case_idx ON point_occurrences (case_id, rule_id) WHERE case_id IS NOT NULL;

-- The reporter's verification deadline of a case, from the settle event that set it: the
-- verify event that follows no longer carries it, and verified_on_time compares with it. The
-- latest settle's (by transition id) wins, whatever order redeliveries come in.
CREATE TABLE point_verify_due (
    case_id       bigint PRIMARY KEY REFERENCES cases (id),
    transition_id bigint NOT NULL,
    due_at        timestamptz NOT NULL
);

-- Manual items (巡查, 入户走访, 会议…): a grid leader enters one for a worker of their grid; a
-- supervisor or administrator at the rule's approver tier or above approves it (the ledger row
-- is then booked, source 'manual:<id>') or rejects it with a reason.
CREATE TABLE point_items (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id     bigint NOT NULL REFERENCES point_rules (id),
    member_id   bigint NOT NULL REFERENCES members (id),
    unit_code   text COLLATE "C" NOT NULL REFERENCES units (code) CHECK (length(unit_code) = 15),
    occurred_on date NOT NULL,
    note        text NOT NULL CHECK (length(note) BETWEEN 1 AND 500),
    entered_by  bigint NOT NULL REFERENCES members (id),
    entered_at  timestamptz NOT NULL DEFAULT now(),
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by  bigint REFERENCES members (id),
    decided_at  timestamptz,
    reason      text CHECK (length(reason) BETWEEN 1 AND 500),
    -- NULL when approved but the rule's cap for the period was already reached.
    ledger_id   bigint UNIQUE REFERENCES point_ledger (id),
    CONSTRAINT point_items_decided CHECK ((status = 'pending') = (decided_by IS NULL)),
    CONSTRAINT point_items_rejected CHECK ((status = 'rejected') = (reason IS NOT NULL))
);

CREATE INDEX point_items_pending_idx ON point_items (unit_code) WHERE status = 'pending';

-- The monthly audit (月度审核): a township's supervisor confirms a past month; no ledger row of
-- that township's grids is booked into it afterwards, and a later event goes to the first month
-- after it that is not confirmed (point_open_month). Confirmations are never undone.
CREATE TABLE point_months (
    township_code text COLLATE "C" NOT NULL REFERENCES units (code) CHECK (length(township_code) = 9),
    month         date NOT NULL CHECK (extract(day FROM month) = 1),
    confirmed_by  bigint NOT NULL REFERENCES members (id),
    confirmed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (township_code, month)
);

-- The lock that orders a confirmation and the rows booked into the same township and month:
-- a booking holds it shared until it commits, a confirmation exclusively, so a row is either
-- committed before the confirmation or sees it and is refused.
CREATE FUNCTION point_month_lock(township text, m date, exclusive boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF exclusive THEN
        PERFORM pg_advisory_xact_lock(hashtext('point_months'), hashtext(township || m::text));
    ELSE
        PERFORM pg_advisory_xact_lock_shared(hashtext('point_months'), hashtext(township || m::text));
    END IF;
END $$;

CREATE FUNCTION point_months_confirm() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'a confirmed month stays confirmed' USING ERRCODE = 'restrict_violation';
    END IF;
    PERFORM point_month_lock(NEW.township_code, NEW.month, true);
    RETURN NEW;
END $$;

CREATE TRIGGER point_months_confirm BEFORE INSERT OR UPDATE OR DELETE ON point_months
    FOR EACH ROW EXECUTE FUNCTION point_months_confirm();

CREATE FUNCTION point_ledger_open_month() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM point_month_lock(left(NEW.unit_code, 9), NEW.month, false);
    IF EXISTS (SELECT 1 FROM point_months WHERE township_code = left(NEW.unit_code, 9) AND month = NEW.month) THEN
        RAISE EXCEPTION 'month % of township % is confirmed: book into a later month', NEW.month, left(NEW.unit_code, 9)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'point_ledger_month_confirmed';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER point_ledger_open_month BEFORE INSERT ON point_ledger
    FOR EACH ROW EXECUTE FUNCTION point_ledger_open_month();

-- The month a row about month m of a grid is booked in: m, or the first later month its
-- township has not confirmed.
CREATE FUNCTION point_open_month(unit text, m date) RETURNS date
LANGUAGE plpgsql STABLE AS $$
BEGIN
    WHILE EXISTS (SELECT 1 FROM point_months WHERE township_code = left(unit, 9) AND month = m) LOOP
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN m;
END $$;

-- A starting scheme (docs/points.md, "The default scheme"): five categories and thirteen
-- indicators as many counties begin, which the county edits in the admin app. Manual items are
-- approved by the township (tier 2); the county's special duties by the county (tier 1).
INSERT INTO point_rules (code, category, indicator, points, trigger, cap_points, cap_period, approver_tier) VALUES
    ('report_accepted',  '事件上报', '上报事件被受理', 2, 'report_accepted', 60, 'month', NULL),
    ('settled_at_grid',  '事件上报', '小事不出格：网格就地化解', 3, 'settled_at_grid', 90, 'month', NULL),
    ('verified_on_time', '事件上报', '按时核查办结事件', 1, 'verified_on_time', 30, 'month', NULL),
    ('report_duplicate', '事件上报', '重复上报（被并单）', -2, 'report_invalid', NULL, NULL, NULL),
    ('patrol',           '日常巡查', '网格巡查', 1, 'manual', 31, 'month', 2),
    ('hazard_check',     '日常巡查', '安全隐患排查', 2, 'manual', 20, 'month', 2),
    ('household_visit',  '入户走访', '入户走访', 1, 'manual', 60, 'month', 2),
    ('vulnerable_visit', '入户走访', '走访独居老人、困难家庭', 2, 'manual', 40, 'month', 2),
    ('grid_meeting',     '会议学习', '参加网格例会', 1, 'manual', 4, 'month', 2),
    ('training',         '会议学习', '参加培训学习', 2, 'manual', 12, 'quarter', 2),
    ('special_duty',     '专项工作', '防汛、防疫等专项值守', 3, 'manual', 60, 'quarter', 1),
    ('policy_outreach',  '专项工作', '政策宣传', 1, 'manual', 10, 'month', 2),
    ('meeting_absent',   '扣分事项', '无故缺席例会', -2, 'manual', NULL, NULL, 2);
