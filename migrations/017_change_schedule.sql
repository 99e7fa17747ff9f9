-- A change set can be scheduled: reviewed now, applied by the server on its effective day
-- (docs/grid.md, "Change sets"). A scheduled set is still a draft until then; scheduling is a
-- decision of its own (who, when), and a scheduled apply that is refused on the day (the grid
-- changed meanwhile, a village still has open cases) unschedules the set and says why, rather
-- than trying again every minute.
ALTER TABLE grid_changes
    ADD COLUMN scheduled_by   bigint REFERENCES members (id),
    ADD COLUMN scheduled_at   timestamptz,
    ADD COLUMN schedule_error text,
    ADD CONSTRAINT grid_changes_scheduled_draft CHECK (scheduled_at IS NULL OR state = 'draft');

CREATE INDEX grid_changes_scheduled_idx ON grid_changes (effective_on) WHERE scheduled_at IS NOT NULL;
