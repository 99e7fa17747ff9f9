package dispatch_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

func uuid(t testing.TB) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

type intakeFixture struct {
	db     *dbtest.DB
	intake *dispatch.Intake
	worker grid.Member
	other  grid.Member
}

// newIntake stores the small test grid (grid/testdata) with a grid worker, and starts an intake.
func newIntake(t *testing.T) intakeFixture {
	t.Helper()
	db := dbtest.New(t)
	ctx := context.Background()
	g := grid.NewStore(db.Pool)
	gridtest.Import(t, g)
	var fx intakeFixture
	fx.db = db
	for i, phone := range []string{"13900000001", "13900000002"} {
		m, err := g.CreateMember(ctx, phone, "网格员")
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Assign(ctx, grid.Assignment{MemberID: m.ID, UnitCode: "140802001001001", Role: grid.RoleGridWorker}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			fx.worker = m
		} else {
			fx.other = m
		}
	}
	loc, err := g.NewLocator(ctx, grid.DefaultNearMetres)
	if err != nil {
		t.Fatal(err)
	}
	fx.intake = dispatch.NewIntake(db.Pool, loc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := fx.intake.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fx.intake.Close)
	return fx
}

func (fx intakeFixture) report(t testing.TB) dispatch.Report {
	return dispatch.Report{ClientID: uuid(t), ReporterID: fx.worker.ID, Category: "neighbour", Severity: "normal",
		Description: "两户因排水沟发生争执", Lon: 111.02, Lat: 35.02, AccuracyM: 8, HappenedAt: time.Now().Add(-time.Hour)}
}

