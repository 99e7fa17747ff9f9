// Package web is griddispatch's HTTP side: the JSON API (every route in routes.go, each with
// the policy that authenticates it and checks its jurisdiction), sessions and sign-in, the
// websocket gateway that pushes committed transitions and figures (ws*.go), the dashboard's
// statistics and bulletins (stats*.go, bulletin*.go), the administrators' API (admin*.go), and
// the four embedded browser apps built from web/ui (apps.go): the grid worker's phone app, the
// mediators' console, the supervisors' dashboard and the administrators' app. Handlers call
// dispatch and grid; errors.go turns their errors into HTTP statuses and JSON errors.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/background"
)

// Check is one readiness condition: a dependency the server needs to do its work.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Server serves HTTP until closed.
type Server struct {
	logger         *slog.Logger
	checks         []Check
	auth           *Auth
	intake         Intake
	photos         *dispatch.Photos
	locator        Locator
	cases          Cases
	catalogue      Catalogue
	calendar       WorkingCalendar
	gradeRules     GradeRules
	points         Points                  // issue 17: points earned (points.go)
	market         *dispatch.Market        // 积分超市 (points_market.go); nil: no routes
	pointsFigures  *dispatch.PointsFigures // 积分排名 and 年度汇总 (points_rank.go); nil: no routes
	ratings        Ratings                 // 五面红旗 / 五星支部 (rating.go); nil: none
	notifications  Notifications
	stats          Stats
	statsGrid      *grid.Store // units named by the figures, read where stats are (Config.StatsGrid)
	statsCache     *statsCache // the figures' answers for a few seconds (stats_cache.go)
	allowedOrigins []string
	sessionEnds    SessionEnds
	figures        FiguresOptions
	duplicates     Duplicates               // 并单 suggestions (case_duplicates.go); nil: none
	dupWindow      dispatch.DuplicateWindow // how near two reports are to be suggested
	pdfFont        *pdfFonts
	mediations     *dispatch.Mediations // the mediation record and agreements (mediation*.go); nil: none
	hub            *hub
	bg             background.Group // websockets' readers, writers and reports, the session check
	closeOnce      sync.Once
	closeErr       error
	served         []Route
	http           *http.Server
	ln             net.Listener
	done           chan error
}

// Intake stores reports and lists a member's; dispatch.Intake is one.
type Intake interface {
	Submit(ctx context.Context, r dispatch.Report) (dispatch.Receipt, error)
	ReportsBy(ctx context.Context, member int64, q dispatch.ReportQuery) ([]dispatch.ReportStatus, error)
	Categories(ctx context.Context) ([]dispatch.Category, error)
	KnowsCategory(ctx context.Context, code string) (bool, error)
}

// Cases works the mediation queue; dispatch.Cases is one.
type Cases interface {
	Apply(ctx context.Context, t dispatch.Transition) (dispatch.CaseView, error)
	Queue(ctx context.Context, f dispatch.QueueFilter) ([]dispatch.CaseSummary, error)
	Summary(ctx context.Context, id int64) (dispatch.CaseSummary, error)
	Detail(ctx context.Context, id int64) (dispatch.CaseDetail, error)
	StaffVerifications(ctx context.Context, member int64, limit int) ([]dispatch.CaseSummary, error)
	Callbacks(ctx context.Context, centre string, limit int) ([]dispatch.CaseSummary, error)     // 回访
	DeclinedBelow(ctx context.Context, centre string, limit int) ([]dispatch.CaseSummary, error) // 退单待裁决 (issue 16)
}

// Config is what a Server serves. Without Auth it serves the probes only; without Intake, no
// websocket. The probes are the only routes without a session: orchestrators call them, and
// they carry no data beyond the names of the checks.
type Config struct {
	Checks         []Check
	Auth           *Auth
	Intake         Intake
	Photos         *dispatch.Photos
	Locator        Locator
	Cases          Cases     // the console's routes and the phone's verification; optional
	Catalogue      Catalogue // administrators edit the routing catalogue; optional
	Notifications  Notifications
	CaseEvents     CaseEvents      // pushes case transitions to reporters' phones; optional
	Stats          Stats           // the supervisors' dashboard figures; optional (needs Intake)
	StatsGrid      *grid.Store     // the units the figures name and map, read where Stats reads; nil: Auth's
	StatsCacheTTL  time.Duration   // how long the figures' answers are kept (stats_cache.go); 0: 5 s
	StatsChanges   StatsChanges    // tells live dashboards their figures changed; optional
	AllowedOrigins []string        // browser origins besides the server's own host, for websockets
	SessionEnds    SessionEnds     // closes revoked sessions' websockets on every process; optional
	Figures        *FiguresOptions // ranking minimum and map bands; nil: DefaultFiguresOptions
	PDFFont        string          // the TrueType font of PDFs (the bulletin); "": the first of pdfdoc.FontPaths

	// Duplicates (并单): suggestions and distinct pairs; nil: Cases when it is one (dispatch.Cases).
	Duplicates      Duplicates
	DuplicateWindow *dispatch.DuplicateWindow // nil: dispatch.DefaultDuplicateWindow
	Calendar        WorkingCalendar           // administrators edit the working calendar; optional (issue 16)
	GradeRules      GradeRules                // county administrators edit the grade rules; optional (issue 16)
	Mediations      *dispatch.Mediations      // the mediation record and agreements (issue 17; needs Cases and Photos); optional
	Points          Points                    // the points ledger's earning side; optional (issue 17, docs/points.md)
	Market          *dispatch.Market          // the points supermarket (积分超市); optional (issue 17)
	PointsFigures   *dispatch.PointsFigures   // rankings and yearly summary of points; optional (issue 17)
	Ratings         Ratings                   // the villages' ratings, 五面红旗 / 五星支部; optional (issue 17, docs/ratings.md)
}

