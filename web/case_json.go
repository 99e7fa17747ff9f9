package web

import (
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// The JSON shapes of docs/cases-api.md.

type caseSummaryJSON struct {
	ID           int64              `json:"id"`
	Version      int                `json:"version"`
	State        dispatch.CaseState `json:"state"`
	Level        dispatch.Tier      `json:"level"`
	Centre       string             `json:"centre"`
	Unit         string             `json:"unit"`
	UnitName     string             `json:"unit_name"`
	Category     string             `json:"category"`
	Severity     string             `json:"severity"`
	Summary      string             `json:"summary"`
	ReporterName string             `json:"reporter_name"`
	OpenedAt     time.Time          `json:"opened_at"`
	DeadlineAt   *time.Time         `json:"deadline_at"`
	Overdue      bool               `json:"overdue"`
	UrgedAt      *time.Time         `json:"urged_at"`
	VerifyDueAt  *time.Time         `json:"verify_due_at,omitempty"`   // awaiting verification: the reporter's deadline
	VerifyLapse  *time.Time         `json:"verify_lapse_at,omitempty"` // then closed as not verified
	Grade        *string            `json:"grade"`                     // simple, complex, difficult; null: not graded
	Major        bool               `json:"major"`                     // 重大
	Leader       *memberRefJSON     `json:"leader"`                    // the county leader who owns it (领导包案); null: none
	// 回访 (docs/cases.md "Callback"): pending until callback_due_at, then how it ended.
	Callback      *string    `json:"callback,omitempty"`
	CallbackTries int        `json:"callback_tries,omitempty"`
	CallbackDueAt *time.Time `json:"callback_due_at,omitempty"`
	// How deadline_at's time runs, and on a working clock the working time left now, in
	// seconds: the 剩余 to show (docs/routing.md, "Working time").
	DeadlineClock dispatch.Clock `json:"deadline_clock"`
	WorkingLeftS  *int64         `json:"working_left_s,omitempty"`
	// Parked, its review date passed (复核到期): when the timer recorded it.
	ReviewDueAt *time.Time `json:"review_due_at,omitempty"`
}

func summaryJSON(c dispatch.CaseSummary) caseSummaryJSON {
	return caseSummaryJSON{ID: c.ID, Version: c.Version, State: c.State, Level: c.Level, Centre: c.Centre,
		Unit: c.Unit, UnitName: c.UnitName, Category: c.Category, Severity: c.Severity, Summary: c.Summary,
		ReporterName: c.ReporterName, OpenedAt: c.OpenedAt, DeadlineAt: c.DeadlineAt, Overdue: c.Overdue, UrgedAt: c.UrgedAt,
		VerifyDueAt: c.VerifyDueAt, VerifyLapse: c.VerifyLapseAt, Grade: c.Grade, Major: c.Major, Leader: leaderJSON(c),
		Callback: c.CallbackStatus, CallbackTries: c.CallbackTries, CallbackDueAt: c.CallbackDueAt,
		DeadlineClock: c.DeadlineClock, WorkingLeftS: seconds(c.WorkingLeft), ReviewDueAt: c.ReviewDueAt}
}

func leaderJSON(c dispatch.CaseSummary) *memberRefJSON {
	if c.LeaderID == nil {
		return nil
	}
	return &memberRefJSON{ID: *c.LeaderID, Name: c.LeaderName}
}

// seconds is d in whole seconds, nil for nil.
func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}

func summariesJSON(list []dispatch.CaseSummary) []caseSummaryJSON {
	out := make([]caseSummaryJSON, len(list))
	for i, c := range list {
		out[i] = summaryJSON(c)
	}
	return out
}

type memberRefJSON struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
}

type caseDetailJSON struct {
	caseSummaryJSON
	Description string        `json:"description"`
	HappenedAt  time.Time     `json:"happened_at"`
	ReceivedAt  time.Time     `json:"received_at"`
	Lon         float64       `json:"lon"`
	Lat         float64       `json:"lat"`
	AccuracyM   *float64      `json:"accuracy_m"`
	Photos      []string      `json:"photos"`
	Outcome     *string       `json:"outcome"`
	Reworks     int           `json:"rework_count"`
	Reporter    memberRefJSON `json:"reporter"`
}

