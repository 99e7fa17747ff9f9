package web_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/dispatch/dispatchtest"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
	"github.com/griddispatch/griddispatch/web"
)

// fixture is a real server on a schema of its own holding the small test county, with the
// grid worker 13900000001 of grid 140802001001001 signed in (token). newFixture's options add
// what a test needs: the bus (withLive), members (withMember), a built app (withBrowser).
type fixture struct {
	base, ws string
	g        *grid.Store
	auth     *web.Auth
	token    string // of the grid worker 13900000001 at grid 140802001001001
	dataDir  string
	pool     *pgxpool.Pool
	db       *dbtest.DB
	intake   *dispatch.Intake
	srv      *web.Server
	bus      *dispatch.Bus     // withLive only
	live     *grid.LiveLocator // withLiveLocator only

	mu     sync.Mutex
	tokens map[string]string // by phone, of every member the fixture signed in
	ids    map[string]int64  // by phone
}

type fixtureSpec struct {
	live, liveLocator bool
	quietBus          bool // the bus without the relay and the stats applier
	apps              []string
	configure         []func(*web.Config)
	tune              func(*web.Server)
	members           []fixtureMember
}

type fixtureMember struct {
	phone, unit string
	role        grid.Role
}

// fixtureOption asks newFixture for one more thing.
type fixtureOption func(*fixtureSpec)

// withLive runs an in-process NATS server with its bus wired into the server, and the outbox
// relay and the stats applier, so committed transitions reach phones, consoles and dashboards
// live.
func withLive() fixtureOption { return func(s *fixtureSpec) { s.live = true } }

// withQuietBus wires a bus into the server like withLive, but runs neither the relay nor the
// stats applier: only the test publishes on it, so the test says which cases and units changed.
func withQuietBus() fixtureOption {
	return func(s *fixtureSpec) { s.live, s.quietBus = true, true }
}

// withConfig adjusts the server's config before the server is made.
func withConfig(configure func(*web.Config)) fixtureOption {
	return func(s *fixtureSpec) { s.configure = append(s.configure, configure) }
}

// withTune puts a hand on the server before it opens (shorter timeouts, fewer connections).
func withTune(tune func(*web.Server)) fixtureOption {
	return func(s *fixtureSpec) { s.tune = tune }
}

// withLiveLocator locates with a live locator (fx.live) that rebuilds after a grid import.
func withLiveLocator() fixtureOption { return func(s *fixtureSpec) { s.liveLocator = true } }

// withMember signs in one more member with one role; fx.tokens[phone] is their token.
func withMember(phone, unit string, role grid.Role) fixtureOption {
	return func(s *fixtureSpec) { s.members = append(s.members, fixtureMember{phone, unit, role}) }
}

// withBrowser is for tests that drive apps (phone, console, dashboard, admin) in Chromium: it
// skips them under GRIDDISPATCH_SKIP_BROWSER=1 before anything is set up, and fails them if
// Chromium, the npm packages or a built app are missing.
func withBrowser(apps ...string) fixtureOption { return func(s *fixtureSpec) { s.apps = apps } }

