-- The five-level grid: units with codes, polygons and attributes; members and their roles.
-- Forward-only: there is no down migration.

-- PostGIS lives in public so that per-schema deployments and per-test schemas share it.
CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public;

-- Code lengths per level: county 6, township 9, village 12 (national statistical codes),
-- grid 15 and micro-grid 18 (each extends its parent by three digits).
CREATE FUNCTION unit_code_length(level smallint) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (ARRAY[6, 9, 12, 15, 18])[level];

CREATE TABLE units (
    -- COLLATE "C" lets the primary-key btree answer prefix (subtree) queries: code LIKE '140802%'.
    code        text COLLATE "C" PRIMARY KEY,
    parent_code text COLLATE "C" REFERENCES units (code) ON DELETE RESTRICT,
    level       smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    geom        geometry(MultiPolygon, 4326) NOT NULL,
    population  integer CHECK (population >= 0),
    households  integer CHECK (households >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT units_code_digits CHECK (code ~ '^[0-9]+$'),
    CONSTRAINT units_code_length CHECK (length(code) = unit_code_length(level)),
    CONSTRAINT units_parent_presence CHECK ((level = 1) = (parent_code IS NULL)),
    CONSTRAINT units_code_extends_parent CHECK (
        parent_code IS NULL
        OR (starts_with(code, parent_code) AND length(parent_code) = unit_code_length((level - 1)::smallint))
    )
);

CREATE INDEX units_parent_code_idx ON units (parent_code);
CREATE INDEX units_geom_idx ON units USING gist (geom);

CREATE TABLE members (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Mainland mobile numbers: 11 digits starting 13-19.
    phone      text NOT NULL UNIQUE CHECK (phone ~ '^1[3-9][0-9]{9}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assignments (
    member_id bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    unit_code text COLLATE "C" NOT NULL REFERENCES units (code) ON DELETE CASCADE,
    role      text NOT NULL CHECK (role IN (
        'grid_worker', 'grid_leader', 'info_officer', 'mediator', 'supervisor', 'admin'
    )),
    PRIMARY KEY (member_id, unit_code, role)
);

CREATE INDEX assignments_unit_code_idx ON assignments (unit_code);
