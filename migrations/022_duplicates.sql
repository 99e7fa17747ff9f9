-- Duplicates (并单, docs/cases.md): reports of the same matter near each other in place and time
-- are suggested to the centre, which merges a duplicate into its main case or marks the pair
-- distinct.

-- Suggestions come from one indexed query: cases of the same category received within the time
-- window, near the point (ST_DWithin on geography). The btree narrows by category and time, the
-- GiST by place; the planner picks whichever is tighter (docs/benchmarks.md).
CREATE INDEX events_category_received_idx ON events (category, received_at);
CREATE INDEX events_location_geog_idx ON events USING gist ((location::geography));

-- One row per merged case: the duplicate (closed by its 'merge' history row) and the main case
-- it follows. A merged case's reporter is told of the main case's outcome; figures count merged
-- reports apart (docs/metrics.md).
CREATE TABLE case_merges (
    case_id    bigint PRIMARY KEY REFERENCES cases (id),
    main_id    bigint NOT NULL REFERENCES cases (id) CHECK (main_id <> case_id),
    history_id bigint NOT NULL UNIQUE REFERENCES case_history (id)
);
CREATE INDEX case_merges_main_idx ON case_merges (main_id);

-- Pairs the centre marked distinct: never suggested again. a < b.
CREATE TABLE case_distinct (
    a         bigint NOT NULL REFERENCES cases (id),
    b         bigint NOT NULL REFERENCES cases (id),
    marked_by bigint NOT NULL REFERENCES members (id),
    marked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (a, b),
    CHECK (a < b)
);
CREATE INDEX case_distinct_b_idx ON case_distinct (b);

-- Merged reports, counted apart from received (docs/metrics.md).
ALTER TABLE case_stats ADD COLUMN merged integer;
