-- Sign-in: members' password hashes, sessions, and failed attempts for rate limiting.

-- bcrypt hash; NULL means the member cannot sign in with a password.
ALTER TABLE members ADD COLUMN password_hash text;

-- A session is an opaque token held by a phone or browser. Only its SHA-256 is stored, so a
-- copy of the database does not let anyone in.
CREATE TABLE sessions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    member_id    bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    user_agent   text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 512),
    address      text NOT NULL DEFAULT '' CHECK (length(address) <= 64)
);

CREATE INDEX sessions_member_id_idx ON sessions (member_id);

-- Failed sign-ins, keyed 'phone:<number>' or 'address:<ip>'; counted over a sliding window.
-- In PostgreSQL rather than in memory so the limit holds across griddispatch processes.
CREATE TABLE sign_in_failures (
    key text NOT NULL CHECK (length(key) <= 80),
    at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sign_in_failures_key_at_idx ON sign_in_failures (key, at);
