package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
)

// Transition is one action on a case, as a user asks for it.
type Transition struct {
	CaseID   int64
	Version  int // the version the user saw; a newer one means someone else acted first
	Action   Action
	ActorID  int64
	Reason   string     // reason, notes or instructions (required where the rule says)
	Outcome  Outcome    // for settle
	ToCentre string     // for transfer: another centre of the same tier, under the same parent
	Parties  string     // for mediate: who took part
	Photos   []string   // SHA-256 of photos the actor uploaded: documents, the site on verification
	Grade    Grade      // for accept (optional) and regrade (required): case_grade.go
	Major    bool       // with a grade: 重大
	Until    *time.Time // for extend_request: the deadline asked for; for park: the review date (case_extension.go)
	// ReasonCode is why a centre declines a case (退单, case_decline.go).
	ReasonCode DeclineReason

	MergeInto int64 // for merge (并单): the main case the duplicate follows

	Satisfaction Satisfaction // for callback: the party's answer (case_callback.go)

	ToMember int64 // for lead_handover: the county leader the case goes to (case_leader.go)

	timer bool // taken by the escalation timer, not a person
}

// CaseView is a case after a transition.
type CaseView struct {
	ID           int64
	State        CaseState
	Level        Tier
	Centre       string
	Version      int
	DeadlineAt   *time.Time
	TransitionID int64 // the history row written; consumers deduplicate on it
}

// Cases applies transitions: one transaction locks the case, checks the version, the state
// machine and the actor's right to act, then updates the case, writes its history row and an
// outbox row (so the transition is published if and only if it committed). Transitions that
// arrive together share that transaction and its commit (case_batch.go).
type Cases struct {
	pool *pgxpool.Pool
	// clock, when set (by tests, export_test.go), is the time a transition counts its new
	// deadlines from instead of the transaction's now(): a Friday afternoon, a holiday week.
	clock func() time.Time
	queue *applyQueue // transitions waiting for a shared commit (case_batch.go)
}

// NewCases works on the cases in pool. Concurrent transitions share commits, in up to half the
// pool's connections at once: the rest stay free for reads, the relay and the timer.
func NewCases(pool *pgxpool.Pool) *Cases {
	return &Cases{pool: pool, queue: newApplyQueue(int(pool.Config().MaxConns) / 2)}
}

// caseRow is a case as a transition reads and rewrites it.
type caseRow struct {
	id          int64
	state       CaseState
	level       Tier
	centre      string
	unit        string
	unitName    string
	version     int
	reporter    int64
	event       int64
	category    Category
	severity    string
	outcome     *string
	reworks     int
	openedAt    time.Time
	deadlineAt  *time.Time
	overdueAt   *time.Time
	late        bool       // the timer acted on it as a centre's deadline passed: it can no longer close on time
	verifyDue   *time.Time // from when staff may verify it (state verifying)
	verifyLapse *time.Time // when the timer closes it as not verified (state verifying)
	callback    callbackState

	mayAct bool           // the actor holds the assignment the action needs (mediator of the centre, supervisor above)
	now    time.Time      // the transaction's now(): the history row's time, and where new deadlines count from
	path   *grid.Path     // the unit's path when read beforehand (the timer reads a batch's at once)
	ext    *caseExtension // extension and parking columns, as their actions leave them (case_extension.go)

	// Risk grading (case_grade.go).
	grade    *string // nil: not graded
	major    bool
	leader   *int64 // the county leader who owns the case (领导包案)
	gradePct int    // the grade's share of the category's deadline, in percent (100 when not graded)

	// Working-day clocks (calendar_clock.go): the calendar's revision as the case was read, the
	// calendar itself once a deadline on a working clock needs it, and the new deadline's clock.
	calendarRev   string
	calendar      *Calendar
	deadlineClock *Clock
}

