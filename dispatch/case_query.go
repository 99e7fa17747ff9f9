package dispatch

import (
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// CaseSummary is a case as a centre's queue lists it, read by its columns' names
// (summaryColumns).
type CaseSummary struct {
	ID           int64      `db:"id"`
	Version      int        `db:"version"`
	State        CaseState  `db:"state"`
	Level        Tier       `db:"level"`
	Centre       string     `db:"centre"`
	Unit         string     `db:"unit"`
	UnitName     string     `db:"unit_name"`
	Category     string     `db:"category"`
	Severity     string     `db:"severity"`
	Summary      string     `db:"summary"` // the description, cut to SummaryChars
	ReporterID   int64      `db:"reporter_id"`
	ReporterName string     `db:"reporter_name"`
	OpenedAt     time.Time  `db:"opened_at"`
	DeadlineAt   *time.Time `db:"deadline_at"`
	Overdue      bool       `db:"overdue"`
	UrgedAt      *time.Time `db:"urged_at"`
	// Awaiting verification: from VerifyDueAt staff may verify it, at VerifyLapseAt the timer
	// closes it as not verified (docs/cases.md). Nil otherwise.
	VerifyDueAt   *time.Time `db:"verify_due_at"`
	VerifyLapseAt *time.Time `db:"verify_lapse_at"`
	// Risk grading (case_grade.go): nil grade when not graded; the leader who owns the case.
	Grade      *string `db:"grade"`
	Major      bool    `db:"major"`
	LeaderID   *int64  `db:"leader_id"`
	LeaderName string  `db:"leader_name"`
	// Callback (回访, case_callback.go): nil if never called back; pending until CallbackDueAt,
	// then how it ended. CallbackTries counts the tries that did not reach the party.
	CallbackStatus *string    `db:"callback_status"`
	CallbackTries  int        `db:"callback_tries"`
	CallbackDueAt  *time.Time `db:"callback_due_at"`
	// DeadlineClock is how DeadlineAt's time runs; WorkingLeft, on a working clock, the working
	// time left at the query (docs/routing.md, "Working time"): what the apps show as 剩余.
	DeadlineClock Clock          `db:"deadline_clock"`
	WorkingLeft   *time.Duration `db:"-"`
	// ReviewDueAt: parked, when the timer recorded its review date as passed (复核到期,
	// case_park_review.go); nil otherwise.
	ReviewDueAt *time.Time `db:"review_due_at"`
}

// StaffMayVerify says whether the reporter's time to verify the case has run out at now, so
// that its centre's mediators and its grid leaders may verify it instead.
func (c CaseSummary) StaffMayVerify(now time.Time) bool {
	return c.State == StateVerifying && c.VerifyDueAt != nil && !now.Before(*c.VerifyDueAt)
}

// SummaryChars is how much of a description a queue shows.
const SummaryChars = 140

// QueueFilter selects a centre's open cases.
type QueueFilter struct {
	Centre   string
	State    CaseState // "" for every open state
	Category string    // "" for every category
	Query    string    // matched against description, place and case number
	Led      bool      // only the cases a county leader owns (领导包案)
	Limit    int
}

// Bounds on queue requests.
const (
	MaxQueueLimit  = 500
	MaxQueryChars  = 100
	DefaultQueueLn = 200
)

// CaseDetail is one case with its report, place and history, for the case page.
// The columns of selectDetail are named by the db tags; the rest is read after.
type CaseDetail struct {
	CaseSummary
	Description   string            `db:"description"`
	HappenedAt    time.Time         `db:"happened_at"`
	ReceivedAt    time.Time         `db:"received_at"`
	Lon           float64           `db:"lon"`
	Lat           float64           `db:"lat"`
	AccuracyM     *float64          `db:"accuracy_m"`
	Photos        []string          `db:"photos"`
	ReporterPhone string            `db:"reporter_phone"`
	Outcome       *string           `db:"outcome"`
	Reworks       int               `db:"reworks"`
	CategoryGroup string            `db:"category_group"` // the category's group: whether the case is a dispute (Category.Dispute)
	Path          grid.Path         `db:"-"`
	History       []HistoryEntry    `db:"-"`
	TransferTo    []grid.UnitRef    `db:"-"` // other centres of the current tier under the same parent
	Extension     *PendingExtension `db:"-"` // an extension request of the current centre awaiting a decision
	Parking       *Parking          `db:"-"` // while parked (挂账)
	// 并单 (case_merged.go): the reports merged into this case, the first MaxMergedReports of
	// MergedTotal; and for a merged report, the main case it follows (0: none).
	MergedReports []MergedReport `db:"-"`
	MergedTotal   int            `db:"-"`
	MergedInto    int64          `db:"-"`
	// Leader ownership (case_leader.go), for an open case a leader owns: the other leaders of its
	// county it may be handed to, and whether the owner still is one (if not, any may act).
	LeadTo      []LeaderRef `db:"-"`
	LeaderHolds bool        `db:"-"`
}

// HistoryEntry is one transition of a case, read by its columns' names (selectHistory).
type HistoryEntry struct {
	ID         int64      `db:"id"`
	At         time.Time  `db:"at"`
	ActorID    *int64     `db:"actor_id"` // nil: the system
	ActorName  string     `db:"actor_name"`
	Transition string     `db:"transition"`
	FromState  *string    `db:"from_state"`
	ToState    string     `db:"to_state"`
	FromLevel  *Tier      `db:"from_level"`
	Level      Tier       `db:"level"`
	Centre     *string    `db:"centre"`
	Reason     string     `db:"reason"`
	Outcome    *string    `db:"outcome"`
	Parties    string     `db:"parties"`
	DeadlineAt *time.Time `db:"deadline_at"`
	// CallbackResult is set on the row that ended a callback (case_callback.go).
	CallbackResult *string    `db:"callback_result"`
	Photos         []string   `db:"photos"`
	Grade          *string    `db:"grade"` // the grade this transition gave (accept with a grade, regrade)
	Major          *bool      `db:"major"`
	Until          *time.Time `db:"until"`       // extend_*: the deadline asked for; park: the review date
	ReasonCode     *string    `db:"reason_code"` // decline (退单): why
	// ToLeader is the leader an ownership row (lead, lead_handover) made owner (case_leader.go).
	ToLeaderID   *int64 `db:"to_leader_id"`
	ToLeaderName string `db:"to_leader_name"`
}

// ActorRoles says in which capacities a member stands towards one case.
type ActorRoles struct {
	CentreMediator bool // a mediator of the case's current centre
	Reporter       bool
	Supervisor     bool // a supervisor at the case's unit or above
	// Verifier: a mediator of the current centre or a grid leader of the case's place, once the
	// reporter's verification deadline has passed: they may verify or rework it instead (代核查).
	Verifier bool
	Leader   bool // a supervisor assigned at the case's county: may take ownership (领导包案)
	// SupervisorAbove: a supervisor at the case's centre's unit or above, who decides its
	// centre's extension requests (case_extension.go).
	SupervisorAbove bool
	// CentreAbove: a mediator of a centre above the case's current one, who rules on its
	// centre's decline (退单, case_decline.go).
	CentreAbove bool
	Owner       bool // the county leader who owns the case (领导包案, case_leader.go)
}

// ActionsFor lists what a member in these roles may do to a case in this state.
func ActionsFor(state CaseState, roles ActorRoles) []Action {
	var out []Action
	for _, a := range Actions(state) {
		switch machine[a].by {
		case byCentre:
			if roles.CentreMediator {
				out = append(out, a)
			}
		case byReporter:
			if roles.Reporter || roles.Verifier {
				out = append(out, a)
			}
		case bySupervisor:
			if roles.Supervisor {
				out = append(out, a)
			}
		case byLeader:
			if roles.Leader {
				out = append(out, a)
			}
		case bySupervisorAbove:
			if roles.SupervisorAbove {
				out = append(out, a)
			}
		case byCentreAbove:
			if roles.CentreAbove {
				out = append(out, a)
			}
		}
	}
	return out
}

// Actions lists what a member in these roles may do to this case now: ActionsFor its state,
// less the moves that have nowhere to go: escalating from the county, returning with no centre
// below, transferring with no other centre beside, and settling a dispute no mediation was
// recorded for yet (settleRule).
func (d CaseDetail) Actions(roles ActorRoles) []Action {
	var out []Action
	for _, a := range ActionsFor(d.State, roles) {
		switch {
		case a == ActEscalate && d.Level <= TierCounty,
			a == ActReturn && (d.Level >= TierVillage || CentreBelow(&d.Path, grid.Level(d.Level)) == 0),
			a == ActTransfer && len(d.TransferTo) == 0,
			a == ActSettle && d.State == StateAccepted && (Category{Group: d.CategoryGroup}).Dispute(),
			a == ActLead && (d.Grade == nil || Grade(*d.Grade) != GradeDifficult || d.LeaderID != nil),
			isCallbackAction(a) && !d.CallbackPending(),
			!d.extensionOffers(a),
			!d.leaderOffers(a, roles): // case_leader.go
			continue
		}
		out = append(out, a)
	}
	return out
}