func count(t *testing.T, pool *pgxpool.Pool, sql string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIntakeStoresAReportOnce(t *testing.T) {
	t.Parallel()
	fx := newIntake(t)
	ctx := context.Background()
	r := fx.report(t)
	got, err := fx.intake.Submit(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if got.CaseID == 0 || !got.Located || got.State != "queued" || got.Level != 3 ||
		got.Location.Unit().Code != "140802001001001001" || got.Location.Units[grid.Village].Name != "东阜村" || got.Duplicate {
		t.Fatalf("receipt: %+v (unit %+v)", got, got.Location.Unit())
	}
	var centre, state string
	err = fx.db.Pool.QueryRow(ctx, `SELECT centre_code, state FROM cases WHERE id = $1`, got.CaseID).Scan(&centre, &state)
	if err != nil || centre != "140802001001" || state != "queued" {
		t.Fatalf("case row: centre %s state %s err %v; want the village centre 140802001001", centre, state, err)
	}

	again, err := fx.intake.Submit(ctx, r)
	if err != nil || !again.Duplicate || again.CaseID != got.CaseID || again.EventID != got.EventID || again.State != "queued" {
		t.Fatalf("resend: %+v %v; want the same case marked duplicate", again, err)
	}
	for table, want := range map[string]int{"events": 1, "cases": 1, "case_history": 1, "outbox WHERE subject LIKE 'case.reported.140802.001.001.001.001'": 1} {
		if n := count(t, fx.db.Pool, "SELECT count(*) FROM "+table); n != want {
			t.Errorf("%s: %d rows; want %d", table, n, want)
		}
	}

	r.ReporterID = fx.other.ID
	if _, err := fx.intake.Submit(ctx, r); !errors.Is(err, dispatch.ErrClientIDTaken) {
		t.Fatalf("someone else's client id: %v", err)
	}
}

func TestIntakeRoutes(t *testing.T) {
	t.Parallel()
	fx := newIntake(t)
	ctx := context.Background()
	cases := []struct {
		name     string
		change   func(*dispatch.Report)
		located  bool
		state    string
		level    dispatch.Tier
		unit     string
		outbox   string
		outsideM bool
	}{
		{"township-level category", func(r *dispatch.Report) { r.Category = "land_requisition" }, true, "queued", 2, "140802001001001001", "case.reported.140802.001.001.001.001", false},
		{"handled on the spot", func(r *dispatch.Report) {
			r.Category = "street_light"
			r.HandledOnSpot = true
			r.OnSpotNote = "已更换灯泡"
		}, true, "closed", 4, "140802001001001001", "case.closed.140802.001.001.001.001", false},
		{"township without villages", func(r *dispatch.Report) { r.Lon, r.Lat = 111.15, 35.1 }, true, "queued", 2, "140802002", "case.reported.140802.002", false},
		{"GPS drift outside the county", func(r *dispatch.Report) { r.Lon = 111.0 - 20/(111_195*math.Cos(35.02*math.Pi/180)) }, true, "queued", 3, "140802001001001001", "", true},
		{"outside the grid", func(r *dispatch.Report) { r.Lon, r.Lat = 116.4, 39.9 }, false, "", 0, "", "event.unlocated", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := fx.report(t)
			tc.change(&r)
			got, err := fx.intake.Submit(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if got.Located != tc.located || got.State != tc.state || got.Level != tc.level || got.Location.Unit().Code != tc.unit ||
				(got.Location.Metres > 0) != tc.outsideM || (got.CaseID != 0) != tc.located || got.EventID == 0 {
				t.Fatalf("receipt %+v unit %q", got, got.Location.Unit().Code)
			}
			if tc.outbox != "" {
				n := count(t, fx.db.Pool, fmt.Sprintf(`SELECT count(*) FROM outbox WHERE subject = '%s' AND (payload->>'event_id')::bigint = %d`, tc.outbox, got.EventID))
				if n != 1 {
					t.Fatalf("outbox %s for event %d: %d rows", tc.outbox, got.EventID, n)
				}
			}
		})
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM events WHERE unit_code IS NULL`); n != 1 {
		t.Fatalf("unlocated events kept for triage: %d; want 1", n)
	}
}

func TestIntakeRefusesBadReports(t *testing.T) {
	t.Parallel()
	fx := newIntake(t)
	ctx := context.Background()
	cases := []struct {
		field  string
		change func(*dispatch.Report)
	}{
		{"client_id", func(r *dispatch.Report) { r.ClientID = "not-a-uuid" }},
		{"category", func(r *dispatch.Report) { r.Category = "alien_landing" }},
		{"severity", func(r *dispatch.Report) { r.Severity = "apocalyptic" }},
		{"description", func(r *dispatch.Report) { r.Description = "" }},
		{"description", func(r *dispatch.Report) { r.Description = strings.Repeat("字", dispatch.MaxDescriptionChars+1) }},
		{"lon", func(r *dispatch.Report) { r.Lon = math.NaN() }},
		{"lat", func(r *dispatch.Report) { r.Lat = 91 }},
		{"accuracy_m", func(r *dispatch.Report) { r.AccuracyM = -1 }},
		{"happened_at", func(r *dispatch.Report) { r.HappenedAt = time.Now().Add(time.Hour) }},
		{"happened_at", func(r *dispatch.Report) { r.HappenedAt = time.Time{} }},
		{"handled_on_spot", func(r *dispatch.Report) { r.Category = "land_requisition"; r.HandledOnSpot = true }},
		{"reporter", func(r *dispatch.Report) { r.ReporterID = 0 }},
		{"events_reporter_id", func(r *dispatch.Report) { r.ReporterID = 999_999 }},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			r := fx.report(t)
			tc.change(&r)
			_, err := fx.intake.Submit(ctx, r)
			var ve *dispatch.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field || !errors.Is(err, dispatch.ErrInvalidReport) {
				t.Fatalf("error %v; want a validation error on %s", err, tc.field)
			}
		})
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM events`); n != 0 {
		t.Fatalf("bad reports stored %d events", n)
	}
}

// TestIntakeGroupsConcurrentReports sends 300 reports at once, plus resends of 50 of them,
// and checks each is stored exactly once.
func TestIntakeGroupsConcurrentReports(t *testing.T) {
	t.Parallel()
	fx := newIntake(t)
	ctx := context.Background()
	reports := make([]dispatch.Report, 300)
	for i := range reports {
		reports[i] = fx.report(t)
	}
	all := append(append([]dispatch.Report{}, reports...), reports[:50]...)
	receipts := make([]dispatch.Receipt, len(all))
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for i, r := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			receipts[i], errs[i] = fx.intake.Submit(ctx, r)
		}()
	}
	wg.Wait()
	cases := map[int64]string{}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
		id := receipts[i].CaseID
		if prev, ok := cases[id]; ok && prev != all[i].ClientID {
			t.Fatalf("case %d given to two client ids", id)
		}
		cases[id] = all[i].ClientID
	}
	if len(cases) != 300 {
		t.Fatalf("%d distinct cases; want 300", len(cases))
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM cases`); n != 300 {
		t.Fatalf("%d cases stored; want 300", n)
	}
	st := fx.intake.Stats()
	t.Logf("%d reports in %d commits", st.Reports, st.Commits)
	if st.Reports != int64(len(all)) || st.Commits >= st.Reports {
		t.Fatalf("stats %+v: %d concurrent reports were not grouped into fewer commits", st, len(all))
	}
}

// TestIntakeWithoutDatabaseIsRetryable loses the database under a running intake: the phone
// must be told to keep the report and send it again, and nothing half-stored may remain.
func TestIntakeWithoutDatabaseIsRetryable(t *testing.T) {
	t.Parallel()
	fx := newIntake(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, fx.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	g := grid.NewStore(fx.db.Pool)
	loc, err := g.NewLocator(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	in := dispatch.NewIntake(pool, loc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := in.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	pool.Close()
	r := fx.report(t)
	if _, err := in.Submit(ctx, r); !errors.Is(err, dispatch.ErrRetryable) {
		t.Fatalf("submit with the database gone: %v; want ErrRetryable", err)
	}
	// The same report, resent once the database is back, is stored once.
	if got, err := fx.intake.Submit(ctx, r); err != nil || got.Duplicate {
		t.Fatalf("resend: %+v %v", got, err)
	}
}

// TestIntakeFailsBatchesWholeForTheDatabasesSake: when a batch fails for the database's sake
// (here: the events table locked, and the intake's connections give up waiting after 50 ms),
// its reports are answered retryable at once instead of being tried again report by report,
// which kept phones waiting while PostgreSQL was down (docs/faults.md). Tried report by
// report, 200 reports would take at least 200 attempts; batch by batch, a handful.
func TestIntakeFailsBatchesWholeForTheDatabasesSake(t *testing.T) {
	t.Parallel()
	fx := newIntake(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, fx.db.URL+"&lock_timeout=50ms")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	loc, err := grid.NewStore(fx.db.Pool).NewLocator(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	in := dispatch.NewIntake(pool, loc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := in.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := in.Categories(ctx); err != nil { // read before the lock
		t.Fatal(err)
	}
	lock, err := fx.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx)
	if _, err := lock.Exec(ctx, `LOCK TABLE events IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	const n = 200
	errs := make(chan error, n)
	for range n {
		r := fx.report(t)
		go func() { _, err := in.Submit(ctx, r); errs <- err }()
	}
	for range n {
		if err := <-errs; !errors.Is(err, dispatch.ErrRetryable) {
			t.Fatalf("submit with the events locked: %v; want ErrRetryable", err)
		}
	}
	if st := in.Stats(); st.Attempts >= n || st.Commits != 0 {
		t.Fatalf("%d reports took %d attempts (%d commits); want one attempt per batch", n, st.Attempts, st.Commits)
	}
}

