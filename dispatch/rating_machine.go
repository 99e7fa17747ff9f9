package dispatch

import (
	"fmt"
	"slices"
	"time"
)

// The rating process (docs/ratings.md, "Process"): an assessment of a village for a period
// goes draft → submitted → (returned → submitted …) → notice (公示) → awarded; the marks it
// earns are then held until a decision removes them (摘旗) and another restores them. Each
// step is checked here, against the assessment's state and the actor's roles, before the
// store writes it.

// Rating actions.
const (
	RateEnter   = "enter"   // the village enters indicators with evidence
	RateSubmit  = "submit"  // the village submits its self-assessment
	RateReturn  = "return"  // the reviewer above sends it back, with a reason
	RateAccept  = "accept"  // the reviewer accepts it: the public notice begins
	RateObject  = "object"  // anyone in the jurisdiction objects during the notice
	RateAward   = "award"   // the awarder awards a mark after the notice
	RateRemove  = "remove"  // the awarder takes a held mark away (摘旗), with a reason
	RateRestore = "restore" // the awarder gives a removed mark back, with a reason
)

// RatingRoles are the capacities in which a member acts on a village's rating, as the web
// layer reads them from the member's assignments.
type RatingRoles struct {
	Self     bool // the village's mediator, or an administrator above it
	Reviewer bool // a supervisor or administrator of its township or county
	Awarder  bool // a supervisor or administrator at the scheme's award level or above
	Reader   bool // anyone assigned in or above the village: reads the sheet and may object
}

type ratingRule struct {
	from   []string // assessment states it may be taken from ("" for none yet); nil: any
	to     string   // "" leaves the state
	may    func(RatingRoles) bool
	reason bool // a reason is required
	mark   bool // about one mark
}

var ratingRules = map[string]ratingRule{
	RateEnter:   {from: []string{"", "draft", "returned"}, may: func(r RatingRoles) bool { return r.Self }},
	RateSubmit:  {from: []string{"", "draft", "returned"}, to: "submitted", may: func(r RatingRoles) bool { return r.Self }},
	RateReturn:  {from: []string{"submitted"}, to: "returned", may: func(r RatingRoles) bool { return r.Reviewer }, reason: true},
	RateAccept:  {from: []string{"submitted"}, to: "notice", may: func(r RatingRoles) bool { return r.Reviewer }},
	RateObject:  {from: []string{"notice"}, may: func(r RatingRoles) bool { return r.Reader }, reason: true},
	RateAward:   {from: []string{"notice", "awarded"}, to: "awarded", may: func(r RatingRoles) bool { return r.Awarder }, mark: true},
	RateRemove:  {may: func(r RatingRoles) bool { return r.Awarder }, reason: true, mark: true},
	RateRestore: {may: func(r RatingRoles) bool { return r.Awarder }, reason: true, mark: true},
}

// RatingStep is one step asked for.
type RatingStep struct {
	Scheme, Unit string
	Period       time.Time // any day of the period (a date); zero: today's
	Action       string
	Mark         int
	Reason       string
	Entries      []RatingEntry
	ActorID      int64
	Roles        RatingRoles
	Today        time.Time // the local date (StatsToday)
}

// MayRate lists the actions roles may take from state now, for the apps' buttons.
func MayRate(state string, roles RatingRoles, noticeEnds *time.Time, today time.Time) []string {
	var out []string
	for _, a := range []string{RateEnter, RateSubmit, RateReturn, RateAccept, RateObject, RateAward, RateRemove, RateRestore} {
		if ratingAllowed(a, state, roles, noticeEnds, today) == nil {
			out = append(out, a)
		}
	}
	return out
}

// ratingAllowed checks an action from state: who may, and when.
func ratingAllowed(action, state string, roles RatingRoles, noticeEnds *time.Time, today time.Time) error {
	rule, ok := ratingRules[action]
	if !ok {
		return fmt.Errorf("%w: action must be one of enter, submit, return, accept, object, award, remove, restore", ErrBadRatingAction)
	}
	if !rule.may(roles) {
		return fmt.Errorf("%w: %s", ErrRatingNotYours, action)
	}
	if rule.from != nil && !slices.Contains(rule.from, state) {
		if state == "" {
			state = "not begun"
		}
		return fmt.Errorf("%w: %s from %s", ErrRatingNotAllowed, action, state)
	}
	over := noticeEnds == nil || today.After(*noticeEnds)
	switch {
	case action == RateObject && over:
		return fmt.Errorf("%w: the public notice has ended", ErrRatingNotAllowed)
	case action == RateAward && state == "notice" && !over:
		return fmt.Errorf("%w: it ends on %s", ErrNoticeRunning, noticeEnds.Format(time.DateOnly))
	}
	return nil
}

// check validates the step's own fields, before anything is read.
func (st RatingStep) check(s *RatingScheme) error {
	rule, ok := ratingRules[st.Action]
	if !ok {
		return fmt.Errorf("%w: action must be one of enter, submit, return, accept, object, award, remove, restore", ErrBadRatingAction)
	}
	if n := len([]rune(st.Reason)); n > MaxRatingReason || (rule.reason && n == 0) {
		return fmt.Errorf("%w: reason: 1 to %d characters for %s", ErrBadRatingAction, MaxRatingReason, st.Action)
	}
	if rule.mark != (st.Mark != 0) || st.Mark < 0 || st.Mark > len(s.Marks) {
		return fmt.Errorf("%w: mark: 1 to %d for award, remove and restore only", ErrBadRatingAction, len(s.Marks))
	}
	if (st.Action == RateEnter) != (len(st.Entries) > 0) || len(st.Entries) > MaxRatingEntries {
		return fmt.Errorf("%w: entries: 1 to %d for enter only", ErrBadRatingAction, MaxRatingEntries)
	}
	entered := map[string]bool{}
	for _, m := range s.Marks {
		for _, it := range m.Indicators {
			if it.Source == "entered" {
				entered[it.Code] = true
			}
		}
	}
	seen := map[string]bool{}
	for _, e := range st.Entries {
		switch n := len([]rune(e.Note)); {
		case !entered[e.Code]:
			return fmt.Errorf("%w: %q is not an entered indicator of %s", ErrBadRatingAction, e.Code, s.Code)
		case seen[e.Code]:
			return fmt.Errorf("%w: %q entered twice", ErrBadRatingAction, e.Code)
		case e.Value != e.Value || e.Value > maxRatingThreshold || e.Value < -maxRatingThreshold:
			return fmt.Errorf("%w: %s: value must be a number", ErrBadRatingAction, e.Code)
		case n < 1 || n > MaxRatingReason:
			return fmt.Errorf("%w: %s: the evidence note has 1 to %d characters", ErrBadRatingAction, e.Code, MaxRatingReason)
		case len(e.Photos) > MaxRatingPhotos:
			return fmt.Errorf("%w: %s: at most %d photos", ErrBadRatingAction, e.Code, MaxRatingPhotos)
		}
		seen[e.Code] = true
		for _, p := range e.Photos {
			if !isSHA256(p) {
				return fmt.Errorf("%w: %s: photos are the sha256 of uploaded photos", ErrBadRatingAction, e.Code)
			}
		}
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