// selectCase reads the cases r names (id, actor, role) with their categories, and whether each
// one's actor holds the assignment its role asks for
// (mediator: at the case's current centre; supervisor: at its unit or its centre or above, by
// code prefix; verifier: past the verification deadline, a mediator of its centre or a grid
// leader at or above its unit). Both are
// read in the statement that locks the case, so a case that moved while the actor waited for
// the lock is judged where it is now.
const selectCase = `
SELECT c.id, c.state, c.level, c.centre_code, c.unit_code, u.name, c.version, e.reporter_id, e.id, c.severity,
       c.outcome, c.rework_count, c.opened_at, c.deadline_at, c.overdue_at, c.late,
       k.code, k.group_code, k.name_zh, k.name_en, k.start_level, k.grid_may_close,
       k.village_deadline_s, k.township_deadline_s, k.county_deadline_s, k.urgent_deadline_s, k.verify_deadline_s,
       k.auto_escalate, k.active, c.verify_due_at, c.verify_lapse_at,
       c.callback_status, c.callback_tries, c.callback_due_at, c.closed_at, k.callback_tries, k.callback_deadline_s,
       EXISTS (SELECT 1 FROM assignments a WHERE a.member_id = r.actor AND CASE r.role
               WHEN 'mediator' THEN a.role = 'mediator' AND a.unit_code = c.centre_code
               WHEN 'supervisor' THEN a.role = 'supervisor'
                   AND (starts_with(c.unit_code, a.unit_code) OR starts_with(c.centre_code, a.unit_code))
               WHEN 'mediator_above' THEN a.role = 'mediator' AND starts_with(c.centre_code, a.unit_code)
                   AND a.unit_code <> c.centre_code
               WHEN 'supervisor_above' THEN a.role = 'supervisor' AND starts_with(c.centre_code, a.unit_code)
               WHEN 'verifier' THEN c.verify_due_at <= now()
                   AND (a.role = 'mediator' AND a.unit_code = c.centre_code
                        OR a.role = 'grid_leader' AND starts_with(c.unit_code, a.unit_code))
               WHEN 'leader' THEN a.role = 'supervisor' AND length(a.unit_code) = 6
                   AND starts_with(c.unit_code, a.unit_code)
               ELSE false END),
       now(), c.grade, c.major, c.leader_id, coalesce(g.deadline_pct, 100),
       k.village_clock, k.township_clock, k.county_clock, k.urgent_clock,
       coalesce((SELECT revision::text FROM calendar_settings), '')
FROM r JOIN cases c ON c.id = r.id JOIN events e ON e.id = c.event_id JOIN categories k ON k.code = e.category
JOIN units u ON u.code = c.unit_code LEFT JOIN grade_rules g ON g.grade = c.grade`

// selectCaseForUpdate locks and reads one case: $1 by actor $2 in role $3 (readCaseArgs).
const selectCaseForUpdate = `WITH r (id, actor, role) AS (VALUES ($1::bigint, $2::bigint, $3::text))` + selectCase + `
FOR UPDATE OF c`

// selectCasesForUpdate locks and reads the cases of a shared commit, in id order so that two
// batches never wait for each other in a circle: arrays of the cases, actors and roles.
const selectCasesForUpdate = `WITH r (id, actor, role) AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[]))` +
	selectCase + `
ORDER BY c.id FOR UPDATE OF c`

// readCaseArgs are selectCaseForUpdate's arguments for t.
func readCaseArgs(t Transition, r rule) []any { return []any{t.CaseID, t.ActorID, actorRole(t, r)} }

// actorRole is the assignment selectCase checks t's actor for: none for the timer.
func actorRole(t Transition, r rule) string {
	role := ""
	if !t.timer {
		switch r.by {
		case byCentre:
			role = string(grid.RoleMediator)
		case bySupervisor:
			role = string(grid.RoleSupervisor)
		case byReporter:
			role = "verifier" // the reporter is checked in prepare; this is staff standing in
		case byLeader:
			role = "leader" // a supervisor assigned at the case's county (case_grade.go)
		case bySupervisorAbove:
			role = "supervisor_above"
		case byCentreAbove:
			role = "mediator_above"
		}
	}
	return role
}

