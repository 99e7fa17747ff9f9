-- The points supermarket (积分超市, issue 17; docs/points-market.md): items a township or the
-- county offers for points, and the redemptions its administrators record for grid workers. A
-- redemption writes one row here and one 'redemption' row in point_ledger (source
-- 'redemption:<id>') in one transaction; its cancellation is a counter-entry ('reversal') in
-- the ledger and the stock put back.

-- What a unit's supermarket offers. unit_code is the owner: a county's items are open to every
-- worker of the county, a township's to its own. stock NULL: not counted (a service, a
-- certificate); otherwise what is left, never below zero.
CREATE TABLE point_market_items (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_code  text COLLATE "C" NOT NULL REFERENCES units (code),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    price      integer NOT NULL CHECK (price BETWEEN 1 AND 100000),
    stock      integer CHECK (stock BETWEEN 0 AND 1000000),
    active     boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT point_market_items_owner CHECK (length(unit_code) IN (6, 9)),
    CONSTRAINT point_market_items_name UNIQUE (unit_code, name)
);

-- One redemption: who got what for how many points, recorded by whom. price is the item's at
-- the time. unit_code is the worker's grid, where the ledger row is booked. A cancelled
-- redemption keeps its row, with who cancelled it and why.
CREATE TABLE point_redemptions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id       bigint NOT NULL REFERENCES point_market_items (id),
    member_id     bigint NOT NULL REFERENCES members (id),
    unit_code     text COLLATE "C" NOT NULL REFERENCES units (code) CHECK (length(unit_code) = 15),
    quantity      integer NOT NULL CHECK (quantity BETWEEN 1 AND 100),
    price         integer NOT NULL CHECK (price BETWEEN 1 AND 100000),
    recorded_by   bigint NOT NULL REFERENCES members (id),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    cancelled_at  timestamptz,
    cancelled_by  bigint REFERENCES members (id),
    cancel_reason text CHECK (length(cancel_reason) BETWEEN 1 AND 200),
    CONSTRAINT point_redemptions_cancel CHECK ((cancelled_at IS NULL) = (cancelled_by IS NULL)
        AND (cancelled_at IS NULL) = (cancel_reason IS NULL))
);

CREATE INDEX point_redemptions_unit_idx ON point_redemptions (unit_code, id);
CREATE INDEX point_redemptions_member_idx ON point_redemptions (member_id, id);

-- When a county's workers may redeem (DOMAIN.md: quarterly redemption): the last last_days
-- days of each quarter or each month, in Asia/Shanghai. No row: any day. A fresh install has
-- none, so that a county that has not decided is not refused; the documented default a
-- county sets is the last 10 days of each quarter.
CREATE TABLE point_redemption_windows (
    county_code text COLLATE "C" PRIMARY KEY REFERENCES units (code) CHECK (length(county_code) = 6),
    period      text NOT NULL CHECK (period IN ('quarter', 'month')),
    last_days   smallint NOT NULL CHECK (last_days BETWEEN 1 AND 31),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
