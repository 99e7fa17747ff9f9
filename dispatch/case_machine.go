package dispatch

import (
	"fmt"
	"slices"
)

// CaseState is where a case stands at its tier (DESIGN.md contract 3: one state, one tier).
type CaseState string

// The states of a case.
const (
	StateQueued    CaseState = "queued"    // in a centre's queue, not yet accepted (待受理)
	StateAccepted  CaseState = "accepted"  // accepted by the centre (已受理)
	StateMediating CaseState = "mediating" // being mediated or handled (调处中)
	StateVerifying CaseState = "verifying" // settled; the reporting grid worker verifies on site (待核查)
	StateClosed    CaseState = "closed"    // closed (办结)
)

// Action is what a user does to a case; each one is a transition with one history row.
type Action string

// The actions of the workflow.
const (
	ActAccept   Action = "accept"   // 受理
	ActMediate  Action = "mediate"  // 调处: one recorded attempt (notes, parties)
	ActSettle   Action = "settle"   // 办结: with an outcome, then verification
	ActVerify   Action = "verify"   // 核查通过: the reporter confirms on site
	ActRework   Action = "rework"   // 返工: verification failed, back to the centre
	ActEscalate Action = "escalate" // 上报: to the next tier up, with a reason
	ActReturn   Action = "return"   // 下派: to the tier below, with instructions
	ActTransfer Action = "transfer" // 改派: to another centre of the same tier (misrouted)
	ActUrge     Action = "urge"     // 督办: a supervisor presses; the state does not change
	ActOverdue  Action = "overdue"  // 逾期: the timer flags a case past its deadline; the state does not change
	// ActCloseUnverified is the timer closing a case nobody verified (逾期未核查): its verification
	// lapsed (docs/cases.md). The case counts as closed, and apart as not verified.
	ActCloseUnverified Action = "close_unverified"
)

// Risk grading and leader ownership (issue 16 point 5; dispatch/case_grade.go).
const (
	ActRegrade Action = "regrade" // 改定等级: a new grade with a reason; may send the case up a tier
	ActLead    Action = "lead"    // 领导包案: a county leader takes ownership of a difficult case; the state does not change
)

// ActMerge is 并单: the centre closes a duplicate report into its main case (Transition.MergeInto,
// docs/cases.md); the duplicate's reporter follows the main case (case_merge.go).
const ActMerge Action = "merge"

// Outcome is how a settled case ended.
type Outcome string

// Outcomes of settling.
const (
	OutcomeMediated  Outcome = "mediated"  // 调解成功
	OutcomeHandled   Outcome = "handled"   // 已处置 (not a dispute: a hazard removed, a light fixed)
	OutcomeUnsettled Outcome = "unsettled" // 调解不成 (e.g. guided to litigation)
)

// actor is who may take an action.
type actor int

const (
	byCentre     actor = iota // a mediator of the case's current centre
	byReporter                // the grid worker who reported the event; past the verification deadline also staff (ActorRoles.Verifier)
	bySupervisor              // a supervisor at the case's unit or above
	bySystem                  // the escalation timer only
	byLeader                  // a county leader: a supervisor assigned at the case's county (领导包案)
)

type rule struct {
	from      []CaseState
	to        CaseState // "" keeps the state
	by        actor
	needsText bool // a reason, notes or instructions are required
	tierDelta int  // -1 up a tier (towards the county), +1 down a tier
	timer     bool // the escalation timer may take it too, when the deadline has passed
	late      bool // taken by the timer, it marks the case late: a centre's deadline passed
}

// Target is the state a leaves a case in; "" when it keeps the state or, for the few actions
// whose end depends on the case (unpark, callback), when Apply decides it. The demo history
// (dispatch/demohistory) plays cases by the same rules.
func (a Action) Target() CaseState { return machine[a].to }

// TimerMarksLate is whether a, taken by the escalation timer, marks the case late: a centre's
// deadline passed.
func (a Action) TimerMarksLate() bool { return machine[a].late }

