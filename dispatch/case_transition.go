package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
)

// Transition is one action on a case, as a user asks for it.
type Transition struct {
	CaseID   int64
	Version  int // the version the user saw; a newer one means someone else acted first
	Action   Action
	ActorID  int64
	Reason   string   // reason, notes or instructions (required where the rule says)
	Outcome  Outcome  // for settle
	ToCentre string   // for transfer: another centre of the same tier, under the same parent
	Parties  string   // for mediate: who took part
	Photos   []string // SHA-256 of photos the actor uploaded: documents, the site on verification

	timer bool // taken by the escalation timer, not a person
}

// CaseView is a case after a transition.
type CaseView struct {
	ID           int64
	State        CaseState
	Level        int
	Centre       string
	Version      int
	DeadlineAt   *time.Time
	TransitionID int64 // the history row written; consumers deduplicate on it
}

// Cases applies transitions: one transaction locks the case, checks the version, the state
// machine and the actor's right to act, then updates the case, writes its history row and an
// outbox row (so the transition is published if and only if it committed).
type Cases struct{ pool *pgxpool.Pool }

// NewCases works on the cases in pool.
func NewCases(pool *pgxpool.Pool) *Cases { return &Cases{pool: pool} }

// caseRow is a case as a transition reads and rewrites it.
type caseRow struct {
	state      CaseState
	level      int
	centre     string
	unit       string
	unitName   string
	version    int
	reporter   int64
	event      int64
	category   Category
	severity   string
	outcome    *string
	reworks    int
	openedAt   time.Time
	deadlineAt *time.Time
	overdueAt  *time.Time
}

const selectCaseForUpdate = `
SELECT c.state, c.level, c.centre_code, c.unit_code, u.name, c.version, e.reporter_id, e.id, c.severity,
       c.outcome, c.rework_count, c.opened_at, c.deadline_at, c.overdue_at,
       k.code, k.group_code, k.name_zh, k.name_en, k.start_level, k.grid_may_close,
       k.village_deadline_s, k.township_deadline_s, k.county_deadline_s, k.urgent_deadline_s, k.auto_escalate, k.active
FROM cases c JOIN events e ON e.id = c.event_id JOIN categories k ON k.code = e.category
JOIN units u ON u.code = c.unit_code
WHERE c.id = $1 FOR UPDATE OF c`

func readCase(ctx context.Context, tx pgx.Tx, id int64) (caseRow, error) {
	var c caseRow
	var k struct {
		start                             int16
		village, township, county, urgent int32
	}
	err := tx.QueryRow(ctx, selectCaseForUpdate, id).Scan(&c.state, &c.level, &c.centre, &c.unit, &c.unitName, &c.version,
		&c.reporter, &c.event, &c.severity, &c.outcome, &c.reworks, &c.openedAt, &c.deadlineAt, &c.overdueAt,
		&c.category.Code, &c.category.Group, &c.category.NameZH, &c.category.NameEN, &k.start, &c.category.GridMayClose,
		&k.village, &k.township, &k.county, &k.urgent, &c.category.AutoEscalate, &c.category.Active)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrCaseNotFound
	}
	c.category.StartLevel = int(k.start)
	c.category.Deadlines = Deadlines{Village: seconds(k.village), Township: seconds(k.township),
		County: seconds(k.county), Urgent: seconds(k.urgent)}
	return c, err
}