// newFixture serves the small test county with the grid worker signed in, and what opts ask for.
func newFixture(t *testing.T, opts ...fixtureOption) *fixture {
	t.Helper()
	var spec fixtureSpec
	for _, o := range opts {
		o(&spec)
	}
	if len(spec.apps) > 0 {
		needBrowser(t, spec.apps...)
	}
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var bus *dispatch.Bus
	if spec.live {
		var err error
		if bus, err = dispatch.ConnectInProcess(ctx, dispatchtest.NATS(t), logger); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(bus.Close)
		if err := bus.EnsureStreams(ctx); err != nil {
			t.Fatal(err)
		}
	}
	db := dbtest.New(t)
	fx := &fixture{g: grid.NewStore(db.Pool), dataDir: t.TempDir(), pool: db.Pool, db: db, bus: bus,
		tokens: map[string]string{}, ids: map[string]int64{}}
	gridtest.Import(t, fx.g)
	var loc web.Locator
	if spec.liveLocator {
		fx.live = fx.g.NewLiveLocator(grid.DefaultNearMetres, logger)
		if err := fx.live.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fx.live.Close)
		loc = fx.live
	} else {
		static, err := fx.g.NewLocator(ctx, grid.DefaultNearMetres)
		if err != nil {
			t.Fatal(err)
		}
		loc = static
	}
	fx.intake = dispatch.NewIntake(db.Pool, loc, logger)
	if err := fx.intake.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fx.intake.Close)
	fx.auth = web.NewAuth(db.Pool, fx.g)
	mediations, err := dispatch.NewMediations(db.Pool, testSealKey) // the mediation record (mediation_test.go)
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{Auth: fx.auth, Intake: fx.intake,
		Photos: dispatch.NewPhotos(fx.dataDir, db.Pool), Locator: loc, Cases: dispatch.NewCases(db.Pool),
		Catalogue: dispatch.NewCatalogue(db.Pool), Notifications: dispatch.NewNotifier(db.Pool, logger),
		Calendar:       dispatch.NewCalendarStore(db.Pool),
		GradeRules:     dispatch.NewGradeRules(db.Pool),
		Points:         dispatch.NewPoints(db.Pool),
		Market:         dispatch.NewMarket(db.Pool),
		PointsFigures:  dispatch.NewPointsFigures(db.Pool),
		Stats:          dispatch.NewStats(db.Pool),
		Ratings:        dispatch.NewRatings(db.Pool, dispatch.NewStats(db.Pool)),
		AllowedOrigins: []string{"https://app.example.cn"}, Mediations: mediations}
	if bus != nil {
		cfg.CaseEvents, cfg.StatsChanges = bus, bus
	}
	for _, configure := range spec.configure {
		configure(&cfg)
	}
	s, err := web.NewServer(logger, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if spec.tune != nil {
		spec.tune(s)
	}
	if err := s.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	fx.srv = s
	fx.base, fx.ws = "http://"+s.Addr(), "ws://"+s.Addr()+"/ws"
	if bus != nil && !spec.quietBus {
		relay := dispatch.NewRelay(fx.pool, bus, logger)
		if err := relay.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(relay.Close)
		stats := dispatch.NewStatsApplier(fx.pool, bus, logger)
		if err := stats.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stats.Close)
		points := dispatch.NewPointsApplier(fx.pool, bus, logger)
		if err := points.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(points.Close)
	}
	fx.token = fx.member(t, "13900000001", "140802001001001", grid.RoleGridWorker)
	for _, m := range spec.members {
		fx.member(t, m.phone, m.unit, m.role)
	}
	return fx
}

// needBrowser skips a browser test under GRIDDISPATCH_SKIP_BROWSER=1 and fails it when what it
// needs is missing: `make test` installs Chromium and the npm packages and builds the apps.
func needBrowser(t *testing.T, apps ...string) {
	t.Helper()
	if os.Getenv("GRIDDISPATCH_SKIP_BROWSER") == "1" {
		t.Skip("GRIDDISPATCH_SKIP_BROWSER=1")
	}
	needs := []string{"/usr/bin/chromium", "ui/node_modules/playwright-core"}
	for _, app := range apps {
		needs = append(needs, "static/app/"+app+"/index.html")
	}
	for _, need := range needs {
		if _, err := os.Stat(need); err != nil {
			t.Fatalf("%s is missing: run `make test` (it installs Chromium and the npm packages and builds the apps)", need)
		}
	}
}

// memberID is the id of the member with this phone.
func (fx *fixture) memberID(t *testing.T, phone string) int64 {
	t.Helper()
	fx.mu.Lock()
	id, ok := fx.ids[phone]
	fx.mu.Unlock()
	if ok {
		return id
	}
	if err := fx.pool.QueryRow(context.Background(), `SELECT id FROM members WHERE phone = $1`, phone).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// member creates a signed-in member with one role and returns their token.
func (fx *fixture) member(t *testing.T, phone, unit string, role grid.Role) string {
	t.Helper()
	ctx := context.Background()
	m, err := fx.g.CreateMember(ctx, phone, "成员"+phone[7:])
	if err != nil {
		t.Fatal(err)
	}
	gridtest.SetPassword(t, fx.pool, m.ID, password)
	if err := fx.g.Assign(ctx, grid.Assignment{MemberID: m.ID, UnitCode: unit, Role: role}); err != nil {
		t.Fatal(err)
	}
	sess, err := fx.auth.SignIn(ctx, phone, password, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	fx.mu.Lock()
	fx.tokens[phone], fx.ids[phone] = sess.Token, m.ID
	fx.mu.Unlock()
	return sess.Token
}

// submit stores a neighbour dispute at village 140802001001, reported by the member with this
// phone an hour ago, and returns its case.
func (fx *fixture) submit(t *testing.T, phone, description string) int64 {
	t.Helper()
	rc, err := fx.intake.Submit(context.Background(), dispatch.Report{ClientID: newClientID(), ReporterID: fx.memberID(t, phone),
		Category: "neighbour", Severity: "normal", Description: description, Lon: 111.02, Lat: 35.02,
		HappenedAt: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return rc.CaseID
}

// report files a neighbour dispute by the fixture's grid worker and returns its case.
func (fx *fixture) report(t *testing.T, description string) int64 {
	t.Helper()
	return fx.submit(t, "13900000001", description)
}
