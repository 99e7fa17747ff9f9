package dispatch

import (
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// CaseEvent is the message published on NATS after a case transition commits, on the subject
// case.<action>.<county>.<township>.<village>.<grid>.<micro-grid> (docs/subjects.md). Consumers
// deduplicate on TransitionID, the id of the history row.
type CaseEvent struct {
	TransitionID int64      `json:"transition_id"`
	CaseID       int64      `json:"case_id"`
	EventID      int64      `json:"event_id"`
	Action       string     `json:"action"` // reported, closed (on the spot), or an Action
	State        CaseState  `json:"state"`
	Level        Tier       `json:"level"`
	Centre       string     `json:"centre"`
	FromState    CaseState  `json:"from_state,omitempty"`
	FromLevel    Tier       `json:"from_level,omitempty"`
	FromCentre   string     `json:"from_centre,omitempty"`
	Unit         string     `json:"unit"`
	UnitName     string     `json:"unit_name"`
	Category     string     `json:"category"`
	Severity     string     `json:"severity"`
	Reporter     int64      `json:"reporter"`
	Actor        int64      `json:"actor,omitempty"` // 0: the system (timer)
	Version      int        `json:"version"`
	Reason       string     `json:"reason,omitempty"`
	OpenedAt     time.Time  `json:"opened_at"`
	DeadlineAt   *time.Time `json:"deadline_at"`
	VerifyDueAt  *time.Time `json:"verify_due_at,omitempty"` // awaiting verification: the reporter's deadline
	Overdue      bool       `json:"overdue"`
	At           time.Time  `json:"at"`

	// What the statistics need to count the transition (docs/metrics.md): whether the case was
	// flagged overdue before it, its outcome, reworks and lateness after it.
	FromOverdue bool    `json:"from_overdue,omitempty"`
	Outcome     *string `json:"outcome,omitempty"`
	Reworks     int     `json:"reworks,omitempty"`
	Late        bool    `json:"late,omitempty"`

	// Risk grading (case_grade.go): the case's grade after the transition, and its leader.
	Grade      *string `json:"grade,omitempty"`
	Major      bool    `json:"major,omitempty"`
	Leader     int64   `json:"leader,omitempty"`      // the county leader who owns it (领导包案); 0: none
	MergedInto int64   `json:"merged_into,omitempty"` // merge (并单): the main case the duplicate follows
	// Callback (case_callback.go): the result on the transition that ended a callback, and on a
	// reopening (不满意) when the closure it undoes was made, so that closure is un-counted.
	Callback *Satisfaction `json:"callback,omitempty"`
	ClosedAt *time.Time    `json:"closed_at,omitempty"`
	// DeadlineClock is how DeadlineAt's time runs (docs/routing.md, "Working time"), when the
	// transition set it; "" keeps the case's.
	DeadlineClock string `json:"deadline_clock,omitempty"`
}

// UnlocatedEvent is the message published on event.unlocated for a report outside the grid,
// which waits for triage (the intake's outbox row, intake_store.go).
type UnlocatedEvent struct {
	EventID  int64  `json:"event_id"`
	Category string `json:"category"`
	Reporter int64  `json:"reporter"`
}

// Subject prefixes: every case transition is under case.>, unlocated events under event.>.
const (
	SubjectCases     = "case.>"
	SubjectUnlocated = "event.unlocated"
)

// CaseSubject is the subject of a transition of a case at unit.
func CaseSubject(action, unit string) string { return "case." + action + "." + subjectCode(unit) }

// SubtreeSubject is the wildcard subject of every transition of cases in the unit's subtree,
// e.g. case.*.140802.001.> for township 140802001.
func SubtreeSubject(unit string) string {
	if grid.LevelOfCode(unit) == grid.MicroGrid {
		return "case.*." + subjectCode(unit)
	}
	return "case.*." + subjectCode(unit) + ".>"
}

// subjectCode cuts a unit code into its levels: 140802002200003 -> 140802.002.200.003.
func subjectCode(code string) string {
	var parts []string
	start := 0
	for l := grid.County; l <= grid.MicroGrid && len(code) >= l.CodeLength(); l++ {
		parts = append(parts, code[start:l.CodeLength()])
		start = l.CodeLength()
	}
	return strings.Join(parts, ".")
}