// Apply performs t. Errors: ErrCaseNotFound, ErrStaleVersion, ErrNotAllowed, ErrNotYours,
// ErrBadTransition (wrapped with what is wrong), ErrNoAttemptYet, ErrNoTierThatWay,
// ErrUnknownCentre; ErrRetryable when the database is away.
func (cs *Cases) Apply(ctx context.Context, t Transition) (CaseView, error) {
	r, err := t.check()
	if err != nil {
		return CaseView{}, err
	}
	var view CaseView
	err = pgx.BeginFunc(ctx, cs.pool, func(tx pgx.Tx) error {
		var err error
		view, err = apply(ctx, tx, t, r)
		return err
	})
	if err != nil && !isCaseError(err) {
		return CaseView{}, fmt.Errorf("%w: %v", ErrRetryable, err)
	}
	return view, err
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
		ErrNoAttemptYet, ErrNoTierThatWay, ErrUnknownCentre} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func apply(ctx context.Context, tx pgx.Tx, t Transition, r rule) (CaseView, error) {
	c, err := readCase(ctx, tx, t.CaseID)
	if err != nil {
		return CaseView{}, err
	}
	if t.timer {
		if !r.timer {
			return CaseView{}, ErrNotYours
		}
	} else if err := mayAct(ctx, tx, t.ActorID, r.by, c); err != nil {
		return CaseView{}, err
	}
	if c.version != t.Version {
		return CaseView{}, fmt.Errorf("%w (version %d, you saw %d)", ErrStaleVersion, c.version, t.Version)
	}
	if !Allowed(t.Action, c.state) {
		return CaseView{}, fmt.Errorf("%w: cannot %s a case that is %s", ErrNotAllowed, t.Action, c.state)
	}
	if len(t.Photos) > 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM photos WHERE sha256 = ANY($1) AND uploader_id = $2`,
			t.Photos, t.ActorID).Scan(&n); err != nil {
			return CaseView{}, err
		}
		if n != len(t.Photos) {
			return CaseView{}, fmt.Errorf("%w: upload each photo first; only your own uploads can be attached", ErrBadTransition)
		}
	}
	next, err := nextCase(ctx, tx, t, r, c)
	if err != nil {
		return CaseView{}, err
	}
	return commitTransition(ctx, tx, t, c, next)
}

// nextCase is the case as the transition leaves it: state, tier, centre, outcome and deadline.
// A deadline of a new tier (or a reworked case) is set in the database, from its clock.
func nextCase(ctx context.Context, tx pgx.Tx, t Transition, r rule, c caseRow) (caseRow, error) {
	next := c
	if r.to != "" {
		next.state = r.to
	}
	switch t.Action {
	case ActEscalate, ActReturn:
		path, err := loadPath(ctx, tx, c.unit)
		if err != nil {
			return next, err
		}
		level := grid.Level(0)
		if t.Action == ActEscalate && c.level > TierCounty {
			level = centreAbove(path, grid.Level(c.level-1))
		} else if t.Action == ActReturn {
			level = centreBelow(path, grid.Level(c.level))
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
		next.level, next.centre = int(level), path.Units[level].Code
	case ActTransfer:
		if len(t.ToCentre) != len(c.centre) || t.ToCentre == c.centre || t.ToCentre[:len(t.ToCentre)-3] != c.centre[:len(c.centre)-3] {
			return next, fmt.Errorf("%w: %q", ErrUnknownCentre, t.ToCentre)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE code = $1 AND has_centre)`, t.ToCentre).Scan(&exists); err != nil {
			return next, err
		}
		if !exists {
			return next, fmt.Errorf("%w: %q", ErrUnknownCentre, t.ToCentre)
		}
		next.centre = t.ToCentre
	case ActSettle:
		o := string(t.Outcome)
		next.outcome = &o
	case ActRework:
		next.reworks++
		next.outcome = nil
	}
	return next, nil
}

// newDeadline says how the transition changes the deadline: a fresh one for the tier (in
// seconds from now), none, or unchanged.
func newDeadline(a Action, next caseRow) (seconds int32, clear bool) {
	switch a {
	case ActEscalate, ActReturn, ActTransfer, ActRework:
		return int32(next.category.Deadlines.For(next.level, next.severity) / time.Second), false
	case ActSettle, ActVerify:
		return 0, true // the reporter verifies; no tier is on the clock
	}
	return 0, false
}

