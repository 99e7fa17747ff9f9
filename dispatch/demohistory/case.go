package demohistory

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// caseSim plays one case from its report to where it stands at Now, recording each row as the
// live system would have: the intake's first row, each mediator's and the reporter's transitions
// (docs/cases.md), and the timer's whenever a deadline passes first (docs/routing.md). The rules
// are the state machine's (dispatch.Action.Target, TimerMarksLate) and routing's
// (dispatch.StartingCentre, CentreAbove, CentreBelow); deadlines are the category's
// (dispatch.Deadlines), set when the live system sets them (dispatch's nextTimes).
type caseSim struct {
	h   *History
	rng *rand.Rand
	day *Day

	idx         int32
	cat         *historyCategory
	place       *historyPlace
	c           Case
	reporter    int64
	t           time.Time // the last row's time
	stuck       bool      // no tier ever settles it: it goes up as each deadline passes (a hard case)
	unverified  bool      // the reporter never verifies it
	transferred bool
	returned    bool
}

// played is how an attempt to move a case on ended.
type played int

const (
	playedDone    played = iota // the action was taken
	playedMoved                 // the case went to another centre (escalated, returned, transferred)
	playedStopped               // nothing more happens before Now
	playedSettled               // settled; the reporter verifies next
	playedClosed                // verified and closed
)

// step is one transition to record.
type step struct {
	a       dispatch.Action
	actor   int64 // 0: the timer
	reason  string
	parties string
	outcome dispatch.Outcome
	level   dispatch.Tier // the tier it moves the case to (escalate, return, transfer); 0 keeps it
	centre  string        // the centre it moves the case to
}

// Hard cases: the share that no tier settles however long it works on them, and the share
// whose reporter never comes to verify. With the cases still in progress at Now they make the
// open share (about 5% over two years: 办结率 around 95%).
const (
	historyStuck      = 0.05
	historyUnverified = 0.004
)

// historyNever is how long after its last step a stalled case's next step would come.
const historyNever = 100 * 365 * 24 * time.Hour

func (s *caseSim) run(idx int32, cat *historyCategory, place *historyPlace, opened time.Time) {
	rng := s.rng
	path := place.path
	*s = caseSim{h: s.h, rng: rng, day: s.day, idx: idx, cat: cat, place: place, t: opened,
		reporter: place.reporters[rng.IntN(len(place.reporters))]}
	severity := dispatch.SeverityNormal
	if rng.Float64() < cat.urgent {
		severity = dispatch.SeverityUrgent
	}
	pt := place.point(rng)
	e := Event{ReporterID: s.reporter, Category: cat.Code, Severity: severity,
		Description: historyDescription(cat.Category, rng.IntN), Lon: pt[0], Lat: pt[1],
		AccuracyM: float32(min(150, 3+rng.ExpFloat64()*12)), HappenedAt: opened.Add(-reportDelay(rng)),
		ReceivedAt: opened, Unit: path.Units[path.Level].Code}
	randA := rng.Uint32()
	e.ClientID[6], e.ClientID[7] = 0x70|byte(randA>>8)&0x0f, byte(randA)
	s.c = Case{Unit: e.Unit, OpenedAt: opened, Severity: severity}
	if rng.Float64() < cat.onSpot {
		e.OnSpot, e.OnSpotNote = true, historyOnSpotNotes[rng.IntN(len(historyOnSpotNotes))]
		s.c.State, s.c.Level, s.c.Centre, s.c.ClosedAt = dispatch.StateClosed, dispatch.TierGrid, path.Units[min(grid.Grid, path.Level)].Code, opened
		s.row(opened, "closed", s.reporter, "", 0, historyOnSpotReason, "", "")
	} else {
		level := dispatch.StartingCentre(path, cat.StartLevel.Level())
		s.c.State, s.c.Level, s.c.Centre = dispatch.StateQueued, dispatch.TierOf(level), path.Units[level].Code
		s.c.DeadlineAt = opened.Add(cat.Deadlines.For(s.c.Level, severity))
		s.row(opened, "reported", s.reporter, "", 0, dispatch.NoCentreReason(path, cat.StartLevel.Level(), level), "", "")
		s.stuck, s.unverified = rng.Float64() < historyStuck, rng.Float64() < historyUnverified
		s.play()
	}
	s.day.Events = append(s.day.Events, e)
	s.day.Cases = append(s.day.Cases, s.c)
}

