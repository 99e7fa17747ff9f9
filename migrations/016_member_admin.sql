-- Administering people (docs/admin.md): deactivation that keeps a member's history, one-time
-- password codes, and an audit log of every change made to members and the grid.

-- A deactivated member cannot sign in and holds no assignment, but stays, with their name on
-- every case and history row they took part in. Their phone number stays theirs until it is
-- released by an explicit step (phone_released_at), after which a new member may register it:
-- so only current numbers are unique.
ALTER TABLE members
    ADD COLUMN deactivated_at       timestamptz,
    ADD COLUMN phone_released_at    timestamptz,
    -- A one-time code set by an administrator: it signs in only to choose a new password,
    -- until reset_expires_at.
    ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
    ADD COLUMN reset_expires_at     timestamptz,
    ADD COLUMN password_changed_at  timestamptz,
    ADD CONSTRAINT members_release_after_deactivation CHECK (phone_released_at IS NULL OR deactivated_at IS NOT NULL);

ALTER TABLE members DROP CONSTRAINT members_phone_key;
CREATE UNIQUE INDEX members_current_phone_idx ON members (phone) WHERE phone_released_at IS NULL;

-- Who did what to whom, when. units are where it happened (the assignments, the change set's
-- root): an administrator reads the entries with a unit in their subtree. actor_id NULL is the
-- command line, run by whoever holds the database credentials.
CREATE TABLE audit_log (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor_id  bigint REFERENCES members (id),
    action    text NOT NULL CHECK (action ~ '^[a-z_.]{1,40}$'),
    member_id bigint REFERENCES members (id),
    units     text[] COLLATE "C" NOT NULL DEFAULT '{}',
    detail    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object')
);

CREATE INDEX audit_log_member_idx ON audit_log (member_id, id);
