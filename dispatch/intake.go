package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/background"
)

// Locator places a point in the grid; grid.LiveLocator is one.
type Locator interface {
	Locate(lon, lat float64) (grid.Location, bool)
}

// Receipt is what the phone is told once its report is committed.
type Receipt struct {
	EventID   int64
	CaseID    int64 // 0 when the point was outside the grid: the event waits for triage
	Located   bool
	Location  grid.Location
	State     string // "queued" at a centre, or "closed" when handled on the spot
	Level     Tier   // 0 when the event waits for triage
	Duplicate bool   // this client id was stored before; nothing new was written
}

// Intake stores reports durably: a report is acknowledged only after its event, case,
// history and outbox rows are committed in PostgreSQL (DESIGN.md contract 1). Reports arriving
// together are committed together, one transaction and one fsync for the group.
type Intake struct {
	pool       *pgxpool.Pool
	locator    Locator
	catMu      sync.Mutex
	categories map[string]Category // loaded on first use, so a server may start before migrating
	logger     *slog.Logger
	writes     chan *write
	now        func() time.Time

	// Lifecycle: Submit queues reports under queueMu read-locked while running; Close takes it
	// to stop queueing, then tells the writers (stopping) to commit what is queued and stop.
	queueMu   sync.RWMutex
	running   bool // started and not closed; guarded by queueMu
	closeOnce sync.Once
	stopping  chan struct{}
	bg        background.Group // the writers
	stored    atomic.Int64     // reports in committed transactions
	commits   atomic.Int64     // committed transactions
	attempts  atomic.Int64     // transactions tried, committed or not
}

// IntakeStats counts reports and the transactions that committed them; fewer commits than
// reports means reports shared commits. Attempts counts transactions tried, failed ones too.
type IntakeStats struct{ Reports, Commits, Attempts int64 }

// Stats reports what has been committed so far.
func (in *Intake) Stats() IntakeStats {
	return IntakeStats{Reports: in.stored.Load(), Commits: in.commits.Load(), Attempts: in.attempts.Load()}
}

// write is one report on its way through the writer.
type write struct {
	report    Report
	loc       grid.Location
	located   bool
	state     string
	level     Tier
	centre    string
	reason    string
	subject   string
	deadline  time.Duration // the starting tier's; 0 when closed on the spot
	receipt   Receipt
	duplicate bool
	err       error
	done      chan struct{}

	// Working-day clocks (calendar_clock.go): the category's deadlines, and the deadline worked
	// out at commit when it counts working time (nil: now() + deadline, in SQL).
	deadlines       Deadlines
	workingDeadline *time.Time
	clock           Clock
}

const (
	maxBatch     = 256 // reports per transaction
	intakeQueue  = 4096
	intakeWriter = 2 // writer goroutines, each with its own connection at commit
)

// NewIntake stores reports in pool once started. The catalogue is read on first use.
func NewIntake(pool *pgxpool.Pool, locator Locator, logger *slog.Logger) *Intake {
	return &Intake{pool: pool, locator: locator, logger: logger,
		writes: make(chan *write, intakeQueue), stopping: make(chan struct{}), now: time.Now}
}

// Start starts the writers; reports are taken from then until Close.
func (in *Intake) Start(ctx context.Context) error {
	if err := in.bg.Start(ctx); err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	for range intakeWriter {
		if !in.bg.Go(in.writer) {
			return fmt.Errorf("intake: %w", background.ErrClosed)
		}
	}
	// Reports are taken only once the writers run, and not if Close came meanwhile.
	in.queueMu.Lock()
	defer in.queueMu.Unlock()
	select {
	case <-in.stopping:
		return fmt.Errorf("intake: %w", background.ErrClosed)
	default:
	}
	in.running = true
	return nil
}

// catalogue returns the categories, reading them if not read yet.
func (in *Intake) catalogue(ctx context.Context) (map[string]Category, error) {
	in.catMu.Lock()
	defer in.catMu.Unlock()
	if in.categories == nil {
		cats, err := loadCategories(ctx, in.pool)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRetryable, err)
		}
		in.categories = cats
	}
	return in.categories, nil
}

// CatalogueChanged forgets the categories read so far; the next report reads them again. Every
// process calls it on a catalogue change notice (catalogue.changed on NATS).
func (in *Intake) CatalogueChanged() {
	in.catMu.Lock()
	in.categories = nil
	in.catMu.Unlock()
}

// Categories lists the catalogue, for the apps' pickers.
func (in *Intake) Categories(ctx context.Context) ([]Category, error) {
	cats, err := in.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	list := make([]Category, 0, len(cats))
	for _, c := range cats {
		if c.Active {
			list = append(list, c)
		}
	}
	slices.SortFunc(list, func(a, b Category) int { return strings.Compare(a.Code, b.Code) })
	return list, nil
}

// KnowsCategory says whether code is in the catalogue, active or not: a category taken out of
// use still has cases to filter by.
func (in *Intake) KnowsCategory(ctx context.Context, code string) (bool, error) {
	cats, err := in.catalogue(ctx)
	if err != nil {
		return false, err
	}
	_, ok := cats[code]
	return ok, nil
}

// Close stops taking reports and returns once every report already queued (read from a
// connection, not yet written) has been committed or answered with its error: none is left
// waiting. Reports submitted from then on are refused with ErrRetryable (ErrNotRunning).
// A queued batch gets the commit timeout of any other (30 s), so with the database away
// Close may take that long.
func (in *Intake) Close() {
	in.closeOnce.Do(func() {
		in.queueMu.Lock() // waits for the Submits handing a report over
		in.running = false
		in.queueMu.Unlock()
		close(in.stopping)
	})
	in.bg.Close()
}

