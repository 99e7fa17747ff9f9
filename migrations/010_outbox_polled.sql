-- The outbox's relays look for committed rows every 25 ms instead of being woken by a NOTIFY
-- on every insert (007). PostgreSQL queues notifications at commit under one lock held through
-- the WAL flush, so notifying transactions commit one at a time: with the trigger, case
-- transitions topped out near 1,000 a second on two cores; without, near 2,000
-- (docs/benchmarks.md). Grid changes, which are rare, still notify.
DROP TRIGGER outbox_inserted ON outbox;
DROP FUNCTION notify_outbox();
