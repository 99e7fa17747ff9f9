-- Changing the grid while cases exist (docs/grid.md, "Change sets"): a unit is retired, never
-- deleted, so its cases, history and figures keep their code; units that take over its area come
-- in by a change set, one reviewable record of who changed what and when.

CREATE TABLE grid_changes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The deepest unit whose subtree holds everything the change touches: who may review and
    -- apply it (an administrator of that subtree), and where its checks run.
    root_code    text COLLATE "C" NOT NULL REFERENCES units (code),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- The operations in their primitive form (add, redraw, rename, retire), as grid.ChangeOp
    -- writes them; and the assignment moves asked for, retired code -> unit.
    operations   jsonb NOT NULL CHECK (jsonb_typeof(operations) = 'array'),
    moves        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(moves) = 'object'),
    -- Applying waits until this day has begun in the county (Asia/Shanghai).
    effective_on date NOT NULL,
    state        text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'applied', 'discarded')),
    -- NULL: the command line, run by whoever holds the database credentials.
    created_by   bigint REFERENCES members (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    decided_by   bigint REFERENCES members (id),
    decided_at   timestamptz,
    -- What applying did: units before (names, polygons), assignments moved and flagged.
    outcome      jsonb,
    CONSTRAINT grid_changes_decided CHECK ((state = 'draft') = (decided_at IS NULL))
);

CREATE INDEX grid_changes_root_idx ON grid_changes (root_code, id);

-- valid_from: when a change set brought the unit in (NULL: it was there from the start, as
-- imported or generated). retired_at: when a change set retired it (NULL: current); successors:
-- the units that took over its area.
ALTER TABLE units
    ADD COLUMN valid_from  timestamptz,
    ADD COLUMN retired_at  timestamptz,
    ADD COLUMN retired_by  bigint REFERENCES grid_changes (id),
    ADD COLUMN added_by    bigint REFERENCES grid_changes (id),
    ADD COLUMN successors  text[] COLLATE "C",
    ADD CONSTRAINT units_retired_with_change CHECK ((retired_at IS NULL) = (retired_by IS NULL));

-- The locator's PostGIS path and the topology checks read only current units.
CREATE INDEX units_current_geom_idx ON units USING gist (geom) WHERE retired_at IS NULL;

-- An assignment left on a retired unit, because the change set named no unit to move it to, is
-- flagged so administrators see it (grid members --flagged, the admin app) instead of it
-- vanishing: its member keeps reading the old cases until someone moves it.
ALTER TABLE assignments
    ADD COLUMN flagged_by bigint REFERENCES grid_changes (id);
