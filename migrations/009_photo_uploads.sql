-- A photo is stored once by its SHA-256, but several members may upload the same image (a
-- picture of a scene forwarded between grid workers, a scan shared by two centres). Each may
-- attach it as their own; photos.uploader_id stays the first uploader.
CREATE TABLE photo_uploads (
    sha256      text NOT NULL REFERENCES photos (sha256),
    member_id   bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (member_id, sha256)
);

INSERT INTO photo_uploads (sha256, member_id, uploaded_at)
SELECT sha256, uploader_id, created_at FROM photos;
