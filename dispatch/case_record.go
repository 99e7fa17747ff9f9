package dispatch

import (
	"encoding/json"
	"fmt"
	"strings"
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

// A transition is written by one statement: it updates the case and writes its history row and
// outbox row. The statement reads the transition's values from v, a VALUES list of one row per
// transition (writeTransitionsSQL): one for a transition alone or with photos, a merge or a
// leader change (whose CTEs follow it and use $1, the case), one per plain transition of a
// shared commit (case_batch.go), so that a batch pays one statement's start-up, constraint
// compilation and round trip instead of one each. The payload is the CaseEvent but for the
// history row's id, set here. The case's extension and parking columns (case_extension.go) are
// written only when v.ext is true (an action of extension, parking or declining set them) and
// kept otherwise.

// transitionValues are v's columns with their types, in the order of transitionWrite.args.
var transitionValues = [...]struct{ name, typ string }{
	{"case_id", "bigint"}, {"new_state", "text"}, {"new_level", "smallint"}, {"new_centre", "text"},
	{"new_outcome", "text"}, {"new_reworks", "integer"}, {"urge", "boolean"}, {"new_deadline", "timestamptz"},
	{"new_overdue", "timestamptz"}, {"actor", "bigint"}, {"old_state", "text"}, {"old_level", "smallint"},
	{"act", "text"}, {"reason", "text"}, {"hist_outcome", "text"}, {"parties", "text"},
	{"subject", "text"}, {"payload", "jsonb"}, {"new_late", "boolean"}, {"new_verify_due", "timestamptz"},
	{"new_verify_lapse", "timestamptz"}, {"new_grade", "text"}, {"new_major", "boolean"}, {"new_leader", "bigint"},
	{"hist_grade", "text"}, {"hist_major", "boolean"}, {"cb_status", "text"}, {"cb_tries", "smallint"},
	{"cb_due", "timestamptz"}, {"cb_result", "text"}, {"new_clock", "text"},
	// extensionArgs
	{"ext", "boolean"}, {"ext_until", "timestamptz"}, {"ext_centre", "text"}, {"ext_reason", "text"},
	{"park_review", "timestamptz"}, {"park_left_us", "bigint"}, {"park_from", "text"}, {"park_clock", "text"},
	{"park_review_due", "timestamptz"}, {"until_at", "timestamptz"}, {"reason_code", "text"},
}

// writeTransitionsBody follows the VALUES list v; it ends with h, the history rows.
const writeTransitionsBody = `, u AS (
    UPDATE cases c SET state = v.new_state, level = v.new_level, centre_code = v.new_centre, version = c.version + 1,
        outcome = v.new_outcome, rework_count = v.new_reworks,
        closed_at = CASE WHEN v.new_state = 'closed' AND v.old_state <> 'closed' THEN now() ELSE c.closed_at END,
        urged_at = CASE WHEN v.urge THEN now() ELSE c.urged_at END, deadline_at = v.new_deadline,
        overdue_at = v.new_overdue, late = v.new_late,
        verify_due_at = v.new_verify_due, verify_lapse_at = v.new_verify_lapse,
        grade = v.new_grade, major = v.new_major, leader_id = v.new_leader,
        leader_at = CASE WHEN v.new_leader IS DISTINCT FROM c.leader_id THEN now() ELSE c.leader_at END,
        callback_status = v.cb_status, callback_tries = v.cb_tries, callback_due_at = v.cb_due,
        deadline_clock = CASE WHEN v.new_deadline IS NULL THEN NULL ELSE coalesce(v.new_clock, c.deadline_clock) END,
        extension_until = CASE WHEN v.ext THEN v.ext_until ELSE c.extension_until END,
        extension_centre = CASE WHEN v.ext THEN v.ext_centre ELSE c.extension_centre END,
        extension_reason = CASE WHEN v.ext THEN v.ext_reason ELSE c.extension_reason END,
        park_review_at = CASE WHEN v.ext THEN v.park_review ELSE c.park_review_at END,
        park_left = CASE WHEN v.ext THEN v.park_left_us * interval '1 microsecond' ELSE c.park_left END,
        park_from_state = CASE WHEN v.ext THEN v.park_from ELSE c.park_from_state END,
        park_clock = CASE WHEN v.ext THEN v.park_clock ELSE c.park_clock END,
        park_review_due_at = CASE WHEN v.ext THEN v.park_review_due ELSE c.park_review_due_at END
    FROM v
    WHERE c.id = v.case_id
    RETURNING c.id
), h AS (
    INSERT INTO case_history (case_id, actor_id, from_state, to_state, level, from_level, centre_code, transition,
        reason, outcome, parties, deadline_at, grade, major, callback_result, until_at, reason_code)
    SELECT v.case_id, v.actor, v.old_state, v.new_state, v.new_level, v.old_level, v.new_centre, v.act,
        v.reason, v.hist_outcome, v.parties, v.new_deadline, v.hist_grade, v.hist_major, v.cb_result, v.until_at, v.reason_code
    FROM v JOIN u ON u.id = v.case_id
    ORDER BY v.case_id
    RETURNING id, case_id
), o AS (
    INSERT INTO outbox (subject, payload)
    SELECT v.subject, jsonb_set(v.payload, '{transition_id}', to_jsonb(h.id)) FROM h JOIN v ON v.case_id = h.case_id
    ORDER BY h.id
)`

// writeTransitionsSQL is the statement that writes n transitions, without its final SELECT:
// v holds n rows of parameters, each cast to its column's type.
func writeTransitionsSQL(n int) string {
	var b strings.Builder
	b.WriteString("WITH v (")
	for i, c := range transitionValues {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.name)
	}
	b.WriteString(") AS (VALUES ")
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i, c := range transitionValues {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d::%s", r*len(transitionValues)+i+1, c.typ)
		}
		b.WriteByte(')')
	}
	b.WriteString(")")
	b.WriteString(writeTransitionsBody)
	return b.String()
}

// writeTransition writes one transition; photosCTE, mergeCTE and leaderCTE may follow it.
var writeTransition = writeTransitionsSQL(1)

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
	sql   string
	args  []any
	view  CaseView // but for TransitionID, which the statement returns
	plain bool     // writeTransition alone, without photos, merge or leader change: it can share a statement
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
	w.plain = w.sql == writeTransition
	w.sql += "\nSELECT id FROM h"
	return w, nil
}
