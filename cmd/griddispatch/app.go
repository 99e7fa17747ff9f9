package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats-server/v2/server"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/migrations"
	"github.com/griddispatch/griddispatch/web"
)

// Main is a running griddispatch server: database pool, bus, HTTP. Tests start it the same
// way the serve command does.
type Main struct {
	Config Config
	Logger *slog.Logger

	pool    *pgxpool.Pool
	read    *pgxpool.Pool  // the dashboard's reads: a replica, or a pool of their own (openReadDB)
	nats    *server.Server // nil with an external NATS
	bus     *dispatch.Bus
	relay   *dispatch.Relay
	timer   *dispatch.Escalator
	stats   *dispatch.StatsApplier
	locator *grid.LiveLocator
	changes *grid.ChangeScheduler
	intake  *dispatch.Intake
	http    *web.Server
}

// Run opens every dependency and starts serving; it returns once the server listens.
func (m *Main) Run(ctx context.Context) error {
	if err := m.Config.validate(); err != nil {
		return err
	}
	pool, err := openDB(ctx, m.Config)
	if err != nil {
		return err
	}
	m.pool = pool
	if m.read, err = openReadDB(ctx, m.Config); err != nil {
		return err
	}
	if m.bus, err = m.openBus(ctx); err != nil {
		return err
	}
	if err := m.bus.EnsureReplicatedStreams(ctx, m.Config.NATSReplicas); err != nil {
		return err
	}
	m.timer = dispatch.NewEscalator(m.pool, m.Logger, dispatch.EscalatorInterval)
	if err := m.timer.Start(ctx); err != nil {
		return err
	}
	m.changes = grid.NewStore(m.pool).NewChangeScheduler(m.Logger, grid.ChangeSchedulerInterval)
	if err := m.changes.Start(ctx); err != nil {
		return err
	}
	m.locator = grid.NewStore(m.pool).NewLiveLocator(m.Config.NearMetres, m.Logger)
	if err := m.locator.Start(ctx); err != nil {
		return err
	}
	if err := m.bus.OnGridChange(m.locator.Changed); err != nil {
		return err
	}
	m.intake = dispatch.NewIntake(m.pool, m.locator, m.Logger)
	if err := m.intake.Start(ctx); err != nil {
		return err
	}
	notifier := dispatch.NewNotifier(m.pool, m.Logger)
	if err := notifier.Bind(ctx, m.bus); err != nil {
		return err
	}
	m.stats = dispatch.NewStatsApplier(m.pool, m.bus, m.Logger)
	if err := m.stats.Start(ctx); err != nil {
		return err
	}
	if err := dispatch.NewPointsApplier(m.pool, m.bus, m.Logger).Start(ctx); err != nil { // 积分: stops with the bus
		return err
	}
	// The relay starts once the durable consumers exist: one created for the first time starts
	// with new messages, so what the relay published before would never be counted.
	m.relay = dispatch.NewRelay(m.pool, m.bus, m.Logger)
	if err := m.relay.Start(ctx); err != nil {
		return err
	}
	if err := m.bus.OnCatalogueChange(m.intake.CatalogueChanged); err != nil {
		return err
	}
	key, err := dispatch.LoadSealKey(m.Config.piiKeyFile())
	if err != nil {
		return err
	}
	mediations, err := dispatch.NewMediations(m.pool, key)
	if err != nil {
		return err
	}
	m.http, err = web.NewServer(m.Logger, web.Config{
		Checks: []web.Check{
			{Name: "postgres", Fn: m.pool.Ping},
			{Name: "migrations", Fn: m.migrationsCurrent},
			{Name: "nats", Fn: m.bus.Ready},
			{Name: "grid_index", Fn: m.locator.Ready},
		},
		Auth:           web.NewAuth(m.pool, grid.NewStore(m.pool)),
		Intake:         m.intake,
		Photos:         dispatch.NewPhotos(m.Config.photosDir(), m.pool),
		Locator:        m.locator,
		Cases:          dispatch.NewCases(m.pool),
		Catalogue:      dispatch.NewCatalogue(m.pool),
		Calendar:       dispatch.NewCalendarStore(m.pool),
		GradeRules:     dispatch.NewGradeRules(m.pool),
		Points:         dispatch.NewPoints(m.pool),
		Market:         dispatch.NewMarket(m.pool),
		PointsFigures:  dispatch.NewPointsFigures(m.read),
		Ratings:        dispatch.NewRatings(m.pool, dispatch.NewStats(m.read)), // 五面红旗 / 五星支部: figures from the replica, decisions on the primary
		Notifications:  notifier,
		CaseEvents:     m.bus,
		Stats:          dispatch.NewStats(m.read),
		StatsGrid:      grid.NewStore(m.read),
		StatsChanges:   m.bus,
		SessionEnds:    m.bus,
		AllowedOrigins: m.Config.AllowedOrigins,
		Figures:        &m.Config.Figures,
		PDFFont:        m.Config.PDFFont,
		// 并单: dispatch.Cases also suggests duplicates (web.Config.Duplicates).
		DuplicateWindow: &m.Config.Duplicates,
		Mediations:      mediations, // the mediation record and agreements (issue 17)
	})
	if err != nil {
		return err
	}
	if err := m.http.PDFFontErr(); err != nil {
		m.Logger.Warn("the weekly bulletin's PDF will answer 503 (docs/deploy.md)", "err", err)
	}
	if err := m.http.Open(m.Config.Listen); err != nil {
		return err
	}
	m.Logger.Info("serving", "addr", m.http.Addr(), "nats_embedded", m.nats != nil,
		"nats_replicas", m.Config.NATSReplicas, "photos_dir", m.Config.photosDir())
	return nil
}