// reportDelay is how long before its report an event happened.
func reportDelay(rng *rand.Rand) time.Duration {
	switch x := rng.Float64(); {
	case x < 0.7:
		return 5*time.Minute + time.Duration(rng.Int64N(int64(115*time.Minute)))
	case x < 0.95:
		return 2*time.Hour + time.Duration(rng.Int64N(int64(22*time.Hour)))
	}
	return 24*time.Hour + time.Duration(rng.Int64N(int64(6*24*time.Hour)))
}

func (s *caseSim) play() {
	for {
		r := s.work()
		if r == playedSettled {
			r = s.verification()
		}
		if r != playedMoved {
			return
		}
	}
}

// work plays the case at its current centre, from its arrival there (queued) or its rework
// (accepted), until it leaves the tier, is settled, or nothing more happens before Now.
func (s *caseSim) work() played {
	rng, path := s.rng, s.place.path
	arrival, level, centre := s.t, s.c.Level, s.c.Centre
	d := s.cat.Deadlines.For(level, s.c.Severity)
	mediator := s.mediator(centre)
	// When the tier is done with it: most well within the deadline, some near it, some late.
	var f float64
	switch x := rng.Float64(); {
	case x < 0.82:
		f = 0.03 + 0.77*math.Pow(rng.Float64(), 1.5)
	case x < 0.96:
		f = 0.8 + 0.2*rng.Float64()
	default:
		f = 1 + 1.5*rng.Float64()
	}
	decideAt := arrival.Add(time.Duration(f * float64(d)))
	escalate := level > dispatch.TierCounty && rng.Float64() < s.escalateChance(level)
	if s.c.State == dispatch.StateQueued {
		acceptAt := arrival.Add(time.Duration((0.03 + 0.22*rng.Float64()) * float64(decideAt.Sub(arrival))))
		if to := s.transferTo(); to != "" {
			return s.moved(s.act(acceptAt, step{a: dispatch.ActTransfer, actor: mediator, reason: historyTransferReason, level: level, centre: to}))
		}
		if r := s.act(acceptAt, step{a: dispatch.ActAccept, actor: mediator}); r != playedDone {
			return r
		}
		if below := dispatch.CentreBelow(path, level.Level()); level == dispatch.TierTownship && below != 0 && !s.returned &&
			s.cat.StartLevel == dispatch.TierTownship && rng.Float64() < 0.04 {
			s.returned = true
			at := s.t.Add(time.Duration(rng.Int64N(int64(d / 4))))
			return s.moved(s.act(at, step{a: dispatch.ActReturn, actor: mediator, reason: pickOf(rng, historyReturnReasons),
				level: dispatch.TierOf(below), centre: path.Units[below].Code}))
		}
	}
	urgeAt := time.Time{}
	if f > 0.8 && rng.Float64() < 0.3 {
		urgeAt = arrival.Add(time.Duration(0.7 * float64(d)))
	}
	k := 1
	for _, p := range []float64{0.35, 0.1} {
		if rng.Float64() < p {
			k++
		}
	}
	from := s.t
	notes := historyMediateNotes[s.cat.group]
	if notes == nil {
		notes = historyMediateNotes["other"]
	}
	for j := range k {
		at := from.Add(time.Duration((float64(j) + 0.3 + 0.6*rng.Float64()) / float64(k) * 0.95 * float64(decideAt.Sub(from))))
		if !urgeAt.IsZero() && urgeAt.Before(at) {
			s.urge(urgeAt, at)
			urgeAt = time.Time{}
		}
		if r := s.act(at, step{a: dispatch.ActMediate, actor: mediator, reason: pickOf(rng, notes), parties: pickOf(rng, historyParties)}); r != playedDone {
			return r
		}
	}
	if s.stuck {
		return s.act(s.t.Add(historyNever), step{}) // only the timer moves it on
	}
	if escalate {
		above := dispatch.CentreAbove(path, grid.Level(level-1))
		return s.moved(s.act(decideAt, step{a: dispatch.ActEscalate, actor: mediator, reason: pickOf(rng, historyEscalateReasons),
			level: dispatch.TierOf(above), centre: path.Units[above].Code}))
	}
	o := s.outcome(level)
	r := s.act(decideAt, step{a: dispatch.ActSettle, actor: mediator, reason: pickOf(rng, historySettleNotes[o]), outcome: o})
	if r == playedDone {
		return playedSettled
	}
	return r
}