type historyJSON struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	Actor      *memberRefJSON `json:"actor"`
	Transition string         `json:"transition"`
	FromState  *string        `json:"from_state"`
	ToState    string         `json:"to_state"`
	FromLevel  *dispatch.Tier `json:"from_level"`
	Level      dispatch.Tier  `json:"level"`
	Centre     *string        `json:"centre"`
	Reason     string         `json:"reason"`
	Outcome    *string        `json:"outcome"`
	Parties    string         `json:"parties"`
	DeadlineAt *time.Time     `json:"deadline_at"`
	Photos     []string       `json:"photos"`
	Grade      *string        `json:"grade,omitempty"` // the grade this transition gave
	Major      *bool          `json:"major,omitempty"`
	Callback   *string        `json:"callback_result,omitempty"` // on the row that ended a callback
	Until      *time.Time     `json:"until_at,omitempty"`        // extend_*: the deadline asked for; park: the review date
	ReasonCode *string        `json:"reason_code,omitempty"`     // decline (退单): why
	ToLeader   *memberRefJSON `json:"to_leader,omitempty"`       // lead, lead_handover: the new owner
}

type casePageJSON struct {
	Case       caseDetailJSON    `json:"case"`
	Units      []unitJSON        `json:"units"`
	History    []historyJSON     `json:"history"`
	Actions    []dispatch.Action `json:"actions"`
	TransferTo []unitRefJSON     `json:"transfer_to"`
	Extension  *extensionJSON    `json:"extension"`  // a request of the current centre awaiting a decision, or null
	Parking    *parkingJSON      `json:"parking"`    // while parked (挂账), or null
	DeclineTo  []unitRefJSON     `json:"decline_to"` // declined (退单): where a ruling may re-route it
	// 并单 (case_merged.go): the reports merged into this case (staff only), how many in all, and
	// for a merged report the main case it follows (null: not merged).
	MergedReports []mergedReportJSON `json:"merged_reports"`
	MergedTotal   int                `json:"merged_total"`
	MergedInto    *int64             `json:"merged_into"`
	// 领导包案 (dispatch/case_leader.go): the county leaders lead_handover may name, when offered.
	LeadTo []memberRefJSON `json:"lead_to"`
}

type unitRefJSON struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level int    `json:"level,omitempty"`
	Role  string `json:"role,omitempty"`
}

func casePage(d dispatch.CaseDetail, actions []dispatch.Action) casePageJSON {
	out := casePageJSON{
		Case: caseDetailJSON{caseSummaryJSON: summaryJSON(d.CaseSummary), Description: d.Description,
			HappenedAt: d.HappenedAt, ReceivedAt: d.ReceivedAt, Lon: d.Lon, Lat: d.Lat, AccuracyM: d.AccuracyM,
			Photos: d.Photos, Outcome: d.Outcome, Reworks: d.Reworks,
			Reporter: memberRefJSON{ID: d.ReporterID, Name: d.ReporterName, Phone: d.ReporterPhone}},
		Units:      locationFrame(grid.Location{Path: &d.Path}, true).Units,
		History:    make([]historyJSON, len(d.History)),
		Actions:    actions,
		TransferTo: make([]unitRefJSON, len(d.TransferTo)),
	}
	if out.Actions == nil {
		out.Actions = []dispatch.Action{}
	}
	for i, h := range d.History {
		hj := historyJSON{ID: h.ID, At: h.At, Transition: h.Transition, FromState: h.FromState, ToState: h.ToState,
			FromLevel: h.FromLevel, Level: h.Level, Centre: h.Centre, Reason: h.Reason, Outcome: h.Outcome,
			Parties: h.Parties, DeadlineAt: h.DeadlineAt, Photos: h.Photos, Grade: h.Grade, Major: h.Major, Callback: h.CallbackResult,
			Until: h.Until, ReasonCode: h.ReasonCode}
		if h.ActorID != nil {
			hj.Actor = &memberRefJSON{ID: *h.ActorID, Name: h.ActorName}
		}
		if h.ToLeaderID != nil {
			hj.ToLeader = &memberRefJSON{ID: *h.ToLeaderID, Name: h.ToLeaderName}
		}
		out.History[i] = hj
	}
	for i, u := range d.TransferTo {
		out.TransferTo[i] = unitRefJSON{Code: u.Code, Name: u.Name}
	}
	out.Extension, out.Parking = extensionOf(d)
	out.DeclineTo = declineTargets(d)
	out.LeadTo = leadTargets(d, actions)
	return out
}