func (m *Main) openBus(ctx context.Context) (*dispatch.Bus, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if m.Config.NATSURL != "" {
		return dispatch.Connect(ctx, m.Config.NATSURL, m.Logger)
	}
	ns, err := startEmbeddedNATS(m.Config.DataDir, m.Config.NATSListen)
	if err != nil {
		return nil, err
	}
	m.nats = ns
	if m.Config.NATSListen != "" {
		m.Logger.Info("embedded nats listening", "url", ns.ClientURL())
	}
	return dispatch.ConnectInProcess(ctx, ns, m.Logger)
}

func (m *Main) migrationsCurrent(ctx context.Context) error {
	v, err := migrations.Current(ctx, m.pool)
	if err != nil {
		return err
	}
	if latest := migrations.Latest(); v != latest {
		return fmt.Errorf("schema at version %d, this binary needs %d: run griddispatch migrate", v, latest)
	}
	return nil
}

// Addr is where HTTP is served.
func (m *Main) Addr() string { return m.http.Addr() }

// Locator places points on the grid as this process currently knows it.
func (m *Main) Locator() *grid.LiveLocator { return m.locator }

// Close stops serving, letting requests in flight finish, then closes the bus and database.
func (m *Main) Close() error {
	var errs []error
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		errs = append(errs, m.http.Close(ctx))
		cancel()
	}
	if m.intake != nil {
		m.intake.Close()
	}
	if m.locator != nil {
		m.locator.Close()
	}
	if m.timer != nil {
		m.timer.Close()
	}
	if m.changes != nil {
		m.changes.Close()
	}
	if m.relay != nil {
		m.relay.Close()
	}
	if m.stats != nil {
		m.stats.Close()
	}
	if m.bus != nil {
		m.bus.Close()
	}
	if m.nats != nil {
		m.nats.Shutdown()
		m.nats.WaitForShutdown()
	}
	if m.read != nil {
		m.read.Close()
	}
	if m.pool != nil {
		m.pool.Close()
	}
	return errors.Join(errs...)
}

// openDB connects a pool and checks the connection, so a wrong URL fails at once and clearly.
func openDB(ctx context.Context, cfg Config) (*pgxpool.Pool, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("no database: set --database-url or DATABASE_URL (make env prints the local one)")
	}
	// pgxpool's default, max(4, CPUs), is too few for a server: the relay holds one for
	// LISTEN, and the relay's batches, the timer, the notifier, the intake's writers and
	// the requests queued for the other three (p99 210 ms from commit to console). Many
	// more than the cores only make PostgreSQL's backends queue for them: on two cores,
	// transitions peaked at 8 connections (docs/benchmarks.md).
	return openPool(ctx, cfg.DatabaseURL, "--database-url", int32(max(8, 4*runtime.NumCPU())), false)
}

// openReadDB connects the pool of the dashboard's read routes (docs/deploy.md "A read
// replica for the dashboard"): on --read-database-url (a streaming replica) when it is set,
// else a pool of its own on the primary, so that a dashboard request never queues for a
// connection behind the intake, the relay and the transitions. Its sessions are read-only.
func openReadDB(ctx context.Context, cfg Config) (*pgxpool.Pool, error) {
	url, name := cfg.ReadDatabaseURL, "--read-database-url"
	if url == "" {
		url, name = cfg.DatabaseURL, "--database-url"
	}
	// The dashboard's queries are short and CPU-bound: more backends than cores only queue.
	return openPool(ctx, url, name, int32(max(4, 2*runtime.NumCPU())), true)
}

// openPool connects a pool of maxConns (unless the URL sets pool_max_conns) and pings it.
func openPool(ctx context.Context, url, flagName string, maxConns int32, readOnly bool) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flagName, err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		pc.MaxConns = maxConns
	}
	if _, set := pc.ConnConfig.RuntimeParams["jit"]; !set {
		// JIT compiles a dashboard query whose estimate looks large in about 300 ms, for a
		// query that then runs in milliseconds: this server's queries are short.
		pc.ConnConfig.RuntimeParams["jit"] = "off"
	}
	if readOnly { // a write by mistake fails here rather than on a replica's refusal, or not at all
		pc.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database %s:%d (%s): %w", pc.ConnConfig.Host, pc.ConnConfig.Port, flagName, err)
	}
	return pool, nil
}