// escalateChance is how often a tier passes a case up after trying: mostly settled at the
// village (矛盾不上交), some go to the township, few to the county.
func (s *caseSim) escalateChance(level dispatch.Tier) float64 {
	if s.c.Reworks > 0 {
		return 0.1
	}
	switch {
	case s.cat.group == "petition":
		return 0.2
	case s.cat.group == "dispute" && level == dispatch.TierVillage:
		return 0.15
	case s.cat.group == "dispute":
		return 0.1
	case level == dispatch.TierVillage:
		return 0.1
	}
	return 0.06
}

// outcome is how a tier settles a case: disputes are mostly mediated (调解成功率 above 80%),
// other matters handled; the higher the tier, the more are left unsettled.
func (s *caseSim) outcome(level dispatch.Tier) dispatch.Outcome {
	x := s.rng.Float64()
	unsettled := 0.1 + 0.05*float64(dispatch.TierVillage-level)
	switch s.cat.group {
	case "dispute":
		if x < unsettled {
			return dispatch.OutcomeUnsettled
		}
		return dispatch.OutcomeMediated
	case "petition":
		switch {
		case x < unsettled+0.05:
			return dispatch.OutcomeUnsettled
		case x < 0.6:
			return dispatch.OutcomeMediated
		}
		return dispatch.OutcomeHandled
	}
	if x < unsettled/2 {
		return dispatch.OutcomeUnsettled
	}
	return dispatch.OutcomeHandled
}

// transferTo is a neighbouring village's centre when a village finds a fresh case is not its own
// (改派); "" mostly.
func (s *caseSim) transferTo() string {
	path := s.place.path
	if s.transferred || s.c.Level != dispatch.TierVillage || path.Level < grid.Village || s.c.Centre != path.Units[grid.Village].Code ||
		s.rng.Float64() >= 0.015 {
		return ""
	}
	siblings := s.h.villages[path.Units[grid.Township].Code]
	if len(siblings) < 2 {
		return ""
	}
	to := siblings[s.rng.IntN(len(siblings))]
	if to == s.c.Centre {
		return ""
	}
	s.transferred = true
	return to
}

// verification is the reporter's check on site (核查): passed, or failed once in a while (返工),
// within the time the category allows. A reporter who never comes leaves it to the centre, which
// verifies it once it may, or to the timer, which closes it as not verified.
func (s *caseSim) verification() played {
	limit := s.cat.Deadlines.Verify
	if s.unverified {
		if s.rng.IntN(2) == 0 {
			at := s.t.Add(limit + time.Duration(s.rng.Int64N(int64(limit))))
			if r := s.act(at, step{a: dispatch.ActVerify, actor: s.mediator(s.c.Centre)}); r != playedDone {
				return r
			}
			return playedClosed
		}
		if r := s.act(s.c.VerifyLapse, step{a: dispatch.ActCloseUnverified, reason: dispatch.ReasonUnverified}); r != playedDone {
			return r
		}
		return playedClosed
	}
	delay := time.Duration(float64(8*time.Hour) * math.Exp(0.9*s.rng.NormFloat64()))
	at := s.t.Add(min(max(delay, 20*time.Minute), 7*24*time.Hour, limit))
	if s.c.Reworks == 0 && s.rng.Float64() < 0.05 {
		r := s.act(at, step{a: dispatch.ActRework, actor: s.reporter, reason: pickOf(s.rng, historyReworkReasons)})
		if r == playedDone {
			return playedMoved
		}
		return r
	}
	if r := s.act(at, step{a: dispatch.ActVerify, actor: s.reporter}); r != playedDone {
		return r
	}
	return playedClosed
}

func (s *caseSim) moved(r played) played {
	if r == playedDone {
		return playedMoved
	}
	return r
}

