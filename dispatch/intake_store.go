package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// insertReports writes a whole batch in one statement: the events, and for each located event
// its case, the first history row and an outbox row; for an unlocated one an outbox row for
// triage. One statement rather than one per report, because PostgreSQL's per-statement work
// (executor start-up, constraint expressions) was most of the cost per report under load.
// A client id seen before inserts nothing and returns no row. Rows are inserted in client id
// order, so two batches resending the same reports take their locks in the same order and
// cannot deadlock. Case subjects are case.<transition>.<county>.<township>.<village>.<grid>.
// <micro-grid> (the unit code cut into its levels' digits), so a centre subscribes to its
// subtree with a wildcard. Each outbox payload is the one Go encoded for its report ($25,
// outboxPayload), with what only this statement knows set in it: the ids it inserts and its
// times, as writeTransition sets the transition id.
const insertReports = `
WITH r AS (
    SELECT client_id::uuid AS client_id, reporter_id, category, severity, description, lon, lat, accuracy_m,
           happened_at, unit_code, outside_metres, handled_on_spot, on_spot_note, state, level, centre_code, reason,
           subject, unit_name, payload::jsonb AS payload,
           CASE WHEN deadline_s > 0 THEN coalesce(working_deadline, now() + make_interval(secs => deadline_s)) END AS deadline_at,
           CASE WHEN deadline_s > 0 THEN deadline_clock END AS deadline_clock
    FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[],
                         $8::real[], $9::timestamptz[], $10::text[], $11::real[], $12::boolean[], $13::text[],
                         $14::text[], $15::smallint[], $16::text[], $17::text[], $18::text[], $21::text[], $22::integer[],
                         $23::timestamptz[], $24::text[], $25::text[])
        AS r(client_id, reporter_id, category, severity, description, lon, lat, accuracy_m, happened_at,
             unit_code, outside_metres, handled_on_spot, on_spot_note, state, level, centre_code, reason, subject,
             unit_name, deadline_s, working_deadline, deadline_clock, payload)
), e AS (
    INSERT INTO events (client_id, reporter_id, category, severity, description, location, accuracy_m,
                        happened_at, unit_code, outside_metres, handled_on_spot, on_spot_note)
    SELECT client_id, reporter_id, category, severity, description, ST_SetSRID(ST_MakePoint(lon, lat), 4326),
           accuracy_m, happened_at, unit_code, outside_metres, handled_on_spot, on_spot_note
    FROM r ORDER BY client_id
    ON CONFLICT (client_id) DO NOTHING
    RETURNING id, client_id, unit_code
), c AS (
    INSERT INTO cases (event_id, unit_code, state, level, centre_code, closed_at, severity, deadline_at, deadline_clock)
    SELECT e.id, e.unit_code, r.state, r.level, r.centre_code, CASE WHEN r.state = 'closed' THEN now() END,
           r.severity, r.deadline_at, r.deadline_clock
    FROM e JOIN r USING (client_id) WHERE e.unit_code IS NOT NULL
    RETURNING id, event_id, state, level, centre_code, unit_code, opened_at, deadline_at, deadline_clock
), h AS (
    INSERT INTO case_history (case_id, actor_id, from_state, to_state, level, centre_code, transition, reason, deadline_at)
    SELECT c.id, r.reporter_id, NULL, c.state, c.level, c.centre_code,
           CASE WHEN c.state = 'closed' THEN 'closed' ELSE 'reported' END, r.reason, c.deadline_at
    FROM c JOIN e ON e.id = c.event_id JOIN r USING (client_id)
    RETURNING id, case_id, at
), p AS (
    INSERT INTO event_photos (event_id, sha256)
    SELECT e.id, ph.sha256 FROM unnest($19::text[], $20::text[]) AS ph(client_id, sha256)
    JOIN e ON e.client_id = ph.client_id::uuid
), o AS (
    INSERT INTO outbox (subject, payload)
    SELECT r.subject, r.payload || jsonb_build_object('transition_id', h.id, 'case_id', c.id, 'event_id', c.event_id,
               'opened_at', c.opened_at, 'deadline_at', c.deadline_at, 'at', h.at)
    FROM c JOIN h ON h.case_id = c.id JOIN e ON e.id = c.event_id JOIN r USING (client_id)
    UNION ALL
    SELECT r.subject, r.payload || jsonb_build_object('event_id', e.id)
    FROM e JOIN r USING (client_id) WHERE e.unit_code IS NULL
)
SELECT e.client_id::text, e.id, coalesce(c.id, 0) FROM e LEFT JOIN c ON c.event_id = e.id`

