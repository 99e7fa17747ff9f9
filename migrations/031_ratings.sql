-- Unit ratings, 五面红旗 / 五星支部 (docs/ratings.md). A scheme is data: up to five marks (a red
-- flag or a star each, one per line of work), each a set of indicators with a weight and a
-- threshold; a mark is earned when the weights of its passing indicators reach its pass score.
-- Indicators are computed from the unit's case figures (docs/metrics.md) or entered by the
-- village with evidence. Villages (level 3) are rated, once per period of the scheme.
CREATE TABLE rating_schemes (
    id          serial PRIMARY KEY,
    code        text COLLATE "C" NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    kind        text NOT NULL CHECK (kind IN ('flag', 'star')),
    period      text NOT NULL CHECK (period IN ('quarter', 'half', 'year')),
    level       smallint NOT NULL DEFAULT 3 CHECK (level = 3),
    notice_days smallint NOT NULL CHECK (notice_days BETWEEN 0 AND 30), -- 公示 days
    award_level smallint NOT NULL CHECK (award_level IN (1, 2)),        -- who awards: 1 county, 2 township
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rating_marks (
    scheme_id  integer NOT NULL REFERENCES rating_schemes ON DELETE CASCADE,
    mark       smallint NOT NULL CHECK (mark BETWEEN 1 AND 5),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    pass_score smallint NOT NULL CHECK (pass_score BETWEEN 1 AND 100),
    PRIMARY KEY (scheme_id, mark)
);

-- metric: one of the figures of docs/metrics.md for the village and the period (rates in
-- percent); NULL for an entered indicator. direction: the value must be at least or at most
-- the threshold.
CREATE TABLE rating_indicators (
    scheme_id  integer NOT NULL,
    code       text COLLATE "C" NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),
    mark       smallint NOT NULL,
    position   smallint NOT NULL,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    source     text NOT NULL CHECK (source IN ('computed', 'entered')),
    metric     text CHECK (metric IN ('closure_rate', 'on_time_rate', 'satisfaction_rate', 'settled_low_rate', 'overdue')),
    unit_word  text NOT NULL DEFAULT '' CHECK (length(unit_word) <= 8),
    direction  text NOT NULL CHECK (direction IN ('at_least', 'at_most')),
    threshold  numeric(12, 2) NOT NULL,
    weight     smallint NOT NULL CHECK (weight BETWEEN 1 AND 100),
    PRIMARY KEY (scheme_id, code),
    FOREIGN KEY (scheme_id, mark) REFERENCES rating_marks ON DELETE CASCADE,
    CHECK ((source = 'computed') = (metric IS NOT NULL))
);

-- One assessment of a village per period of a scheme: self-assessment, review, 公示, award.
CREATE TABLE rating_assessments (
    id           bigserial PRIMARY KEY,
    scheme_id    integer NOT NULL REFERENCES rating_schemes ON DELETE CASCADE,
    unit_code    text COLLATE "C" NOT NULL REFERENCES units (code),
    period_start date NOT NULL,
    state        text NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'notice', 'awarded')),
    notice_ends  date,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (scheme_id, unit_code, period_start)
);

-- The village's entered indicators, each with its evidence: a note and photos (photo store).
CREATE TABLE rating_entries (
    assessment_id  bigint NOT NULL REFERENCES rating_assessments ON DELETE CASCADE,
    indicator_code text COLLATE "C" NOT NULL,
    value          numeric(12, 2) NOT NULL,
    note           text NOT NULL CHECK (length(note) BETWEEN 1 AND 500),
    photos         text[] NOT NULL DEFAULT '{}' CHECK (cardinality(photos) <= 6),
    entered_by     bigint NOT NULL REFERENCES members (id),
    entered_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (assessment_id, indicator_code)
);

-- The marks a village holds now. A row exists once a mark was first awarded; held turns false
-- when it is removed (摘旗/摘星) and true again when it is restored.
CREATE TABLE rating_holdings (
    scheme_id  integer NOT NULL REFERENCES rating_schemes ON DELETE CASCADE,
    unit_code  text COLLATE "C" NOT NULL REFERENCES units (code),
    mark       smallint NOT NULL,
    held       boolean NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scheme_id, unit_code, mark)
);

