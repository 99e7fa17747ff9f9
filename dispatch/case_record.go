package dispatch

import (
	"encoding/json"
)

// Recording a transition: the deadline it leaves, and the one statement that writes the case,
// its history row, its outbox row and its photos.

// nextTimes sets the deadline and the overdue flag the transition leaves: a fresh deadline for a
// new tier (or a reworked case) counted from the transaction's now(), none while the reporter
// verifies or once closed; a new deadline or none clears the flag, which the timer's overdue sets.
// Settling starts the verification clocks (staff may verify from verifyDue, the timer closes the
// case at verifyLapse); leaving verification stops them.
func nextTimes(a Action, next *caseRow) {
	switch a {
	case ActEscalate, ActReturn, ActTransfer, ActRework:
		d, clock := next.category.Deadlines.At(next.level, next.severity, next.now, next.calendar)
		next.deadlineAt, next.overdueAt, next.deadlineClock = &d, nil, &clock
	case ActSettle, ActVerify, ActCloseUnverified:
		next.deadlineAt, next.overdueAt, next.deadlineClock = nil, nil, nil
	case ActOverdue:
		at := next.now
		next.overdueAt = &at
	}
	switch a {
	case ActSettle:
		due, lapse := next.category.Deadlines.VerifyClocks(next.now)
		next.verifyDue, next.verifyLapse = &due, &lapse
	case ActVerify, ActRework, ActCloseUnverified:
		next.verifyDue, next.verifyLapse = nil, nil
	}
}

// writeTransition updates the case and writes its history row and outbox row, in one
// statement. The payload is the CaseEvent but for the history row's id, set here.
const writeTransition = `
WITH u AS (
    UPDATE cases SET state = $2, level = $3, centre_code = $4, version = version + 1,
        outcome = $5, rework_count = $6, closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE closed_at END,
        urged_at = CASE WHEN $7 THEN now() ELSE urged_at END, deadline_at = $8, overdue_at = $9, late = $19,
        verify_due_at = $20, verify_lapse_at = $21,
        deadline_clock = CASE WHEN $8::timestamptz IS NULL THEN NULL ELSE coalesce($22, deadline_clock) END
    WHERE id = $1
    RETURNING id
), h AS (
    INSERT INTO case_history (case_id, actor_id, from_state, to_state, level, from_level, centre_code, transition,
        reason, outcome, parties, deadline_at)
    SELECT id, $10, $11, $2, $3, $12, $4, $13, $14, $15, $16, $8 FROM u
    RETURNING id
), o AS (
    INSERT INTO outbox (subject, payload)
    SELECT $17, jsonb_set($18::jsonb, '{transition_id}', to_jsonb(h.id)) FROM h
)`

// writeTransitionPhotos is writeTransition for a transition with photos ($23).
const writeTransitionPhotos = writeTransition + `, p AS (
    INSERT INTO case_history_photos (history_id, sha256) SELECT h.id, unnest($23::text[]) FROM h
)
SELECT id FROM h`

// transitionWrite is the statement that records a transition, and what Apply answers once it has run.
type transitionWrite struct {
	sql  string
	args []any
	view CaseView // but for TransitionID, which the statement returns
}

func recordTransition(t Transition, c, next caseRow) (transitionWrite, error) {
	nextTimes(t.Action, &next)
	next.late = c.late || t.timer && machine[t.Action].late
	var outcome *string
	if t.Action == ActSettle {
		outcome = next.outcome
	}
	var actor *int64
	if !t.timer {
		actor = &t.ActorID
	}
	ev := CaseEvent{CaseID: t.CaseID, EventID: c.event, Action: string(t.Action),
		State: next.state, Level: next.level, Centre: next.centre, FromState: c.state, FromLevel: c.level,
		FromCentre: c.centre, Unit: c.unit, UnitName: c.unitName, Category: c.category.Code, Severity: c.severity,
		Reporter: c.reporter, Version: c.version + 1, Reason: t.Reason, OpenedAt: c.openedAt,
		DeadlineAt: next.deadlineAt, VerifyDueAt: next.verifyDue, Overdue: next.overdueAt != nil, At: c.now,
		FromOverdue: c.overdueAt != nil, Outcome: next.outcome, Reworks: next.reworks, Late: next.late}
	if actor != nil {
		ev.Actor = *actor
	}
	if next.deadlineClock != nil {
		ev.DeadlineClock = string(*next.deadlineClock)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return transitionWrite{}, err
	}
	w := transitionWrite{sql: writeTransition + "\nSELECT id FROM h",
		args: []any{t.CaseID, next.state, next.level, next.centre, next.outcome, next.reworks, t.Action == ActUrge,
			next.deadlineAt, next.overdueAt, actor, c.state, c.level, string(t.Action), t.Reason, outcome, t.Parties,
			CaseSubject(string(t.Action), c.unit), payload, next.late, next.verifyDue, next.verifyLapse,
			clockArg(next.deadlineClock)},
		view: CaseView{ID: t.CaseID, State: next.state, Level: next.level, Centre: next.centre, Version: c.version + 1,
			DeadlineAt: next.deadlineAt}}
	if len(t.Photos) > 0 {
		w.sql, w.args = writeTransitionPhotos, append(w.args, t.Photos)
	}
	return w, nil
}
