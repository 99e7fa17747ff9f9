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
	Reason   string  // reason, notes or instructions (required where the rule says)
	Outcome  Outcome // for settle
	ToCentre string  // for transfer: another centre of the same tier, under the same parent
}

// CaseView is a case after a transition.
type CaseView struct {
	ID           int64
	State        CaseState
	Level        int
	Centre       string
	Version      int
	TransitionID int64 // the history row written; consumers deduplicate on it
}

// Cases applies transitions: one transaction locks the case, checks the version, the state
// machine and the actor's right to act, then updates the case, writes its history row and an
// outbox row (so the transition is published if and only if it committed).
type Cases struct{ pool *pgxpool.Pool }

// NewCases works on the cases in pool.
func NewCases(pool *pgxpool.Pool) *Cases { return &Cases{pool: pool} }

type caseRow struct {
	state        CaseState
	level        int
	centre, unit string
	version      int
	reporter     int64
	event        int64
	category     string
	startLevel   int
	outcome      *string
	reworks      int
}

// Apply performs t. Errors: ErrCaseNotFound, ErrStaleVersion, ErrNotAllowed, ErrNotYours,
// ErrBadTransition (wrapped with what is wrong), ErrNoAttemptYet, ErrNoTierThatWay,
// ErrUnknownCentre; ErrRetryable when the database is away.
func (cs *Cases) Apply(ctx context.Context, t Transition) (CaseView, error) {
	r, known := machine[t.Action]
	if !known {
		return CaseView{}, fmt.Errorf("%w: unknown action %q", ErrBadTransition, t.Action)
	}
	t.Reason = strings.TrimSpace(t.Reason)
	if r.needsText && t.Reason == "" {
		return CaseView{}, fmt.Errorf("%w: %s needs a reason or notes", ErrBadTransition, t.Action)
	}
	if utf8.RuneCountInString(t.Reason) > MaxReasonChars {
		return CaseView{}, fmt.Errorf("%w: reason is longer than %d characters", ErrBadTransition, MaxReasonChars)
	}
	if t.Action == ActSettle && t.Outcome != OutcomeMediated && t.Outcome != OutcomeHandled && t.Outcome != OutcomeUnsettled {
		return CaseView{}, errUnknownOutcome
	}
	var view CaseView
	err := pgx.BeginFunc(ctx, cs.pool, func(tx pgx.Tx) error {
		var err error
		view, err = apply(ctx, tx, t, r)
		return err
	})
	if err != nil && !isCaseError(err) {
		return CaseView{}, fmt.Errorf("%w: %v", ErrRetryable, err)
	}
	return view, err
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
	var c caseRow
	err := tx.QueryRow(ctx, `SELECT c.state, c.level, c.centre_code, c.unit_code, c.version, e.reporter_id, e.id,
			e.category, k.start_level, c.outcome, c.rework_count
		FROM cases c JOIN events e ON e.id = c.event_id JOIN categories k ON k.code = e.category
		WHERE c.id = $1 FOR UPDATE OF c`, t.CaseID).
		Scan(&c.state, &c.level, &c.centre, &c.unit, &c.version, &c.reporter, &c.event, &c.category, &c.startLevel, &c.outcome, &c.reworks)
	if errors.Is(err, pgx.ErrNoRows) {
		return CaseView{}, ErrCaseNotFound
	}
	if err != nil {
		return CaseView{}, err
	}
	if err := mayAct(ctx, tx, t.ActorID, r.by, c); err != nil {
		return CaseView{}, err
	}
	if c.version != t.Version {
		return CaseView{}, fmt.Errorf("%w (version %d, you saw %d)", ErrStaleVersion, c.version, t.Version)
	}
	if !Allowed(t.Action, c.state) {
		return CaseView{}, fmt.Errorf("%w: cannot %s a case that is %s", ErrNotAllowed, t.Action, c.state)
	}
	next := c
	if r.to != "" {
		next.state = r.to
	}
	switch t.Action {
	case ActEscalate, ActReturn:
		next.level = c.level + r.tierDelta
		if next.level < TierCounty || next.level > TierVillage {
			return CaseView{}, fmt.Errorf("%w: the case is at tier %d", ErrNoTierThatWay, c.level)
		}
		if t.Action == ActEscalate && c.level <= c.startLevel {
			var tried bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM case_history
				WHERE case_id = $1 AND transition = 'mediate' AND level = $2)`, t.CaseID, c.level).Scan(&tried); err != nil {
				return CaseView{}, err
			}
			if !tried {
				return CaseView{}, ErrNoAttemptYet
			}
		}
		next.centre = c.unit[:grid.Level(next.level).CodeLength()] // tiers are levels: 1 county, 2 township, 3 village
	case ActTransfer:
		if len(t.ToCentre) != len(c.centre) || t.ToCentre == c.centre || t.ToCentre[:len(t.ToCentre)-3] != c.centre[:len(c.centre)-3] {
			return CaseView{}, fmt.Errorf("%w: %q", ErrUnknownCentre, t.ToCentre)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE code = $1)`, t.ToCentre).Scan(&exists); err != nil {
			return CaseView{}, err
		}
		if !exists {
			return CaseView{}, fmt.Errorf("%w: %q", ErrUnknownCentre, t.ToCentre)
		}
		next.centre = t.ToCentre
	case ActSettle:
		o := string(t.Outcome)
		next.outcome = &o
	case ActRework:
		next.reworks++
		next.outcome = nil
	}
	return commitTransition(ctx, tx, t, c, next)
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

func commitTransition(ctx context.Context, tx pgx.Tx, t Transition, c, next caseRow) (CaseView, error) {
	var closedAt *time.Time
	if next.state == StateClosed {
		now := time.Now()
		closedAt = &now
	}
	urged := t.Action == ActUrge
	if _, err := tx.Exec(ctx, `UPDATE cases SET state = $2, level = $3, centre_code = $4, version = version + 1,
			outcome = $5, rework_count = $6, closed_at = coalesce($7, closed_at),
			urged_at = CASE WHEN $8 THEN now() ELSE urged_at END
		WHERE id = $1`, t.CaseID, next.state, next.level, next.centre, next.outcome, next.reworks, closedAt, urged); err != nil {
		return CaseView{}, err
	}
	var outcome *string
	if t.Action == ActSettle {
		outcome = next.outcome
	}
	var historyID int64
	if err := tx.QueryRow(ctx, `INSERT INTO case_history (case_id, actor_id, from_state, to_state, level, from_level,
			centre_code, transition, reason, outcome)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		t.CaseID, t.ActorID, c.state, next.state, next.level, c.level, next.centre, string(t.Action), t.Reason, outcome).
		Scan(&historyID); err != nil {
		return CaseView{}, err
	}
	payload, err := json.Marshal(map[string]any{"transition_id": historyID, "case_id": t.CaseID, "event_id": c.event, "action": t.Action,
		"state": next.state, "level": next.level, "centre": next.centre, "from_state": c.state, "from_level": c.level,
		"from_centre": c.centre, "unit": c.unit, "category": c.category, "reporter": c.reporter, "actor": t.ActorID,
		"version": c.version + 1})
	if err != nil {
		return CaseView{}, err
	}
	subject := "case." + string(t.Action) + "." + subjectCode(c.unit)
	if _, err := tx.Exec(ctx, `INSERT INTO outbox (subject, payload) VALUES ($1, $2)`, subject, payload); err != nil {
		return CaseView{}, err
	}
	return CaseView{ID: t.CaseID, State: next.state, Level: next.level, Centre: next.centre, Version: c.version + 1,
		TransitionID: historyID}, nil
}
