-- The transactional outbox: rows written in the same transaction as the change they announce,
-- published to NATS JetStream by a relay after commit (DESIGN.md contract 1). The outbox id is
-- the JetStream message id, so a row published twice (a relay dying between publish and mark)
-- is deduplicated by the stream.
CREATE TABLE outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject      text NOT NULL,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);

CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

-- Any change to the grid, by griddispatch or by GIS staff editing units in QGIS, announces
-- itself once per statement, so every process rebuilds its locate index. The notification wakes
-- the relays of this schema at commit; they also poll, so a missed notification only delays.
CREATE FUNCTION announce_grid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (subject, payload)
    VALUES ('grid.changed', jsonb_build_object('operation', lower(TG_OP), 'at', now()));
    PERFORM pg_notify('outbox_' || current_schema(), '');
    RETURN NULL;
END $$;

CREATE TRIGGER units_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
FOR EACH STATEMENT EXECUTE FUNCTION announce_grid_change();