// selectExisting finds what earlier sends of these client ids stored.
const selectExisting = `
SELECT e.client_id::text, e.id, e.reporter_id, coalesce(c.id, 0), coalesce(c.state, ''), coalesce(c.level, 0)
FROM events e LEFT JOIN cases c ON c.event_id = e.id
WHERE e.client_id = ANY($1::text[]::uuid[])`

// batchArgs are the columns of insertReports, one array element per report.
type batchArgs struct {
	clientID, category, severity, description, note, state, centre, reason, subject, unitName []string
	payload                                                                                   []string
	deadline                                                                                  []int32
	workingDeadline                                                                           []*time.Time
	deadlineClock                                                                             []string
	reporter                                                                                  []int64
	lon, lat, accuracy, outside                                                               []float64
	happenedAt                                                                                []time.Time
	unit                                                                                      []*string
	onSpot                                                                                    []bool
	level                                                                                     []int16
	photoClient, photoHash                                                                    []string
}

func (a *batchArgs) add(w *write) {
	r := w.report
	var unit *string
	if w.located {
		u := w.loc.Unit().Code
		unit = &u
	}
	a.clientID = append(a.clientID, r.ClientID)
	a.reporter = append(a.reporter, r.ReporterID)
	a.category = append(a.category, r.Category)
	a.severity = append(a.severity, r.Severity)
	a.description = append(a.description, r.Description)
	a.lon, a.lat = append(a.lon, r.Lon), append(a.lat, r.Lat)
	a.accuracy = append(a.accuracy, r.AccuracyM)
	a.happenedAt = append(a.happenedAt, r.HappenedAt)
	a.unit = append(a.unit, unit)
	a.outside = append(a.outside, w.loc.Metres)
	a.onSpot = append(a.onSpot, r.HandledOnSpot)
	a.note = append(a.note, r.OnSpotNote)
	a.state = append(a.state, w.state)
	a.level = append(a.level, int16(w.level))
	a.centre = append(a.centre, w.centre)
	a.reason = append(a.reason, w.reason)
	a.subject = append(a.subject, w.subject)
	a.unitName = append(a.unitName, w.loc.Unit().Name)
	a.deadline = append(a.deadline, int32(w.deadline/time.Second))
	a.workingDeadline = append(a.workingDeadline, w.workingDeadline)
	a.deadlineClock = append(a.deadlineClock, string(w.clock))
	a.payload = append(a.payload, w.outboxPayload())
	for _, h := range r.Photos {
		a.photoClient, a.photoHash = append(a.photoClient, r.ClientID), append(a.photoHash, h)
	}
}

func (a *batchArgs) list() []any {
	return []any{a.clientID, a.reporter, a.category, a.severity, a.description, a.lon, a.lat, a.accuracy,
		a.happenedAt, a.unit, a.outside, a.onSpot, a.note, a.state, a.level, a.centre, a.reason, a.subject,
		a.photoClient, a.photoHash, a.unitName, a.deadline, a.workingDeadline, a.deadlineClock, a.payload}
}

// outboxPayload is the message published for a report once stored: a CaseEvent for a located
// one, an UnlocatedEvent for triage otherwise; insertReports sets its ids and times.
func (w *write) outboxPayload() string {
	var v any = UnlocatedEvent{Category: w.report.Category, Reporter: w.report.ReporterID}
	if w.located {
		ev := CaseEvent{Action: "reported", State: CaseState(w.state), Level: w.level, Centre: w.centre,
			Unit: w.loc.Unit().Code, UnitName: w.loc.Unit().Name, Category: w.report.Category, Severity: w.report.Severity,
			Reporter: w.report.ReporterID, Actor: w.report.ReporterID, Version: 1, Reason: w.reason}
		if ev.State == StateClosed {
			ev.Action = "closed"
		}
		if w.deadline > 0 {
			ev.DeadlineClock = string(w.clock)
		}
		v = ev
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of strings, numbers and times
	}
	return string(b)
}