func scanCase(row pgx.Row) (caseRow, error) {
	var c caseRow
	var k struct {
		start                                     int16
		village, township, county, urgent, verify int32
		cbTries, cbMax                            int16
		cbDeadline                                int32
		clocks                                    TierClocks
	}
	err := row.Scan(&c.id, &c.state, &c.level, &c.centre, &c.unit, &c.unitName, &c.version,
		&c.reporter, &c.event, &c.severity, &c.outcome, &c.reworks, &c.openedAt, &c.deadlineAt, &c.overdueAt, &c.late,
		&c.category.Code, &c.category.Group, &c.category.NameZH, &c.category.NameEN, &k.start, &c.category.GridMayClose,
		&k.village, &k.township, &k.county, &k.urgent, &k.verify, &c.category.AutoEscalate, &c.category.Active,
		&c.verifyDue, &c.verifyLapse,
		&c.callback.status, &k.cbTries, &c.callback.due, &c.callback.closedAt, &k.cbMax, &k.cbDeadline,
		&c.mayAct, &c.now, &c.grade, &c.major, &c.leader, &c.gradePct,
		&k.clocks.Village, &k.clocks.Township, &k.clocks.County, &k.clocks.Urgent, &c.calendarRev)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrCaseNotFound
	}
	c.category.StartLevel = Tier(k.start)
	c.callback.tries, c.callback.maxTries, c.callback.deadline = int(k.cbTries), int(k.cbMax), seconds(k.cbDeadline)
	c.category.Deadlines = Deadlines{Village: seconds(k.village), Township: seconds(k.township),
		County: seconds(k.county), Urgent: seconds(k.urgent), Verify: seconds(k.verify), Clocks: k.clocks}
	return c, err
}

// Apply performs t. Errors: ErrCaseNotFound, ErrStaleVersion, ErrNotAllowed, ErrNotYours,
// ErrBadTransition (wrapped with what is wrong), ErrNoAttemptYet, ErrNoTierThatWay,
// ErrUnknownCentre, ErrNoMediationYet; ErrRetryable when the database is away.
func (cs *Cases) Apply(ctx context.Context, t Transition) (CaseView, error) {
	r, err := t.check()
	if err != nil {
		return CaseView{}, err
	}
	if t.Action != ActMerge { // a merge locks a second case, so it is not batched with others
		return cs.applyQueued(ctx, t, r)
	}
	var view CaseView
	conn, err := cs.pool.Acquire(ctx)
	if err == nil {
		view, err = applyAlone(ctx, conn.Conn(), t, r, cs.clock)
		conn.Release() // a connection left inside a transaction is closed, not reused
	}
	if err != nil && !isCaseError(err) {
		return CaseView{}, fmt.Errorf("%w: %v", ErrRetryable, err)
	}
	return view, err
}

