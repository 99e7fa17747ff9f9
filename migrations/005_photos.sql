-- Photos uploaded by phones, stored as files named by their SHA-256 under the data directory;
-- the database keeps who uploaded what, and which events show them.
CREATE TABLE photos (
    sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes        integer NOT NULL CHECK (bytes > 0),
    uploader_id  bigint NOT NULL REFERENCES members (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE event_photos (
    event_id bigint NOT NULL REFERENCES events (id),
    sha256   text NOT NULL REFERENCES photos (sha256),
    PRIMARY KEY (event_id, sha256)
);

CREATE INDEX event_photos_sha256_idx ON event_photos (sha256);
