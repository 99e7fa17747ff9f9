-- Routing and deadlines (docs/routing.md): which units have a mediation centre, each category's
-- deadline per tier, automatic escalation of overdue cases, and what an attempt records.

-- A village without a mediation room (村调解室) sends its cases to the township's centre; the
-- county always has its centre (县级矛调中心). Only levels 1-3 have centres; the column is
-- ignored below.
ALTER TABLE units ADD COLUMN has_centre boolean NOT NULL DEFAULT true;
ALTER TABLE units ADD CONSTRAINT units_county_has_centre CHECK (level <> 1 OR has_centre);

-- Deadlines in seconds per tier; an urgent case gets min(tier deadline, urgent deadline).
-- auto_escalate: an overdue case goes up a tier by itself; otherwise it is only flagged.
ALTER TABLE categories
    ADD COLUMN village_deadline_s  integer NOT NULL DEFAULT 604800
        CHECK (village_deadline_s BETWEEN 1 AND 31536000),
    ADD COLUMN township_deadline_s integer NOT NULL DEFAULT 1296000
        CHECK (township_deadline_s BETWEEN 1 AND 31536000),
    ADD COLUMN county_deadline_s   integer NOT NULL DEFAULT 2592000
        CHECK (county_deadline_s BETWEEN 1 AND 31536000),
    ADD COLUMN urgent_deadline_s   integer NOT NULL DEFAULT 86400
        CHECK (urgent_deadline_s BETWEEN 1 AND 31536000),
    ADD COLUMN auto_escalate       boolean NOT NULL DEFAULT true,
    ADD COLUMN updated_at          timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN updated_by          bigint REFERENCES members (id);

-- Disputes keep the defaults (7, 15, 30 days; 1 day when urgent). Hazards and public order are
-- worked in hours, facilities and environment in days (hotline practice: 2 hours urgent).
UPDATE categories SET village_deadline_s = 86400, township_deadline_s = 172800,
    county_deadline_s = 259200, urgent_deadline_s = 7200
WHERE group_code IN ('safety', 'order');
UPDATE categories SET village_deadline_s = 259200, township_deadline_s = 432000,
    county_deadline_s = 864000, urgent_deadline_s = 7200
WHERE group_code IN ('environment', 'facility');
UPDATE categories SET village_deadline_s = 432000, township_deadline_s = 864000,
    county_deadline_s = 1296000
WHERE group_code = 'livelihood';
-- Petitions follow their own statutory time limits: flagged when overdue, never moved by a timer.
UPDATE categories SET township_deadline_s = 1296000, county_deadline_s = 2592000,
    urgent_deadline_s = 259200, auto_escalate = false
WHERE group_code = 'petition';

-- The case's severity (copied from its event: deadlines depend on it), the current tier's
-- deadline (NULL while the reporter verifies, and once closed) and when it passed unescalated.
ALTER TABLE cases
    ADD COLUMN severity    text NOT NULL DEFAULT 'normal' CHECK (severity IN ('normal', 'urgent')),
    ADD COLUMN deadline_at timestamptz,
    ADD COLUMN overdue_at  timestamptz;

UPDATE cases c SET severity = e.severity FROM events e WHERE e.id = c.event_id;
UPDATE cases c SET deadline_at = c.opened_at + make_interval(secs => CASE c.level
        WHEN 1 THEN k.county_deadline_s WHEN 2 THEN k.township_deadline_s ELSE k.village_deadline_s END)
FROM events e JOIN categories k ON k.code = e.category
WHERE e.id = c.event_id AND c.state IN ('queued', 'accepted', 'mediating');

-- The escalation timer's work list: open cases by deadline, without those already flagged.
CREATE INDEX cases_due_idx ON cases (deadline_at) WHERE deadline_at IS NOT NULL AND overdue_at IS NULL;
-- A centre's live queue.
CREATE INDEX cases_open_centre_idx ON cases (centre_code, deadline_at) WHERE state <> 'closed';

-- actor_id NULL is the system: automatic escalation, the overdue flag. deadline_at is the
-- deadline the transition set (for on-time figures); parties are who took part in an attempt.
ALTER TABLE case_history
    ALTER COLUMN actor_id DROP NOT NULL,
    ADD COLUMN deadline_at timestamptz,
    ADD COLUMN parties     text NOT NULL DEFAULT '' CHECK (length(parties) <= 500);

-- Photos attached to a transition: an attempt's documents, the reporter's verification on site.
CREATE TABLE case_history_photos (
    history_id bigint NOT NULL REFERENCES case_history (id),
    sha256     text NOT NULL REFERENCES photos (sha256),
    PRIMARY KEY (history_id, sha256)
);

CREATE INDEX case_history_photos_sha256_idx ON case_history_photos (sha256);

-- Every outbox insert wakes the relays at commit (one notification per transaction), so a
-- transition reaches NATS in milliseconds rather than at the next poll.
CREATE FUNCTION notify_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_' || current_schema(), '');
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();
