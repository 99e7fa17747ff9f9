package dispatch

import (
	"encoding/json"
	"fmt"
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
		d, clock := next.category.Deadlines.AtScaled(next.level, next.severity, next.now, next.calendar, next.gradePct)
		next.deadlineAt, next.overdueAt, next.deadlineClock = &d, nil, &clock
	case ActSettle, ActVerify, ActCloseUnverified, ActMerge:
		next.deadlineAt, next.overdueAt, next.deadlineClock = nil, nil, nil
	case ActOverdue:
		at := next.now
		next.overdueAt = &at
	case ActCallback:
		if next.state == StateAccepted { // 不满意: re-done at its tier, with a fresh deadline
			d, clock := next.category.Deadlines.AtScaled(next.level, next.severity, next.now, next.calendar, next.gradePct)
			next.deadlineAt, next.overdueAt, next.deadlineClock = &d, nil, &clock
		}
	}
	switch a {
	case ActSettle:
		due, lapse := next.verifyClocks()
		next.verifyDue, next.verifyLapse = &due, &lapse
	case ActVerify: // verified on site: the callback's deadline (callbackNext), on the tier's clock
		due := next.onTierClock(next.callback.deadline)
		next.callback.due = &due
		next.verifyDue, next.verifyLapse = nil, nil
	case ActRework, ActCloseUnverified:
		next.verifyDue, next.verifyLapse = nil, nil
	}
}

// writeTransition updates the case and writes its history row and outbox row, in one
// statement. The payload is the CaseEvent but for the history row's id, set here. The case's
// extension and parking columns ($33 to $40, case_extension.go) are written only when $32 is
// true (an action of extension, parking or declining set them) and kept otherwise; the history
// row's until_at and reason_code are $41 and $42.
const writeTransition = `
WITH u AS (
    UPDATE cases SET state = $2, level = $3, centre_code = $4, version = version + 1,
        outcome = $5, rework_count = $6, closed_at = CASE WHEN $2 = 'closed' AND $11 <> 'closed' THEN now() ELSE closed_at END,
        urged_at = CASE WHEN $7 THEN now() ELSE urged_at END, deadline_at = $8, overdue_at = $9, late = $19,
        verify_due_at = $20, verify_lapse_at = $21,
        grade = $22, major = $23, leader_id = $24,
        leader_at = CASE WHEN $24::bigint IS DISTINCT FROM leader_id THEN now() ELSE leader_at END,
        callback_status = $27, callback_tries = $28, callback_due_at = $29,
        deadline_clock = CASE WHEN $8::timestamptz IS NULL THEN NULL ELSE coalesce($31, deadline_clock) END,
        extension_until = CASE WHEN $32 THEN $33 ELSE extension_until END,
        extension_centre = CASE WHEN $32 THEN $34 ELSE extension_centre END,
        extension_reason = CASE WHEN $32 THEN $35 ELSE extension_reason END,
        park_review_at = CASE WHEN $32 THEN $36 ELSE park_review_at END,
        park_left = CASE WHEN $32 THEN $37::bigint * interval '1 microsecond' ELSE park_left END,
        park_from_state = CASE WHEN $32 THEN $38 ELSE park_from_state END,
        park_clock = CASE WHEN $32 THEN $39 ELSE park_clock END,
        park_review_due_at = CASE WHEN $32 THEN $40 ELSE park_review_due_at END
    WHERE id = $1
    RETURNING id
), h AS (
    INSERT INTO case_history (case_id, actor_id, from_state, to_state, level, from_level, centre_code, transition,
        reason, outcome, parties, deadline_at, grade, major, callback_result, until_at, reason_code)
    SELECT id, $10, $11, $2, $3, $12, $4, $13, $14, $15, $16, $8, $25, $26, $30, $41::timestamptz, $42::text FROM u
    RETURNING id
), o AS (
    INSERT INTO outbox (subject, payload)
    SELECT $17, jsonb_set($18::jsonb, '{transition_id}', to_jsonb(h.id)) FROM h
)`

// photosCTE and mergeCTE follow writeTransition for a transition with photos, and for a merge
// (并单); %d is the position of their parameter, appended after writeTransition's own.
const (
	photosCTE = `, p AS (
    INSERT INTO case_history_photos (history_id, sha256) SELECT h.id, unnest($%d::text[]) FROM h
)`
	mergeCTE = `, m AS (
    INSERT INTO case_merges (case_id, main_id, history_id) SELECT $1, $%d, h.id FROM h
)`
)

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
	var histGrade *string // the grade this transition gave, for its history row
	var histMajor *bool
	if t.Grade != "" {
		g := string(t.Grade)
		histGrade, histMajor = &g, &t.Major
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
		FromOverdue: c.overdueAt != nil, Outcome: next.outcome, Reworks: next.reworks, Late: next.late,
		MergedInto: t.MergeInto, Callback: next.callback.result}
	if c.state == StateClosed && next.state != StateClosed {
		ev.ClosedAt = c.callback.closedAt // a reopening un-counts the closure it undoes
	}
	if actor != nil {
		ev.Actor = *actor
	}
	ev.Grade, ev.Major = next.grade, next.major
	if next.leader != nil {
		ev.Leader = *next.leader
	}
	if next.deadlineClock != nil {
		ev.DeadlineClock = string(*next.deadlineClock)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return transitionWrite{}, err
	}
	w := transitionWrite{sql: writeTransition,
		args: []any{t.CaseID, next.state, next.level, next.centre, next.outcome, next.reworks, t.Action == ActUrge,
			next.deadlineAt, next.overdueAt, actor, c.state, c.level, string(t.Action), t.Reason, outcome, t.Parties,
			CaseSubject(string(t.Action), c.unit), payload, next.late, next.verifyDue, next.verifyLapse,
			next.grade, next.major, next.leader, histGrade, histMajor,
			next.callback.status, next.callback.tries, next.callback.due, next.callback.result,
			clockArg(next.deadlineClock)},
		view: CaseView{ID: t.CaseID, State: next.state, Level: next.level, Centre: next.centre, Version: c.version + 1,
			DeadlineAt: next.deadlineAt}}
	w.args = append(w.args, extensionArgs(next.ext)...)
	if len(t.Photos) > 0 {
		w.args = append(w.args, t.Photos)
		w.sql += fmt.Sprintf(photosCTE, len(w.args))
	}
	if t.Action == ActMerge {
		w.args = append(w.args, t.MergeInto)
		w.sql += fmt.Sprintf(mergeCTE, len(w.args))
	}
	w = withLeaderChange(w, t.Action, c.leader, next.leader) // case_leader.go
	w.sql += "\nSELECT id FROM h"
	return w, nil
}