// mayAct checks the actor's right: a mediator assigned to the case's current centre, the
// reporter, or a supervisor at the case's unit or above (by code prefix).
func mayAct(ctx context.Context, tx pgx.Tx, actorID int64, by actor, c caseRow) error {
	var ok bool
	var err error
	switch by {
	case byReporter:
		ok = actorID == c.reporter
	case byCentre:
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assignments
			WHERE member_id = $1 AND role = 'mediator' AND unit_code = $2)`, actorID, c.centre).Scan(&ok)
	case bySupervisor:
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assignments
			WHERE member_id = $1 AND role = 'supervisor' AND starts_with($2, unit_code))`, actorID, c.unit).Scan(&ok)
	}
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotYours
	}
	return nil
}

// updateCase writes the case's new state. Deadline: $9 seconds from now when positive, NULL when
// $10, else unchanged; a new deadline or a flag clears or sets overdue_at.
const updateCase = `
UPDATE cases SET state = $2, level = $3, centre_code = $4, version = version + 1,
    outcome = $5, rework_count = $6, closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE closed_at END,
    urged_at = CASE WHEN $7 THEN now() ELSE urged_at END,
    deadline_at = CASE WHEN $9 > 0 THEN now() + make_interval(secs => $9) WHEN $10 THEN NULL ELSE deadline_at END,
    overdue_at = CASE WHEN $9 > 0 OR $10 THEN NULL WHEN $8 THEN now() ELSE overdue_at END
WHERE id = $1
RETURNING deadline_at, overdue_at, now()`

const insertHistory = `
INSERT INTO case_history (case_id, actor_id, from_state, to_state, level, from_level, centre_code, transition,
    reason, outcome, parties, deadline_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`

func commitTransition(ctx context.Context, tx pgx.Tx, t Transition, c, next caseRow) (CaseView, error) {
	secs, clear := newDeadline(t.Action, next)
	var at time.Time
	if err := tx.QueryRow(ctx, updateCase, t.CaseID, next.state, next.level, next.centre, next.outcome, next.reworks,
		t.Action == ActUrge, t.Action == ActOverdue, secs, clear).Scan(&next.deadlineAt, &next.overdueAt, &at); err != nil {
		return CaseView{}, err
	}
	var outcome *string
	if t.Action == ActSettle {
		outcome = next.outcome
	}
	var actor *int64
	if !t.timer {
		actor = &t.ActorID
	}
	var historyID int64
	if err := tx.QueryRow(ctx, insertHistory, t.CaseID, actor, c.state, next.state, next.level, c.level, next.centre,
		string(t.Action), t.Reason, outcome, t.Parties, next.deadlineAt).Scan(&historyID); err != nil {
		return CaseView{}, err
	}
	if len(t.Photos) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO case_history_photos (history_id, sha256) SELECT $1, unnest($2::text[])`,
			historyID, t.Photos); err != nil {
			return CaseView{}, err
		}
	}
	ev := CaseEvent{TransitionID: historyID, CaseID: t.CaseID, EventID: c.event, Action: string(t.Action),
		State: next.state, Level: next.level, Centre: next.centre, FromState: c.state, FromLevel: c.level,
		FromCentre: c.centre, Unit: c.unit, UnitName: c.unitName, Category: c.category.Code, Severity: c.severity,
		Reporter: c.reporter, Version: c.version + 1, Reason: t.Reason, OpenedAt: c.openedAt,
		DeadlineAt: next.deadlineAt, Overdue: next.overdueAt != nil, At: at}
	if actor != nil {
		ev.Actor = *actor
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return CaseView{}, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO outbox (subject, payload) VALUES ($1, $2)`,
		CaseSubject(string(t.Action), c.unit), payload); err != nil {
		return CaseView{}, err
	}
	return CaseView{ID: t.CaseID, State: next.state, Level: next.level, Centre: next.centre, Version: c.version + 1,
		DeadlineAt: next.deadlineAt, TransitionID: historyID}, nil
}