// machine is the whole workflow; docs/cases.md draws it.
var machine = map[Action]rule{
	ActAccept:          {from: []CaseState{StateQueued}, to: StateAccepted, by: byCentre},
	ActMediate:         {from: []CaseState{StateAccepted, StateMediating}, to: StateMediating, by: byCentre, needsText: true},
	ActSettle:          {from: []CaseState{StateAccepted, StateMediating}, to: StateVerifying, by: byCentre, needsText: true}, // from accepted: settleRule
	ActVerify:          {from: []CaseState{StateVerifying}, to: StateClosed, by: byReporter},
	ActRework:          {from: []CaseState{StateVerifying}, to: StateAccepted, by: byReporter, needsText: true},
	ActEscalate:        {from: []CaseState{StateQueued, StateAccepted, StateMediating}, to: StateQueued, by: byCentre, needsText: true, tierDelta: -1, timer: true, late: true},
	ActReturn:          {from: []CaseState{StateQueued, StateAccepted, StateMediating}, to: StateQueued, by: byCentre, needsText: true, tierDelta: +1},
	ActTransfer:        {from: []CaseState{StateQueued, StateAccepted}, to: StateQueued, by: byCentre, needsText: true},
	ActUrge:            {from: []CaseState{StateQueued, StateAccepted, StateMediating, StateVerifying}, by: bySupervisor, needsText: true},
	ActOverdue:         {from: []CaseState{StateQueued, StateAccepted, StateMediating}, by: bySystem, needsText: true, timer: true, late: true},
	ActCloseUnverified: {from: []CaseState{StateVerifying}, to: StateClosed, by: bySystem, needsText: true, timer: true},

	// Risk grading (case_grade.go): a regrade that sends the case up leaves it queued there.
	ActRegrade: {from: []CaseState{StateAccepted, StateMediating}, by: byCentre, needsText: true},
	ActLead:    {from: []CaseState{StateQueued, StateAccepted, StateMediating}, by: byLeader},
	// Duplicates (并单): case_merge.go.
	ActMerge: {from: []CaseState{StateQueued, StateAccepted, StateMediating}, to: StateClosed, by: byCentre},
}

// errUnknownOutcome: a settle whose outcome is none of the three (the sentinels are in errors.go).
var errUnknownOutcome = fmt.Errorf("%w: outcome must be mediated, handled or unsettled", ErrBadTransition)

// Bounds on what a transition carries.
const (
	MaxReasonChars  = 2000 // reasons, notes and instructions
	MaxPartiesChars = 500  // who took part in an attempt
)

// Dispute says whether a category's cases are disputes between parties (矛盾纠纷), which are
// settled by mediation: only after a recorded attempt (调处), with its outcome. Other matters (a
// street lamp, a hazard) may be settled as handled (已处置) straight from accepted.
func (c Category) Dispute() bool { return c.Group == "dispute" }

// settleRule is what settling asks beyond the machine: from accepted, with no mediation recorded
// since, only a matter that is not a dispute, and only as handled.
func settleRule(from CaseState, c Category, o Outcome) error {
	if from != StateAccepted {
		return nil
	}
	if c.Dispute() {
		return ErrNoMediationYet
	}
	if o != OutcomeHandled {
		return fmt.Errorf("%w: without a recorded mediation the outcome can only be handled", ErrBadTransition)
	}
	return nil
}

// Allowed reports whether an action may be taken from a state (by someone entitled to it).
func Allowed(a Action, from CaseState) bool {
	r, ok := machine[a]
	return ok && slices.Contains(r.from, from)
}

// Actions lists what may be done from a state, in a stable order, for the console's buttons.
func Actions(from CaseState) []Action {
	var out []Action
	for _, a := range []Action{ActAccept, ActMediate, ActSettle, ActVerify, ActRework, ActEscalate, ActReturn, ActTransfer,
		ActUrge, ActOverdue, ActCloseUnverified, ActRegrade, ActLead, ActLeadHandover, ActLeadRelease,
		ActCallback, ActCallbackTry, ActCallbackLapse, // callback: case_callback.go
		ActRequestExtension, ActApproveExtension, ActRefuseExtension, ActPark, ActUnpark,
		ActParkReviewDue, // the timer: a parking's review date passed (case_park_review.go)
		ActDecline, ActDeclineUphold, ActDeclineOverrule} {
		if Allowed(a, from) {
			out = append(out, a)
		}
	}
	return out
}
