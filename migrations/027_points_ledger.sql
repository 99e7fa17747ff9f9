-- The points ledger of grid workers (积分制, issue 17; docs/points.md). Every point a member
-- earns, loses or spends is one row here, written once: derived from a case event, entered by
-- hand and approved, a counter-entry that cancels an earlier row, or a redemption in the points
-- supermarket (积分超市). Rows are never updated or deleted; a mistake is undone by a
-- counter-entry. Manual entries, the monthly audit and the supermarket's items are tables of
-- their own, in later migrations.

-- The rules an administrator edits: what earns or costs points (category 类别 and indicator 指标
-- of the county's scheme, e.g. 22 categories and 67 indicators), how many, capped per period,
-- and for manual items (patrol, household visit, meeting) the tier that approves them. A case
-- rule may be limited to one case category; NULL: every category.
CREATE TABLE point_rules (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code           text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    category       text NOT NULL CHECK (length(category) BETWEEN 1 AND 50),
    indicator      text NOT NULL CHECK (length(indicator) BETWEEN 1 AND 100),
    points         integer NOT NULL CHECK (points <> 0 AND points BETWEEN -1000 AND 1000),
    trigger        text NOT NULL CHECK (trigger IN (
        'report_accepted', 'settled_at_grid', 'verified_on_time', 'report_invalid', 'manual'
    )),
    case_category  text REFERENCES categories (code),
    cap_points     integer CHECK (cap_points > 0),
    cap_period     text CHECK (cap_period IN ('day', 'month', 'quarter', 'year')),
    approver_tier  smallint CHECK (approver_tier BETWEEN 1 AND 3), -- 1 county, 2 township, 3 village
    active         boolean NOT NULL DEFAULT true,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT point_rules_cap CHECK ((cap_points IS NULL) = (cap_period IS NULL)),
    CONSTRAINT point_rules_manual CHECK ((trigger = 'manual') = (approver_tier IS NOT NULL)),
    CONSTRAINT point_rules_case_category CHECK (trigger <> 'manual' OR case_category IS NULL)
);

CREATE TABLE point_ledger (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  bigint NOT NULL REFERENCES members (id),
    -- The grid (level 4) the points count for: rankings per grid, village and township group
    -- by its prefix. A worker who moves keeps the rows booked at the old grid.
    unit_code  text COLLATE "C" NOT NULL REFERENCES units (code),
    -- The month the row is booked in (the first day, in Asia/Shanghai): the month of its event,
    -- or the first month after it that the township has not yet confirmed.
    month      date NOT NULL CHECK (extract(day FROM month) = 1),
    points     integer NOT NULL CHECK (points <> 0 AND points BETWEEN -100000 AND 100000),
    kind       text NOT NULL CHECK (kind IN ('case', 'manual', 'reversal', 'redemption')),
    -- The rule that gave the points (case and manual rows).
    rule_id    bigint REFERENCES point_rules (id),
    -- What the row was derived from, unique: e.g. 'transition:123:report_accepted',
    -- 'manual:45', 'reversal:67', 'redemption:89'. A redelivered event finds its row here and
    -- books nothing (exactly once).
    source     text NOT NULL UNIQUE CHECK (length(source) BETWEEN 1 AND 200),
    -- A counter-entry names the row it cancels, which can be cancelled once.
    reverses   bigint UNIQUE REFERENCES point_ledger (id),
    note       text CHECK (length(note) <= 500),
    created_by bigint REFERENCES members (id), -- NULL: derived from a case event by the system
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT point_ledger_grid CHECK (length(unit_code) = 15),
    CONSTRAINT point_ledger_reversal CHECK ((kind = 'reversal') = (reverses IS NOT NULL)),
    CONSTRAINT point_ledger_rule CHECK ((kind IN ('case', 'manual')) = (rule_id IS NOT NULL)),
    CONSTRAINT point_ledger_redemption CHECK (kind <> 'redemption' OR points < 0)
);

CREATE INDEX point_ledger_member_month_idx ON point_ledger (member_id, month);
CREATE INDEX point_ledger_month_unit_idx ON point_ledger (month, unit_code);

-- The ledger is append-only.
CREATE FUNCTION point_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'point_ledger is append-only: cancel a row with a counter-entry'
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER point_ledger_append_only BEFORE UPDATE OR DELETE ON point_ledger
    FOR EACH ROW EXECUTE FUNCTION point_ledger_append_only();

-- A member's balance: the sum of their ledger rows, kept by the trigger below in the same
-- transaction as the row. A redemption locks the member's balance row (SELECT ... FOR UPDATE)
-- and refuses when the price exceeds it, so concurrent redemptions never take it below zero.
-- Penalties can (a report judged invalid when nothing was earned yet): balance may be
-- negative, a redemption may not make it so.
CREATE TABLE point_balances (
    member_id  bigint PRIMARY KEY REFERENCES members (id),
    balance    bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION point_balance_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO point_balances AS b (member_id, balance) VALUES (NEW.member_id, NEW.points)
    ON CONFLICT (member_id) DO UPDATE SET balance = b.balance + EXCLUDED.balance, updated_at = now();
    IF NEW.kind = 'redemption' AND (SELECT balance FROM point_balances WHERE member_id = NEW.member_id) < 0 THEN
        RAISE EXCEPTION 'redemption exceeds the balance of member %', NEW.member_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'point_balances_redemption';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER point_balance_add AFTER INSERT ON point_ledger
    FOR EACH ROW EXECUTE FUNCTION point_balance_add();