-- Every step of the process, with who, when and why: the ratings' audit trail.
CREATE TABLE rating_decisions (
    id            bigserial PRIMARY KEY,
    scheme_id     integer NOT NULL REFERENCES rating_schemes ON DELETE CASCADE,
    unit_code     text COLLATE "C" NOT NULL,
    assessment_id bigint REFERENCES rating_assessments ON DELETE CASCADE,
    action        text NOT NULL CHECK (action IN ('enter', 'submit', 'return', 'accept', 'object', 'award', 'remove', 'restore')),
    mark          smallint,
    from_state    text,
    to_state      text,
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    actor_id      bigint NOT NULL REFERENCES members (id),
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rating_decisions_unit_idx ON rating_decisions (scheme_id, unit_code, id);

-- Two schemes a county starts from (docs/ratings.md): Yuncheng's 五面红旗, yearly and awarded by
-- the county, and Henan's 五星支部, by half-year. Administrators edit both.
INSERT INTO rating_schemes (code, name, kind, period, notice_days, award_level) VALUES
    ('five_flags', '五面红旗', 'flag', 'year', 5, 1),
    ('five_stars', '五星支部', 'star', 'half', 5, 1);

INSERT INTO rating_marks (scheme_id, mark, name, pass_score)
SELECT s.id, m.mark, m.name, 80 FROM rating_schemes s,
    (VALUES ('five_flags', 1, '党建红旗'), ('five_flags', 2, '平安红旗'), ('five_flags', 3, '法治红旗'),
            ('five_flags', 4, '文明红旗'), ('five_flags', 5, '富裕红旗'),
            ('five_stars', 1, '支部过硬星'), ('five_stars', 2, '产业兴旺星'), ('five_stars', 3, '生态宜居星'),
            ('five_stars', 4, '平安法治星'), ('five_stars', 5, '文明幸福星')) m(scheme, mark, name)
WHERE s.code = m.scheme;

INSERT INTO rating_indicators (scheme_id, code, mark, position, name, source, metric, unit_word, direction, threshold, weight)
SELECT s.id, i.code, i.mark, i.pos, i.name, i.source, i.metric, i.unit_word, i.direction, i.threshold, i.weight
FROM rating_schemes s, (VALUES
    ('five_flags', 'party_meetings', 1, 1, '“三会一课”开展次数', 'entered', NULL, '次', 'at_least', 12, 40),
    ('five_flags', 'members_commitment', 1, 2, '党员承诺践诺率', 'entered', NULL, '%', 'at_least', 90, 30),
    ('five_flags', 'party_satisfaction', 1, 3, '群众满意率', 'computed', 'satisfaction_rate', '%', 'at_least', 90, 30),
    ('five_flags', 'closure', 2, 1, '事件办结率', 'computed', 'closure_rate', '%', 'at_least', 95, 30),
    ('five_flags', 'settled_low', 2, 2, '矛盾不上交率', 'computed', 'settled_low_rate', '%', 'at_least', 90, 30),
    ('five_flags', 'overdue', 2, 3, '逾期未办结事件', 'computed', 'overdue', '件', 'at_most', 0, 20),
    ('five_flags', 'no_major_crime', 2, 4, '重大刑事、治安案件', 'entered', NULL, '起', 'at_most', 0, 20),
    ('five_flags', 'on_time', 3, 1, '按期办结率', 'computed', 'on_time_rate', '%', 'at_least', 90, 40),
    ('five_flags', 'law_lectures', 3, 2, '法治宣传活动', 'entered', NULL, '次', 'at_least', 4, 30),
    ('five_flags', 'petitions_abroad', 3, 3, '越级上访', 'entered', NULL, '起', 'at_most', 0, 30),
    ('five_flags', 'volunteer', 4, 1, '志愿服务活动', 'entered', NULL, '次', 'at_least', 6, 50),
    ('five_flags', 'civil_satisfaction', 4, 2, '回访满意率', 'computed', 'satisfaction_rate', '%', 'at_least', 90, 50),
    ('five_flags', 'collective_income', 5, 1, '村集体经济收入', 'entered', NULL, '万元', 'at_least', 10, 60),
    ('five_flags', 'income_growth', 5, 2, '农民人均可支配收入增幅', 'entered', NULL, '%', 'at_least', 6, 40),
    ('five_stars', 'branch_meetings', 1, 1, '“三会一课”开展次数', 'entered', NULL, '次', 'at_least', 6, 60),
    ('five_stars', 'branch_satisfaction', 1, 2, '群众满意率', 'computed', 'satisfaction_rate', '%', 'at_least', 85, 40),
    ('five_stars', 'industry_income', 2, 1, '村集体经济收入', 'entered', NULL, '万元', 'at_least', 5, 100),
    ('five_stars', 'environment', 3, 1, '人居环境整治检查得分', 'entered', NULL, '分', 'at_least', 85, 100),
    ('five_stars', 'closure', 4, 1, '事件办结率', 'computed', 'closure_rate', '%', 'at_least', 92, 40),
    ('five_stars', 'settled_low', 4, 2, '矛盾不上交率', 'computed', 'settled_low_rate', '%', 'at_least', 85, 40),
    ('five_stars', 'overdue', 4, 3, '逾期未办结事件', 'computed', 'overdue', '件', 'at_most', 0, 20),
    ('five_stars', 'civility', 5, 1, '移风易俗、志愿服务活动', 'entered', NULL, '次', 'at_least', 4, 100)
) i(scheme, code, mark, pos, name, source, metric, unit_word, direction, threshold, weight)
WHERE s.code = i.scheme;