// Submit validates, locates and stores a report, and returns once it is committed (or not).
// Errors: a *ValidationError (ErrInvalidReport), ErrClientIDTaken, or ErrRetryable.
func (in *Intake) Submit(ctx context.Context, r Report) (Receipt, error) {
	cats, err := in.catalogue(ctx)
	if err != nil {
		return Receipt{}, err
	}
	if err := r.check(cats, in.now()); err != nil {
		return Receipt{}, err
	}
	if len(r.Photos) > 0 {
		n, err := ownPhotos(ctx, in.pool, r.ReporterID, r.Photos)
		if err != nil {
			return Receipt{}, fmt.Errorf("%w: %v", ErrRetryable, err)
		}
		if n != len(r.Photos) {
			return Receipt{}, invalid("photos", "upload each photo first; only your own uploads can be attached")
		}
	}
	if r.Photos == nil {
		r.Photos = []string{}
	}
	w := &write{report: r, done: make(chan struct{})}
	w.loc, w.located = in.locator.Locate(r.Lon, r.Lat)
	in.route(cats[r.Category], w)
	if err := in.queue(ctx, w); err != nil {
		return Receipt{}, err
	}
	select {
	case <-w.done:
	case <-ctx.Done():
		// It may still commit; a resend with the same client id finds it.
		return Receipt{}, fmt.Errorf("%w: %v", ErrRetryable, ctx.Err())
	}
	if w.err != nil {
		return Receipt{}, w.err
	}
	w.receipt.Located, w.receipt.Location = w.located, w.loc
	return w.receipt, nil
}

// queue hands w to the writers, unless the intake is not running.
func (in *Intake) queue(ctx context.Context, w *write) error {
	in.queueMu.RLock()
	defer in.queueMu.RUnlock()
	if !in.running {
		return fmt.Errorf("%w: intake %w", ErrRetryable, ErrNotRunning)
	}
	select {
	case in.writes <- w:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: %v", ErrRetryable, ctx.Err())
	}
}

// route decides where a located report's case starts: closed at the grid when handled on the
// spot, else queued at the centre of the category's starting tier above the unit (or the
// deepest tier the unit has, for a point in a township without villages).
func (in *Intake) route(cat Category, w *write) {
	if !w.located {
		w.subject = SubjectUnlocated
		return
	}
	if w.report.HandledOnSpot {
		w.state, w.level, w.reason = "closed", TierGrid, "handled on the spot"
		w.centre = w.loc.Units[min(grid.Grid, w.loc.Level)].Code
	} else {
		level := StartingCentre(w.loc.Path, cat.StartLevel.Level())
		w.state, w.level = "queued", TierOf(level)
		w.centre = w.loc.Units[level].Code
		w.reason = NoCentreReason(w.loc.Path, cat.StartLevel.Level(), level)
		w.deadline = cat.Deadlines.For(w.level, w.report.Severity)
		w.deadlines, w.clock = cat.Deadlines, ClockCalendar
	}
	w.receipt.State, w.receipt.Level = w.state, w.level
	transition := "reported"
	if w.state == "closed" {
		transition = "closed"
	}
	w.subject = CaseSubject(transition, w.loc.Unit().Code)
}

// writer takes what is queued, up to maxBatch, and commits it as one transaction. A batch that
// one report may have sunk is retried report by report so that it cannot sink the others; one
// that failed for the database's sake (away, restarting) is answered retryable at once, rather
// than failing again report by report while the phones wait (docs/faults.md). Once Close
// has stopped the queueing, it commits what is left in the queue and returns.
func (in *Intake) writer(context.Context) {
	for {
		var first *write
		select {
		case first = <-in.writes:
		case <-in.stopping:
			select {
			case first = <-in.writes: // nothing more can be queued: drain, then stop
			default:
				return
			}
		}
		batch := []*write{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case w := <-in.writes:
				batch = append(batch, w)
			default:
				break fill
			}
		}
		in.commit(batch)
	}
}

func (in *Intake) commit(batch []*write) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in.attempts.Add(1)
	err := commitBatch(ctx, in.pool, batch)
	if err != nil && len(batch) > 1 && reportMayBeAtFault(err) {
		for _, w := range batch {
			w.reset()
			in.commit([]*write{w})
		}
		return
	}
	if err == nil {
		in.commits.Add(1)
		in.stored.Add(int64(len(batch)))
	}
	for _, w := range batch {
		if err != nil {
			w.err = classify(err)
			in.logger.Warn("report not stored", "client_id", w.report.ClientID, "err", err)
		}
		close(w.done)
	}
}

// reportMayBeAtFault: the error is PostgreSQL refusing data (class 22, data exception, or 23,
// integrity), which one report of a batch may have caused.
func reportMayBeAtFault(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "23"))
}

// reset forgets what a rolled-back attempt recorded.
func (w *write) reset() {
	w.receipt.EventID, w.receipt.CaseID, w.receipt.Duplicate = 0, 0, false
	w.duplicate, w.err = false, nil
}

// classify tells a report that can never be stored from a failure worth retrying.
func classify(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" { // foreign key: unknown reporter or category
		return invalid(strings.TrimSuffix(pgErr.ConstraintName, "_fkey"), "refers to something unknown")
	}
	return fmt.Errorf("%w: %v", ErrRetryable, err)
}
