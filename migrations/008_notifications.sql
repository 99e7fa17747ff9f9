-- Notifications (docs/subjects.md): who must act on a transition, written by a durable JetStream
-- consumer shared by every process. (transition_id, member_id) is unique, so a message
-- delivered twice (redelivered after a crash before its acknowledgement) notifies once.
CREATE TABLE notifications (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id     bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    transition_id bigint NOT NULL REFERENCES case_history (id),
    case_id       bigint NOT NULL REFERENCES cases (id),
    kind          text NOT NULL CHECK (kind ~ '^[a-z_]{1,20}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    read_at       timestamptz,
    UNIQUE (transition_id, member_id)
);

CREATE INDEX notifications_member_idx ON notifications (member_id, id);