// applyAlone performs t in a transaction of its own, in two round trips for most actions: BEGIN
// is sent with the statement that locks the case, and COMMIT with the one that writes the
// transition. Under load PostgreSQL's cost per transition is mostly per statement and per
// round trip (docs/benchmarks.md).
func applyAlone(ctx context.Context, conn *pgx.Conn, t Transition, r rule, clock func() time.Time) (view CaseView, err error) {
	defer func() {
		if err != nil && conn.PgConn().TxStatus() != 'I' {
			if _, rerr := conn.Exec(ctx, "ROLLBACK"); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
	}()
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(selectCaseForUpdate, readCaseArgs(t, r)...)
	br := conn.SendBatch(ctx, b)
	_, err = br.Exec()
	var c caseRow
	if err == nil {
		c, err = scanCase(br.QueryRow())
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return CaseView{}, err
	}
	if clock != nil {
		c.now = clock()
	}
	w, err := prepare(ctx, conn, t, r, c)
	if err != nil {
		return CaseView{}, err
	}
	b = &pgx.Batch{}
	b.Queue(w.sql, w.args...)
	b.Queue("COMMIT")
	if err := writeAndCommit(conn.SendBatch(ctx, b), &w.view.TransitionID); err != nil {
		return CaseView{}, err
	}
	return w.view, nil
}

// writeAndCommit reads the results of a batch of transition writes followed by COMMIT: each
// write's transition id into ids, in order, then the COMMIT's tag. A COMMIT that rolled back
// (the transaction had failed) is pgx.ErrTxCommitRollback.
func writeAndCommit(br pgx.BatchResults, ids ...*int64) error {
	var err error
	for _, id := range ids {
		if err == nil {
			err = br.QueryRow().Scan(id)
		}
	}
	if err == nil {
		var tag pgconn.CommandTag
		if tag, err = br.Exec(); err == nil && tag.String() != "COMMIT" {
			err = pgx.ErrTxCommitRollback
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// check validates what can be validated without the database.
func (t *Transition) check() (rule, error) {
	r, known := machine[t.Action]
	if !known || r.by == bySystem {
		return r, fmt.Errorf("%w: unknown action %q", ErrBadTransition, t.Action)
	}
	t.Reason = strings.TrimSpace(t.Reason)
	t.Parties = strings.TrimSpace(t.Parties)
	switch {
	case !utf8.ValidString(t.Reason) || !utf8.ValidString(t.Parties):
		return r, fmt.Errorf("%w: text is not valid UTF-8", ErrBadTransition)
	case r.needsText && t.Reason == "":
		return r, fmt.Errorf("%w: %s needs a reason or notes", ErrBadTransition, t.Action)
	case utf8.RuneCountInString(t.Reason) > MaxReasonChars:
		return r, fmt.Errorf("%w: reason is longer than %d characters", ErrBadTransition, MaxReasonChars)
	case utf8.RuneCountInString(t.Parties) > MaxPartiesChars:
		return r, fmt.Errorf("%w: parties is longer than %d characters", ErrBadTransition, MaxPartiesChars)
	case t.Action == ActSettle && t.Outcome != OutcomeMediated && t.Outcome != OutcomeHandled && t.Outcome != OutcomeUnsettled:
		return r, errUnknownOutcome
	case len(t.Photos) > MaxReportPhotos:
		return r, fmt.Errorf("%w: at most %d photos", ErrBadTransition, MaxReportPhotos)
	}
	if err := t.checkGrade(); err != nil {
		return r, err
	}
	if err := t.checkMerge(); err != nil {
		return r, err
	}
	if err := t.checkSatisfaction(); err != nil {
		return r, err
	}
	if err := t.checkExtension(); err != nil {
		return r, err
	}
	if err := t.checkDecline(); err != nil {
		return r, err
	}
	if err := t.checkLeader(); err != nil {
		return r, err
	}
	seen := map[string]bool{}
	for _, h := range t.Photos {
		if !hashPattern.MatchString(h) || seen[h] {
			return r, fmt.Errorf("%w: each photo is the SHA-256 (64 hex digits) of an upload, listed once", ErrBadTransition)
		}
		seen[h] = true
	}
	return r, nil
}

func isCaseError(err error) bool {
	for _, e := range []error{ErrCaseNotFound, ErrStaleVersion, ErrNotAllowed, ErrNotYours, ErrBadTransition,
		ErrNoAttemptYet, ErrNoTierThatWay, ErrUnknownCentre, ErrNoMediationYet, ErrNotDifficult, ErrAlreadyOwned,
		ErrNoExtensionPending, ErrPastDeadline} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// prepare checks t against the locked case c (the actor's right, the version the actor saw, the
// state machine, the action's own rules) and works out the statement that records it.
func prepare(ctx context.Context, q querier, t Transition, r rule, c caseRow) (transitionWrite, error) {
	if t.timer {
		if !r.timer {
			return transitionWrite{}, ErrNotYours
		}
	} else if ok := c.mayAct || r.by == byReporter && t.ActorID == c.reporter; !ok {
		return transitionWrite{}, ErrNotYours
	}
	if c.version != t.Version {
		return transitionWrite{}, fmt.Errorf("%w (version %d, you saw %d)", ErrStaleVersion, c.version, t.Version)
	}
	if !Allowed(t.Action, c.state) {
		return transitionWrite{}, fmt.Errorf("%w: cannot %s a case that is %s", ErrNotAllowed, t.Action, c.state)
	}
	if len(t.Photos) > 0 {
		var n int
		if err := q.QueryRow(ctx, `SELECT count(*) FROM photo_uploads WHERE sha256 = ANY($1) AND member_id = $2`,
			t.Photos, t.ActorID).Scan(&n); err != nil {
			return transitionWrite{}, err
		}
		if n != len(t.Photos) {
			return transitionWrite{}, fmt.Errorf("%w: upload each photo first; only your own uploads can be attached", ErrBadTransition)
		}
	}
	next, err := nextCase(ctx, q, t, r, c)
	if err != nil {
		return transitionWrite{}, err
	}
	if err := readCalendarIfNeeded(ctx, q, t.Action, &next); err != nil {
		return transitionWrite{}, err
	}
	return recordTransition(t, c, next)
}

// nextCase is the case as the transition leaves it: state, tier, centre and outcome (nextTimes
// adds the deadline).
func nextCase(ctx context.Context, tx querier, t Transition, r rule, c caseRow) (caseRow, error) {
	next := c
	if r.to != "" {
		next.state = r.to
	}
	switch t.Action {
	case ActEscalate, ActReturn:
		path := c.path
		if path == nil {
			var err error
			if path, err = loadPath(ctx, tx, c.unit); err != nil {
				return next, err
			}
		}
		level := grid.Level(0)
		if t.Action == ActEscalate && c.level > TierCounty {
			level = CentreAbove(path, grid.Level(c.level-1))
		} else if t.Action == ActReturn {
			level = CentreBelow(path, grid.Level(c.level))
		}
		if level == 0 {
			return next, fmt.Errorf("%w: the case is at tier %d", ErrNoTierThatWay, c.level)
		}
		if t.Action == ActEscalate && !t.timer && c.level <= c.category.StartLevel {
			var tried bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM case_history
				WHERE case_id = $1 AND transition = 'mediate' AND level = $2)`, t.CaseID, c.level).Scan(&tried); err != nil {
				return next, err
			}
			if !tried {
				return next, ErrNoAttemptYet
			}
		}
		next.level, next.centre = TierOf(level), path.Units[level].Code
		if t.Action == ActReturn {
			// Back to the centre that last held the case at that tier, which a transfer may have
			// made a sibling of the place's own.
			err := tx.QueryRow(ctx, `SELECT centre_code FROM case_history WHERE case_id = $1 AND level = $2
				AND centre_code IS NOT NULL ORDER BY id DESC LIMIT 1`, t.CaseID, int(level)).Scan(&next.centre)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return next, err
			}
		}
	case ActTransfer:
		if len(t.ToCentre) != len(c.centre) || t.ToCentre == c.centre || t.ToCentre[:len(t.ToCentre)-3] != c.centre[:len(c.centre)-3] {
			return next, fmt.Errorf("%w: %q", ErrUnknownCentre, t.ToCentre)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE code = $1 AND has_centre AND retired_at IS NULL)`, t.ToCentre).Scan(&exists); err != nil {
			return next, err
		}
		if !exists {
			return next, fmt.Errorf("%w: %q", ErrUnknownCentre, t.ToCentre)
		}
		next.centre = t.ToCentre
	case ActSettle:
		if err := settleRule(c.state, c.category, t.Outcome); err != nil {
			return next, err
		}
		o := string(t.Outcome)
		next.outcome = &o
	case ActRework:
		next.reworks++
		next.outcome = nil
	case ActAccept, ActRegrade, ActLead, ActLeadRelease, ActLeadHandover:
		if err := nextGrade(ctx, tx, t, c, &next); err != nil {
			return next, err
		}
	case ActMerge:
		if err := checkMainCase(ctx, tx, t, c); err != nil {
			return next, err
		}
	case ActRequestExtension, ActApproveExtension, ActRefuseExtension, ActPark, ActUnpark, ActParkReviewDue:
		return next, nextExtension(ctx, tx, t, c, &next)
	case ActDecline, ActDeclineUphold, ActDeclineOverrule:
		return next, nextDecline(ctx, tx, t, c, &next)
	}
	return next, callbackNext(t, c, &next)
}