// TestIntakeClientIDOfTwoMembersAtOnce sends one client id from two members at the same time,
// so that both often land in one batch: one of them is stored, as new; the other is refused,
// never handed the first one's case.
func TestIntakeClientIDOfTwoMembersAtOnce(t *testing.T) {
	t.Parallel()
	fx := newIntake(t)
	ctx := context.Background()
	const rounds = 20
	for i := range rounds {
		mine := fx.report(t)
		theirs := mine
		theirs.ReporterID = fx.other.ID
		var receipts [2]dispatch.Receipt
		var errs [2]error
		var wg sync.WaitGroup
		for j, r := range []dispatch.Report{mine, theirs} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				receipts[j], errs[j] = fx.intake.Submit(ctx, r)
			}()
		}
		wg.Wait()
		stored, refused := 0, 0
		for j := range 2 {
			switch {
			case errs[j] == nil && !receipts[j].Duplicate && receipts[j].CaseID != 0:
				stored++
			case errors.Is(errs[j], dispatch.ErrClientIDTaken):
				refused++
			default:
				t.Fatalf("round %d, member %d: receipt %+v, error %v", i, j, receipts[j], errs[j])
			}
		}
		if stored != 1 || refused != 1 {
			t.Fatalf("round %d: %d stored, %d refused; want one of each", i, stored, refused)
		}
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM events`); n != rounds {
		t.Fatalf("%d events; want %d", n, rounds)
	}
}