// act takes a step planned for at, after what the timer does first if the deadline passes
// before it.
func (s *caseSim) act(at time.Time, st step) played {
	now := s.h.opts.Now
	if earliest := s.t.Add(time.Second); at.Before(earliest) {
		at = earliest
	}
	at = at.Truncate(time.Microsecond)
	for !s.c.DeadlineAt.IsZero() && s.c.OverdueAt.IsZero() && !s.c.DeadlineAt.After(at) {
		if s.c.DeadlineAt.After(now) {
			return playedStopped
		}
		// The timer looks every 250 ms.
		fire := s.c.DeadlineAt.Add(time.Duration(20+s.rng.IntN(300)) * time.Millisecond)
		if fire.After(now) {
			fire = now.Truncate(time.Microsecond)
		}
		if s.cat.AutoEscalate && s.c.Level > dispatch.TierCounty {
			above := dispatch.CentreAbove(s.place.path, grid.Level(s.c.Level-1))
			s.record(fire, step{a: dispatch.ActEscalate, reason: dispatch.ReasonAutoEscalated, level: dispatch.TierOf(above), centre: s.place.path.Units[above].Code})
			return playedMoved
		}
		s.record(fire, step{a: dispatch.ActOverdue, reason: dispatch.ReasonOverdue})
		if s.rng.Float64() < 0.4 {
			s.urge(fire.Add(2*time.Hour+time.Duration(s.rng.Int64N(int64(70*time.Hour)))), at)
		}
	}
	if at.After(now) {
		return playedStopped
	}
	s.record(at, st)
	return playedDone
}

// urge has a supervisor press the case (督办) at at, if that comes before the next step and Now.
func (s *caseSim) urge(at, before time.Time) {
	at = at.Truncate(time.Microsecond)
	if sup := s.place.supervisors; len(sup) > 0 && at.After(s.t) && at.Before(before) && !at.After(s.h.opts.Now) &&
		(s.c.DeadlineAt.IsZero() || at.Before(s.c.DeadlineAt) || !s.c.OverdueAt.IsZero()) {
		s.record(at, step{a: dispatch.ActUrge, actor: sup[s.rng.IntN(len(sup))], reason: pickOf(s.rng, historyUrgeReasons)})
	}
}

// record applies a step to the case as dispatch's Cases.Apply would (state, tier, centre,
// outcome, rework count, deadlines as its nextTimes sets them) and writes its history row.
func (s *caseSim) record(at time.Time, st step) {
	from, fromLevel := s.c.State, s.c.Level
	if to := st.a.Target(); to != "" {
		s.c.State = to
	}
	if st.level != 0 {
		s.c.Level, s.c.Centre = st.level, st.centre
	}
	switch st.a {
	case dispatch.ActSettle:
		s.c.Outcome = st.outcome
	case dispatch.ActRework:
		s.c.Reworks++
		s.c.Outcome = ""
	case dispatch.ActVerify, dispatch.ActCloseUnverified:
		s.c.ClosedAt = at
	case dispatch.ActUrge:
		s.c.UrgedAt = at
	}
	switch st.a {
	case dispatch.ActEscalate, dispatch.ActReturn, dispatch.ActTransfer, dispatch.ActRework:
		s.c.DeadlineAt, s.c.OverdueAt = at.Add(s.cat.Deadlines.For(s.c.Level, s.c.Severity)), time.Time{}
	case dispatch.ActSettle, dispatch.ActVerify, dispatch.ActCloseUnverified:
		s.c.DeadlineAt, s.c.OverdueAt = time.Time{}, time.Time{}
	case dispatch.ActOverdue:
		s.c.OverdueAt = at
	}
	switch st.a {
	case dispatch.ActSettle:
		s.c.VerifyDueAt, s.c.VerifyLapse = s.cat.Deadlines.VerifyClocks(at)
	case dispatch.ActVerify, dispatch.ActRework, dispatch.ActCloseUnverified:
		s.c.VerifyDueAt, s.c.VerifyLapse = time.Time{}, time.Time{}
	}
	if st.actor == 0 && st.a.TimerMarksLate() {
		s.c.Late = true
	}
	var o dispatch.Outcome
	if st.a == dispatch.ActSettle {
		o = st.outcome
	}
	s.row(at, string(st.a), st.actor, from, fromLevel, st.reason, st.parties, o)
}

// row appends the case's next history row, as the case now stands.
func (s *caseSim) row(at time.Time, transition string, actor int64, from dispatch.CaseState, fromLevel dispatch.Tier, reason, parties string, o dispatch.Outcome) {
	s.day.Rows = append(s.day.Rows, Row{Case: s.idx, At: at, ActorID: actor, FromState: from, ToState: s.c.State,
		Level: s.c.Level, FromLevel: fromLevel, Centre: s.c.Centre, Transition: transition, Reason: reason,
		Outcome: o, Parties: parties, DeadlineAt: s.c.DeadlineAt})
	s.c.Version++
	s.t = at
}

// mediator is who works the case at a centre: one of its mediators.
func (s *caseSim) mediator(centre string) int64 {
	m := s.h.mediators[centre]
	return m[s.rng.IntN(len(m))]
}

func pickOf[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }
