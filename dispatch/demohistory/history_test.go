package demohistory_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/dispatch/demohistory"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// historyFixture: the small test county with staff at every centre, one village without a
// mediation room (140802001002), and generated history.
type historyFixture struct {
	db      *dbtest.DB
	now     time.Time
	workers []grid.Member
	writer  demohistory.Writer
	bulk    bool // the last load was in bulk
}

func newHistoryFixture(t *testing.T) *historyFixture {
	t.Helper()
	ctx := context.Background()
	fx := &historyFixture{db: dbtest.New(t), now: time.Now()}
	g := grid.NewStore(fx.db.Pool)
	gridtest.Import(t, g)
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE units SET has_centre = false WHERE code = '140802001002'`); err != nil {
		t.Fatal(err)
	}
	for i, s := range []struct {
		unit string
		role grid.Role
	}{
		{"140802001001001", grid.RoleGridWorker}, {"140802001001001", grid.RoleGridWorker}, {"140802001001002", grid.RoleGridWorker},
		{"140802", grid.RoleMediator}, {"140802", grid.RoleMediator}, {"140802001", grid.RoleMediator},
		{"140802002", grid.RoleMediator}, {"140802001001", grid.RoleMediator},
		{"140802", grid.RoleSupervisor}, {"140802001", grid.RoleSupervisor},
	} {
		m, err := g.CreateMember(ctx, "1390000"+string(rune('1'+i/10))+string(rune('0'+i%10))+"00", "员工")
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Assign(ctx, grid.Assignment{MemberID: m.ID, UnitCode: s.unit, Role: s.role}); err != nil {
			t.Fatal(err)
		}
		if s.role == grid.RoleGridWorker {
			fx.workers = append(fx.workers, m)
		}
	}
	return fx
}

func (fx *historyFixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := fx.db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	return n
}

// none fails the test if the query counts any row: each names a way history could differ from
// what the live system writes.
func (fx *historyFixture) none(t *testing.T, what, sql string, args ...any) {
	t.Helper()
	if n := fx.count(t, sql, args...); n != 0 {
		t.Errorf("%s: %d rows", what, n)
	}
}

func TestHistoryIsWhatTheLiveSystemWouldHaveWritten(t *testing.T) {
	fx := newHistoryFixture(t)
	fx.check(t, 2000, "accept", "mediate", "settle", "verify", "rework", "escalate", "urge", "overdue")
	fx.routedAsIntakeWould(t)
}

// The demo county (盐湖区): hundreds of villages, some without a mediation room, and the demo's
// own staff.
func TestHistoryOverTheDemoCounty(t *testing.T) {
	fx := &historyFixture{db: dbtest.New(t), now: time.Now()}
	if _, err := grid.NewStore(fx.db.Pool).LoadDemo(context.Background(), "140802", grid.DemoSeed); err != nil {
		t.Fatal(err)
	}
	fx.check(t, 3000, "accept", "mediate", "settle", "verify", "rework", "escalate", "return", "transfer", "urge", "overdue")
}

// A bulk load drops foreign keys and indexes and makes them again: the schema after it is the
// schema before, even when the load is interrupted.
func TestHistoryBulkLoadRestoresTheSchema(t *testing.T) {
	fx := newHistoryFixture(t)
	before := schemaOf(t, fx.db.Pool)
	fx.writer = demohistory.Writer{Bulk: demohistory.BulkAlways, Conns: 3}
	fx.check(t, 1500, "accept", "mediate", "settle", "verify", "escalate")
	if after := schemaOf(t, fx.db.Pool); !reflect.DeepEqual(before, after) {
		t.Fatalf("schema before:\n%v\nafter:\n%v", before, after)
	}
	if !fx.bulk {
		t.Fatal("not loaded in bulk")
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := demohistory.Load(ctx, fx.db.Pool, demohistory.Options{Cases: 1500, Days: 100, Seed: 8, Now: fx.now},
		demohistory.Writer{Bulk: demohistory.BulkAlways, Progress: func(days, of int) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted load: %v", err)
	}
	if after := schemaOf(t, fx.db.Pool); !reflect.DeepEqual(before, after) {
		t.Fatalf("schema before:\n%v\nafter the interrupted load:\n%v", before, after)
	}
}

// schemaOf lists the constraints and indexes of events, cases and case_history, and
// case_history's comment.
func schemaOf(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
		FROM pg_constraint WHERE conrelid IN ('events'::regclass, 'cases'::regclass, 'case_history'::regclass)
		UNION ALL
		SELECT regexp_replace(indexdef, ' ON \S+\.', ' ON ') FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename IN ('events', 'cases', 'case_history')
		UNION ALL
		SELECT 'comment ' || coalesce(obj_description('case_history'::regclass, 'pg_class'), '')
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 25 {
		t.Fatalf("schema: %v", list)
	}
	return list
}

// check generates n cases of history and checks every row is one the live system could have
// written, and that the whole looks like a county's two years.
func (fx *historyFixture) check(t *testing.T, n int, transitions ...string) {
	t.Helper()
	ctx := context.Background()
	res, err := demohistory.Load(ctx, fx.db.Pool, demohistory.Options{Cases: n, Days: 730, Seed: 7, Now: fx.now}, fx.writer)
	if err != nil {
		t.Fatal(err)
	}
	fx.bulk = res.Bulk
	if received := fx.count(t, `SELECT coalesce(sum(received), 0) FROM case_stats WHERE category = '' AND span = 'm' AND level = 1`); received != n {
		t.Errorf("the dashboard's figures count %d cases received; want %d", received, n)
	}
	if res.Cases != int64(n) || fx.count(t, `SELECT count(*) FROM cases`) != n || fx.count(t, `SELECT count(*) FROM events`) != n ||
		int64(fx.count(t, `SELECT count(*) FROM case_history`)) != res.Rows {
		t.Fatalf("wrote %+v", res)
	}
	fx.none(t, "events without exactly one case", `SELECT count(*) FROM events e WHERE (SELECT count(*) FROM cases c WHERE c.event_id = e.id) <> 1`)
	fx.none(t, "case messages in the outbox", `SELECT count(*) FROM outbox WHERE subject LIKE 'case.%'`)
	fx.none(t, "version is not the number of history rows", `SELECT count(*) FROM cases c
		WHERE version <> (SELECT count(*) FROM case_history h WHERE h.case_id = c.id)`)
	fx.none(t, "case differs from its last history row", `SELECT count(*) FROM cases c JOIN LATERAL (
			SELECT * FROM case_history h WHERE h.case_id = c.id ORDER BY id DESC LIMIT 1) h ON true
		WHERE h.to_state <> c.state OR h.level <> c.level OR h.centre_code <> c.centre_code
		   OR h.deadline_at IS DISTINCT FROM c.deadline_at OR (c.state = 'closed') <> (c.closed_at = h.at)
		   OR (c.state = 'closed') <> (c.closed_at IS NOT NULL)`)
	fx.none(t, "first row is not the report", `SELECT count(*) FROM cases c JOIN events e ON e.id = c.event_id
		JOIN LATERAL (SELECT * FROM case_history h WHERE h.case_id = c.id ORDER BY id LIMIT 1) h ON true
		WHERE h.at <> c.opened_at OR e.received_at <> c.opened_at OR e.happened_at > e.received_at
		   OR h.from_state IS NOT NULL OR h.from_level IS NOT NULL OR h.actor_id <> e.reporter_id
		   OR h.transition <> CASE WHEN e.handled_on_spot THEN 'closed' ELSE 'reported' END
		   OR e.severity <> c.severity OR e.unit_code <> c.unit_code`)
	fx.none(t, "a row does not follow from the one before (time, state, tier, deadline)", `SELECT count(*) FROM (
		SELECT h.*, lag(at) OVER w AS p_at, lag(to_state) OVER w AS p_state, lag(level) OVER w AS p_level,
		       lag(deadline_at) OVER w AS p_deadline, row_number() OVER w AS i
		FROM case_history h WINDOW w AS (PARTITION BY case_id ORDER BY id)) h
		WHERE i > 1 AND (at <= p_at OR from_state <> p_state OR from_level <> p_level
		   OR (transition IN ('accept', 'mediate', 'urge', 'overdue') AND deadline_at IS DISTINCT FROM p_deadline)
		   OR (transition IN ('escalate', 'return', 'transfer', 'rework') AND deadline_at <= at))`)
	fx.none(t, "rows after now", `SELECT count(*) FROM case_history WHERE at > $1`, fx.now)
	fx.none(t, "settle rows carry the outcome, no other row does", `SELECT count(*) FROM case_history
		WHERE (transition = 'settle') <> (outcome IS NOT NULL)`)
	fx.none(t, "case outcome, rework count or urged_at wrong", `SELECT count(*) FROM cases c
		WHERE rework_count <> (SELECT count(*) FROM case_history h WHERE h.case_id = c.id AND transition = 'rework')
		   OR urged_at IS DISTINCT FROM (SELECT max(at) FROM case_history h WHERE h.case_id = c.id AND transition = 'urge')
		   OR outcome IS DISTINCT FROM CASE WHEN state = 'verifying' OR state = 'closed' AND level < 4 THEN
		          (SELECT outcome FROM case_history s WHERE s.case_id = c.id AND s.transition = 'settle' ORDER BY id DESC LIMIT 1) END`)
	fx.none(t, "deadline set while verifying or closed, or missing while open", `SELECT count(*) FROM cases
		WHERE (deadline_at IS NULL) <> (state IN ('verifying', 'closed'))`)
	fx.none(t, "open past its deadline and not flagged (the timer would fire at startup)", `SELECT count(*) FROM cases
		WHERE state IN ('queued', 'accepted', 'mediating') AND deadline_at <= $1 AND overdue_at IS NULL`, fx.now)
	fx.none(t, "late does not match the timer's rows", `SELECT count(*) FROM cases c
		WHERE late <> EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id AND h.actor_id IS NULL
		                      AND h.transition <> 'close_unverified')`)
	fx.none(t, "the timer's rows", `SELECT count(*) FROM case_history h JOIN cases c ON c.id = h.case_id
		JOIN events e ON e.id = c.event_id JOIN categories k ON k.code = e.category
		WHERE (h.actor_id IS NULL) <> (h.transition IN ('overdue', 'close_unverified') OR h.reason = '逾期未办结，自动上报')
		   OR (h.actor_id IS NULL AND (h.deadline_at IS NULL AND h.transition = 'overdue'
		       OR h.transition = 'escalate' AND NOT (k.auto_escalate AND h.from_level > 1)
		       OR h.transition = 'overdue' AND k.auto_escalate AND h.level > 1))`)
	fx.none(t, "overdue_at is not the last overdue row", `SELECT count(*) FROM cases c
		WHERE overdue_at IS NOT NULL AND overdue_at <> (SELECT max(at) FROM case_history h WHERE h.case_id = c.id AND transition = 'overdue')`)
	fx.none(t, "centre is not a centre of the tier above the case's unit (or a neighbour it was transferred to)", `SELECT count(*)
		FROM case_history h JOIN cases c ON c.id = h.case_id JOIN units u ON u.code = h.centre_code
		WHERE h.level < 4 AND (u.level <> h.level OR NOT u.has_centre
		   OR h.centre_code <> left(c.unit_code, length(h.centre_code)) AND NOT EXISTS (SELECT 1 FROM case_history t
		      WHERE t.case_id = h.case_id AND t.transition = 'transfer' AND t.centre_code = h.centre_code AND t.id <= h.id)
		   OR h.transition = 'transfer' AND u.parent_code <> left(c.unit_code, length(u.parent_code)))`)
	fx.none(t, "on-the-spot case not closed at the grid", `SELECT count(*) FROM cases c JOIN events e ON e.id = c.event_id
		WHERE e.handled_on_spot <> (c.level = 4) OR c.level = 4 AND (c.state <> 'closed' OR c.version <> 1 OR c.outcome IS NOT NULL
		   OR c.centre_code <> left(c.unit_code, least(15, length(c.unit_code))))`)
	fx.none(t, "escalation not one centre up, return not one down", `SELECT count(*) FROM case_history h JOIN cases c ON c.id = h.case_id
		WHERE h.transition = 'escalate' AND (h.level >= h.from_level OR EXISTS (SELECT 1 FROM units u
		        WHERE u.code = left(c.unit_code, length(u.code)) AND u.level > h.level AND u.level < h.from_level AND u.has_centre))
		   OR h.transition = 'return' AND h.level <= h.from_level`)
	fx.none(t, "actor is not a mediator of the centre the case was at", `SELECT count(*) FROM (
		SELECT h.*, lag(centre_code) OVER (PARTITION BY case_id ORDER BY id) AS p_centre FROM case_history h) h
		WHERE h.actor_id IS NOT NULL AND h.transition IN ('accept', 'mediate', 'settle', 'escalate', 'return', 'transfer')
		  AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.member_id = h.actor_id AND a.role = 'mediator' AND a.unit_code = h.p_centre)`)
	fx.none(t, "reporter's own rows not by the reporter, or the reporter not a grid worker", `SELECT count(*) FROM case_history h
		JOIN cases c ON c.id = h.case_id JOIN events e ON e.id = c.event_id
		WHERE h.transition IN ('reported', 'closed') AND h.actor_id <> e.reporter_id
		   OR h.transition IN ('verify', 'rework') AND h.actor_id <> e.reporter_id AND NOT EXISTS (SELECT 1 FROM assignments a
		      WHERE a.member_id = h.actor_id AND (a.role = 'mediator' AND a.unit_code = h.centre_code
		            OR a.role = 'grid_leader' AND starts_with(c.unit_code, a.unit_code)))
		   OR NOT EXISTS (SELECT 1 FROM assignments a WHERE a.member_id = e.reporter_id AND a.role = 'grid_worker')`)
	fx.none(t, "verified by staff before the reporter's time ran out, or closed unverified before it lapsed", `SELECT count(*)
		FROM case_history h JOIN cases c ON c.id = h.case_id JOIN events e ON e.id = c.event_id
		JOIN categories k ON k.code = e.category
		JOIN LATERAL (SELECT s.at FROM case_history s WHERE s.case_id = h.case_id AND s.transition = 'settle' AND s.id < h.id
		              ORDER BY s.id DESC LIMIT 1) s ON true
		WHERE h.transition = 'verify' AND h.actor_id <> e.reporter_id AND h.at < s.at + make_interval(secs => k.verify_deadline_s)
		   OR h.transition = 'close_unverified' AND h.at < s.at + make_interval(secs => 2 * k.verify_deadline_s)
		   OR h.transition IN ('verify', 'rework') AND h.at >= s.at + make_interval(secs => 2 * k.verify_deadline_s)`)
	fx.none(t, "urged by someone not supervising the place", `SELECT count(*) FROM case_history h JOIN cases c ON c.id = h.case_id
		WHERE h.transition = 'urge' AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.member_id = h.actor_id
		      AND a.role = 'supervisor' AND starts_with(c.unit_code, a.unit_code))`)
	fx.none(t, "event located outside its unit", `SELECT count(*) FROM events e JOIN units u ON u.code = e.unit_code
		WHERE NOT ST_Covers(u.geom, e.location)`)
	fx.none(t, "handled on the spot though the category may not be", `SELECT count(*) FROM events e JOIN categories k ON k.code = e.category
		WHERE e.handled_on_spot AND NOT k.grid_may_close`)

	// Transitions the state machine allows, and where each leaves the case.
	rows, err := fx.db.Pool.Query(ctx, `SELECT DISTINCT transition, from_state, to_state FROM case_history WHERE from_state IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]string{"accept": "accepted", "mediate": "mediating", "settle": "verifying", "verify": "closed",
		"close_unverified": "closed",
		"rework":           "accepted", "escalate": "queued", "return": "queued", "transfer": "queued"}
	seen := map[string]bool{}
	for rows.Next() {
		var tr, from, state string
		if err := rows.Scan(&tr, &from, &state); err != nil {
			t.Fatal(err)
		}
		seen[tr] = true
		want, moves := to[tr]
		if !moves {
			want = from
		}
		if !dispatch.Allowed(dispatch.Action(tr), dispatch.CaseState(from)) || state != want {
			t.Errorf("%s from %s to %s", tr, from, state)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, tr := range transitions {
		if !seen[tr] {
			t.Errorf("no %s in %d cases", tr, n)
		}
	}

	// The shape of it: about 95% closed, a quarter on the spot, most of the rest at the village.
	share := func(sql string) float64 { return float64(fx.count(t, sql)) / float64(n) }
	for _, c := range []struct {
		what      string
		sql       string
		low, high float64
	}{
		{"closed", `SELECT count(*) FROM cases WHERE state = 'closed'`, 0.92, 0.98},
		{"handled on the spot", `SELECT count(*) FROM cases WHERE level = 4`, 0.20, 0.30},
		{"closed at the village", `SELECT count(*) FROM cases WHERE state = 'closed' AND level = 3`, 0.30, 0.60},
		{"closed at the county", `SELECT count(*) FROM cases WHERE state = 'closed' AND level = 1`, 0.005, 0.10},
		{"reworked", `SELECT count(*) FROM cases WHERE rework_count > 0`, 0.01, 0.08},
		{"late", `SELECT count(*) FROM cases WHERE late`, 0.01, 0.15},
		{"disputes", `SELECT count(*) FROM events e JOIN categories k ON k.code = e.category WHERE k.group_code = 'dispute'`, 0.30, 0.55},
		{"reported on a Sunday", `SELECT count(*) FROM events WHERE extract(isodow FROM received_at AT TIME ZONE 'Asia/Shanghai') = 7`, 0.05, 0.12},
	} {
		s := share(c.sql)
		t.Logf("%s: %.3f", c.what, s)
		if s < c.low || s > c.high {
			t.Errorf("%s: %.3f of cases; want %.3f to %.3f", c.what, s, c.low, c.high)
		}
	}
	recent := float64(fx.count(t, `SELECT count(*) FROM cases WHERE state <> 'closed' AND opened_at > $1`, fx.now.AddDate(0, 0, -14))) /
		float64(fx.count(t, `SELECT count(*) FROM cases WHERE opened_at > $1`, fx.now.AddDate(0, 0, -14)))
	// About 40 cases of 2,000 fall in the last two weeks, so the share swings with the moment the
	// test runs: 0.12 to 0.31 over a week of moments (0.15, the bound before issue 18, failed at
	// a third of them, the code before and after the move alike). History that closed all but
	// its stuck cases would be near 0.05.
	if recent < 0.10 {
		t.Errorf("only %.2f of the last two weeks' cases are open", recent)
	}

	// The live timer finds nothing to do, but for deadlines that passed since the generation's now.
	due := fx.count(t, `SELECT count(*) FROM cases WHERE deadline_at > $1 AND deadline_at <= now() AND overdue_at IS NULL`, fx.now)
	if got, err := dispatch.EscalateDue(ctx, fx.db.Pool, 500); err != nil || got != due {
		t.Fatalf("the timer handled %d cases (%v); want %d", got, err, due)
	}
}

// routedAsIntakeWould reports again, through the live intake, one event of each place and
// category the history has, and checks the intake starts it where the history did, with the
// same note.
func (fx *historyFixture) routedAsIntakeWould(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	loc, err := grid.NewStore(fx.db.Pool).NewLocator(ctx, grid.DefaultNearMetres)
	if err != nil {
		t.Fatal(err)
	}
	in := dispatch.NewIntake(fx.db.Pool, loc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := in.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rows, err := fx.db.Pool.Query(ctx, `SELECT DISTINCT ON (e.unit_code, e.category) e.category, ST_X(e.location), ST_Y(e.location),
		h.level, h.centre_code, h.reason, e.unit_code
		FROM events e JOIN cases c ON c.event_id = e.id JOIN case_history h ON h.case_id = c.id AND h.transition = 'reported'
		ORDER BY e.unit_code, e.category, e.id`)
	if err != nil {
		t.Fatal(err)
	}
	type first struct {
		category, centre, reason, unit string
		lon, lat                       float64
		level                          dispatch.Tier
	}
	var firsts []first
	for rows.Next() {
		var f first
		if err := rows.Scan(&f.category, &f.lon, &f.lat, &f.level, &f.centre, &f.reason, &f.unit); err != nil {
			t.Fatal(err)
		}
		firsts = append(firsts, f)
	}
	if rows.Err() != nil || len(firsts) < 50 {
		t.Fatalf("%d places and categories (%v)", len(firsts), rows.Err())
	}
	units := map[string]bool{}
	for _, f := range firsts {
		units[f.unit] = true
		rc, err := in.Submit(ctx, dispatch.Report{ClientID: uuid.NewString(), ReporterID: fx.workers[0].ID, Category: f.category,
			Severity: "normal", Description: "核对", Lon: f.lon, Lat: f.lat, AccuracyM: 5, HappenedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		var centre, reason string
		if err := fx.db.Pool.QueryRow(ctx, `SELECT centre_code, reason FROM case_history WHERE case_id = $1`, rc.CaseID).Scan(&centre, &reason); err != nil {
			t.Fatal(err)
		}
		if rc.Location.Unit().Code != f.unit || rc.Level != f.level || centre != f.centre || reason != f.reason {
			t.Errorf("%s at %s: history started at tier %d, %s (%q); intake at %d, %s (%q) in %s", f.category, f.unit,
				f.level, f.centre, f.reason, rc.Level, centre, reason, rc.Location.Unit().Code)
		}
	}
	if len(units) != 5 {
		t.Errorf("events in %d of the 5 leaves", len(units))
	}
}

// The same world, options and seed give the same history; another seed another.
func TestHistoryIsDeterministic(t *testing.T) {
	fx := newHistoryFixture(t)
	world, err := demohistory.ReadWorld(context.Background(), fx.db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	days := func(seed uint64) []demohistory.Day {
		h, err := demohistory.New(world, demohistory.Options{Cases: 3000, Days: 100, Seed: seed, Now: fx.now})
		if err != nil {
			t.Fatal(err)
		}
		var out []demohistory.Day
		for i := range h.Days() {
			d := h.Day(i)
			d.Number(demohistory.IDs{Event: 10, Case: 20, Row: 30})
			out = append(out, d)
		}
		return out
	}
	a, b, c := days(1), days(1), days(2)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two generations with seed 1 differ")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("seeds 1 and 2 gave the same history")
	}
}

// Volume follows the calendar: summer harvest burning, disputes around the Spring Festival.
func TestHistorySeasons(t *testing.T) {
	fx := newHistoryFixture(t)
	world, err := demohistory.ReadWorld(context.Background(), fx.db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	h, err := demohistory.New(world, demohistory.Options{Cases: 200_000, Days: 730, Seed: 3, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	byMonth := map[string]map[time.Month]int{}
	cases := 0
	for i := range h.Days() {
		d := h.Day(i)
		cases += len(d.Cases)
		for _, e := range d.Events {
			k := e.Category
			if byMonth[k] == nil {
				byMonth[k] = map[time.Month]int{}
			}
			byMonth[k][e.ReceivedAt.In(time.FixedZone("CST", 8*3600)).Month()]++
		}
	}
	if cases != 200_000 {
		t.Fatalf("%d cases", cases)
	}
	ratio := func(k string, a, b time.Month) float64 {
		return float64(byMonth[k][a]) / math.Max(1, float64(byMonth[k][b]))
	}
	for _, c := range []struct {
		category string
		peak     time.Month
		low      time.Month
		min      float64
	}{
		{"straw_burning", time.June, time.March, 5},
		{"flood", time.July, time.December, 5},
		{"heating", time.January, time.July, 10},
		{"marriage_family", time.February, time.May, 1.25}, // Spring Festivals 2025-01-29, 2026-02-17
	} {
		if r := ratio(c.category, c.peak, c.low); r < c.min {
			t.Errorf("%s: %s/%s = %.1f; want at least %.1f", c.category, c.peak, c.low, r, c.min)
		}
	}
}