// ownPhotos counts how many of the hashes the member uploaded.
func ownPhotos(ctx context.Context, pool *pgxpool.Pool, member int64, hashes []string) (int, error) {
	var n int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM photo_uploads WHERE sha256 = ANY($1) AND member_id = $2`, hashes, member).Scan(&n)
	return n, err
}

// clientKey is how PostgreSQL spells a client id (uuid::text): lower case.
func clientKey(id string) string { return strings.ToLower(id) }

// commitBatch stores several reports in one statement, which is its own transaction: one
// round trip and one synchronous commit for the group. A client id that comes twice in the
// batch is written once; its second send is answered like any resend, from what the first
// stored. Resends are read back after the commit: rows once committed are never removed.
func commitBatch(ctx context.Context, pool *pgxpool.Pool, batch []*write) error {
	if err := setWorkingDeadlines(ctx, pool, batch); err != nil {
		return err
	}
	var args batchArgs
	byKey := make(map[string][]*write, len(batch))
	sorted := slices.Clone(batch)
	slices.SortFunc(sorted, func(a, b *write) int {
		return strings.Compare(clientKey(a.report.ClientID), clientKey(b.report.ClientID))
	})
	for _, w := range sorted {
		k := clientKey(w.report.ClientID)
		if len(byKey[k]) == 0 {
			args.add(w)
		}
		byKey[k] = append(byKey[k], w)
	}
	stored, err := insertBatch(ctx, pool, &args, byKey)
	if err != nil {
		return err
	}
	var again []string
	for k, ws := range byKey {
		for i, w := range ws {
			if i > 0 || !stored[k] {
				w.duplicate = true
			}
		}
		if len(ws) > 1 || !stored[k] {
			again = append(again, k)
		}
	}
	if len(again) == 0 {
		return nil
	}
	return readExisting(ctx, pool, again, byKey)
}

// insertBatch runs insertReports and records each new event and case on its first write. The
// rows are read to the end, which is after PostgreSQL has committed (or reported why not).
func insertBatch(ctx context.Context, pool *pgxpool.Pool, args *batchArgs, byKey map[string][]*write) (map[string]bool, error) {
	rows, err := pool.Query(ctx, insertReports, args.list()...)
	if err != nil {
		return nil, fmt.Errorf("store %d reports: %w", len(args.clientID), err)
	}
	defer rows.Close()
	stored := make(map[string]bool, len(byKey))
	for rows.Next() {
		var key string
		var eventID, caseID int64
		if err := rows.Scan(&key, &eventID, &caseID); err != nil {
			return nil, fmt.Errorf("store %d reports: %w", len(args.clientID), err)
		}
		ws := byKey[key]
		if len(ws) == 0 {
			return nil, fmt.Errorf("store %d reports: PostgreSQL returned client id %s, which was not sent", len(args.clientID), key)
		}
		stored[key] = true
		ws[0].receipt.EventID, ws[0].receipt.CaseID = eventID, caseID
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store %d reports: %w", len(args.clientID), err)
	}
	return stored, nil
}

// readExisting answers resends from what the first send of each client id stored.
func readExisting(ctx context.Context, pool *pgxpool.Pool, keys []string, byKey map[string][]*write) error {
	rows, err := pool.Query(ctx, selectExisting, keys)
	if err != nil {
		return fmt.Errorf("read earlier reports: %w", err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var key, state string
		var eventID, reporter, caseID int64
		var level Tier
		if err := rows.Scan(&key, &eventID, &reporter, &caseID, &state, &level); err != nil {
			return fmt.Errorf("read earlier reports: %w", err)
		}
		found++
		for _, w := range byKey[key] {
			if !w.duplicate {
				continue
			}
			if reporter != w.report.ReporterID {
				w.err = ErrClientIDTaken
				continue
			}
			w.receipt.EventID, w.receipt.CaseID, w.receipt.Duplicate = eventID, caseID, true
			if caseID != 0 {
				w.receipt.State, w.receipt.Level = state, level
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read earlier reports: %w", err)
	}
	if found != len(keys) {
		return fmt.Errorf("read earlier reports: %d of %d client ids found", found, len(keys))
	}
	return nil
}
