-- Risk grading and leader ownership (issue 16 point 5; docs/cases.md, docs/routing.md).
-- On acceptance (受理) a centre grades a case 简单/复杂/疑难 (simple, complex, difficult) and
-- may mark it 重大 (major); regrading later is a transition with a reason. The grade may send
-- the case up to a tier and scales its deadline, per grade_rules. A county leader (a supervisor
-- assigned at the county) may take ownership of a difficult case (领导包案).

-- grade_rules is part of the routing catalogue: per grade, the tier the case must be at least at
-- (NULL: the grade does not move it; 1 county, 2 township) and the percentage of the category's
-- tier deadline it gets.
CREATE TABLE grade_rules (
    grade        text PRIMARY KEY CHECK (grade IN ('simple', 'complex', 'difficult')),
    tier         smallint CHECK (tier BETWEEN 1 AND 3),
    deadline_pct integer NOT NULL CHECK (deadline_pct BETWEEN 10 AND 1000)
);

INSERT INTO grade_rules (grade, tier, deadline_pct) VALUES
    ('simple', NULL, 50),     -- 简单: half the tier's time (hotline practice: 3 working days for simple requests)
    ('complex', NULL, 100),   -- 复杂: the category's deadline
    ('difficult', 1, 100);    -- 疑难: to the county centre, with the county's deadline

-- NULL grade: not graded (cases accepted before grading, or accepted by an old client).
ALTER TABLE cases
    ADD COLUMN grade     text CHECK (grade IN ('simple', 'complex', 'difficult')),
    ADD COLUMN major     boolean NOT NULL DEFAULT false,
    ADD COLUMN leader_id bigint REFERENCES members (id),
    ADD COLUMN leader_at timestamptz,
    ADD CONSTRAINT cases_leader_difficult CHECK (leader_id IS NULL OR grade = 'difficult');

-- The grade a transition gave (accept with a grade, regrade); NULL where it gave none.
ALTER TABLE case_history
    ADD COLUMN grade text CHECK (grade IN ('simple', 'complex', 'difficult')),
    ADD COLUMN major boolean;

-- The console's "owned by a leader" filter and the dashboard's figure.
CREATE INDEX cases_leader_idx ON cases (leader_id) WHERE leader_id IS NOT NULL;

-- The dashboard's figure (docs/metrics.md, led): open cases of the cohort that a county leader
-- owns, kept like every counter of case_stats (NULL stands for 0).
ALTER TABLE case_stats ADD COLUMN led integer;