// NewServer builds a server.
func NewServer(logger *slog.Logger, cfg Config) (*Server, error) {
	s := &Server{logger: logger, checks: cfg.Checks, auth: cfg.Auth, intake: cfg.Intake, photos: cfg.Photos,
		locator: cfg.Locator, cases: cfg.Cases, catalogue: cfg.Catalogue, notifications: cfg.Notifications, stats: cfg.Stats, allowedOrigins: cfg.AllowedOrigins, sessionEnds: cfg.SessionEnds,
		figures: DefaultFiguresOptions(), pdfFont: newPDFFonts(cfg.PDFFont), hub: newHub()}
	s.calendar = cfg.Calendar
	if s.statsGrid = cfg.StatsGrid; s.statsGrid == nil && cfg.Auth != nil {
		s.statsGrid = cfg.Auth.grid
	}
	s.gradeRules = cfg.GradeRules
	s.mediations = cfg.Mediations
	s.points = cfg.Points
	s.market, s.pointsFigures = cfg.Market, cfg.PointsFigures
	s.ratings = cfg.Ratings
	if cfg.Figures != nil {
		if err := cfg.Figures.Validate(); err != nil {
			return nil, err
		}
		s.figures = *cfg.Figures
	}
	if err := s.setDuplicates(cfg); err != nil {
		return nil, err
	}
	if cfg.CaseEvents != nil {
		if err := cfg.CaseEvents.OnCaseEvent(s.hub.deliver); err != nil {
			return nil, err
		}
	}
	if cfg.Stats != nil && cfg.StatsChanges != nil { // without the notices, nothing would drop an answer
		s.statsCache = newStatsCache(cfg.StatsCacheTTL)
	}
	if cfg.StatsChanges != nil {
		if err := cfg.StatsChanges.OnStatsChanged(s.statsUnitsChanged); err != nil {
			return nil, err
		}
	}
	if cfg.SessionEnds != nil {
		if err := cfg.SessionEnds.OnSessionsEnded(s.closeEndedSessions); err != nil {
			return nil, err
		}
	}
	mux := http.NewServeMux()
	if err := s.register(mux, s.routes(cfg)); err != nil {
		return nil, err
	}
	handler, err := compressAPI(mux)
	if err != nil {
		return nil, err
	}
	s.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Open listens on addr and serves in the background.
func (s *Server) Open(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	s.ln = ln
	s.done = make(chan error, 1)
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return nil
}

// Addr is the address actually listened on (useful with port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting connections and waits for requests in flight, up to ctx's deadline.
// Then it closes the upgraded websockets, which net/http no longer knows of, with close status
// 1001 (going away), stops the session check, and waits for every goroutine of theirs: a
// report being stored when its connection ends is abandoned as when its phone goes away (it
// may still commit; a resend finds it). A client that does not take its close frame by ctx's
// deadline has its connection cut. Calling Close twice is harmless.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		if s.ln != nil {
			s.closeErr = s.http.Shutdown(ctx)
			if serveErr := <-s.done; s.closeErr == nil {
				s.closeErr = serveErr
			}
		}
		var conns []*wsConn
		if s.hub != nil {
			conns = s.hub.closeAll()
		}
		stopped := make(chan struct{})
		go func() {
			s.bg.Close()
			close(stopped)
		}()
		select {
		case <-stopped:
		case <-ctx.Done():
			for _, c := range conns {
				c.ws.Close() // a writer blocked on a client that does not read fails at once
			}
			<-stopped
		}
	})
	s.bg.Close() // a second Close returns once the first has finished
	return s.closeErr
}
