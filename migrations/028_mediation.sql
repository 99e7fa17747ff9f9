-- The mediation record of a case and its agreement (调解记录, 调解协议书; issue 17 point 3,
-- docs/mediation.md). A case's centre records each attempt (调解) with its parties, mediators,
-- facts, claims and outcome; a settled attempt prints an agreement from the county's template;
-- signed copies are photos; referrals (司法确认, 三调联动) are recorded steps with a result.

-- mediations: one attempt. centre_code is the owner: the case's centre when the attempt was
-- recorded. Only its mediators edit it and read the parties' ID numbers and phones in full.
CREATE TABLE mediations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES cases (id),
    seq         integer NOT NULL CHECK (seq BETWEEN 1 AND 50), -- 第 N 次调解 of the case
    centre_code text COLLATE "C" NOT NULL REFERENCES units (code),
    facts       text NOT NULL DEFAULT '' CHECK (length(facts) <= 5000),
    claims      text NOT NULL DEFAULT '' CHECK (length(claims) <= 5000),
    outcome     text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'settled', 'unsettled', 'referred')),
    terms       text NOT NULL DEFAULT '' CHECK (length(terms) <= 5000),
    settled_on  date, -- the agreement's date: set when settled
    version     integer NOT NULL DEFAULT 1,
    created_by  bigint NOT NULL REFERENCES members (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  bigint NOT NULL REFERENCES members (id),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, seq),
    CONSTRAINT mediations_settled CHECK ((outcome = 'settled') = (settled_on IS NOT NULL)),
    CONSTRAINT mediations_terms CHECK (outcome <> 'settled' OR length(terms) > 0)
);

-- The parties. The ID-card number and the phone are kept twice: masked (what every reader
-- outside the owner centre sees) and sealed with AES-256-GCM under a key that lives outside the
-- database (--pii-key-file), so a dump of the database shows no more than the masked forms.
CREATE TABLE mediation_parties (
    mediation_id bigint NOT NULL REFERENCES mediations (id) ON DELETE CASCADE,
    position     smallint NOT NULL CHECK (position BETWEEN 0 AND 19),
    role         text NOT NULL CHECK (role IN ('applicant', 'respondent', 'other')),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    id_masked    text NOT NULL DEFAULT '' CHECK (length(id_masked) <= 18),
    id_sealed    bytea,
    phone_masked text NOT NULL DEFAULT '' CHECK (length(phone_masked) <= 20),
    phone_sealed bytea,
    PRIMARY KEY (mediation_id, position),
    CONSTRAINT mediation_parties_id CHECK ((id_masked = '') = (id_sealed IS NULL)),
    CONSTRAINT mediation_parties_phone CHECK ((phone_masked = '') = (phone_sealed IS NULL))
);

-- The mediators: members of the owner centre (member_id), or outside mediators by name.
CREATE TABLE mediation_mediators (
    mediation_id bigint NOT NULL REFERENCES mediations (id) ON DELETE CASCADE,
    position     smallint NOT NULL CHECK (position BETWEEN 0 AND 9),
    member_id    bigint REFERENCES members (id),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    PRIMARY KEY (mediation_id, position)
);

-- Signed copies of the agreement, uploaded as photos.
CREATE TABLE mediation_copies (
    mediation_id bigint NOT NULL REFERENCES mediations (id),
    sha256       text NOT NULL REFERENCES photos (sha256),
    uploaded_by  bigint NOT NULL REFERENCES members (id),
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mediation_id, sha256)
);

-- Referrals: to a court for judicial confirmation (司法确认: kind court, within 30 days of the
-- agreement) or to another body of 三调联动 (people's, administrative, judicial mediation, or
-- other: the police station, the justice bureau). The result is recorded later.
CREATE TABLE mediation_referrals (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mediation_id bigint NOT NULL REFERENCES mediations (id),
    kind         text NOT NULL CHECK (kind IN ('court', 'peoples', 'administrative', 'judicial', 'other')),
    body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 100),
    referred_on  date NOT NULL,
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    result       text NOT NULL DEFAULT 'pending' CHECK (result IN ('pending', 'confirmed', 'refused', 'settled', 'unsettled', 'withdrawn')),
    result_on    date,
    result_note  text NOT NULL DEFAULT '' CHECK (length(result_note) <= 2000),
    version      integer NOT NULL DEFAULT 1,
    created_by   bigint NOT NULL REFERENCES members (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mediation_referrals_result CHECK ((result = 'pending') = (result_on IS NULL))
);

CREATE INDEX mediation_referrals_mediation_idx ON mediation_referrals (mediation_id);

-- The agreement's template, one for the county like the routing catalogue. Placeholders are
-- written in double braces around centre, case_code, parties, facts, claims, terms, mediators
-- and date (docs/mediation.md). tern reads migrations as Go templates, so the default below
-- writes them in double brackets and turns those into braces.
CREATE TABLE agreement_template (
    id         smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    updated_by bigint REFERENCES members (id),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The default follows the contents the People's Mediation Law (人民调解法, art. 29) asks of an
-- agreement: the parties, the facts and the matters in dispute, what was agreed and how it is
-- carried out; and tells the parties of judicial confirmation within 30 days (art. 33).
INSERT INTO agreement_template (title, body) VALUES ('人民调解协议书', replace(replace($body$编号：[[case_code]]

当事人：
[[parties]]

纠纷主要事实、争议事项：
[[facts]]

当事人请求：
[[claims]]

经[[centre]]主持调解，当事人自愿达成如下协议：
[[terms]]

本协议自各方当事人签名、调解员签名并加盖调解组织印章之日起生效，当事人应当按照约定履行。本协议一式三份，当事人各执一份，调解组织留存一份。当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。

调解员：[[mediators]]



当事人（签名）：




[[centre]]（盖章）
[[date]]$body$, '[[', '{' || '{'), ']]', '}' || '}'));
