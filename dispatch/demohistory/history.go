package demohistory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// Options say how much history to generate and over which period.
type Options struct {
	Cases int       // how many cases in all
	Days  int       // the period: the last Days days, ending at Now
	Seed  uint64    // the same seed gives the same history
	Now   time.Time // the end of the period: cases still open are as they stand at Now
}

// Place is a leaf unit of the grid (a micro-grid in the demo), where events happen.
type Place struct {
	Path       *grid.Path
	Geom       orb.MultiPolygon // events are located at random points inside it
	Inside     orb.Point        // a point surely inside, should drawing fail
	Households int              // weighs how busy the place is; 0 when unknown
}

// Staff is one assignment of a member: grid workers report, mediators work their centre's
// cases, supervisors urge.
type Staff struct {
	MemberID int64
	UnitCode string
	Role     grid.Role
}

// World is what history happens in: the grid's leaves, the catalogue and the staff.
type World struct {
	Places     []Place
	Categories []dispatch.Category // inactive ones are left out
	Staff      []Staff
}

// Event is an events row.
type Event struct {
	ID          int64
	ClientID    [16]byte
	ReporterID  int64
	Category    string
	Severity    string
	Description string
	Lon, Lat    float64
	AccuracyM   float32
	HappenedAt  time.Time
	ReceivedAt  time.Time
	Unit        string
	OnSpot      bool
	OnSpotNote  string
}

// Case is a cases row. Zero times stand for NULL.
type Case struct {
	ID, EventID int64
	Unit        string
	State       dispatch.CaseState
	Level       dispatch.Tier
	Centre      string
	Version     int
	Outcome     dispatch.Outcome // "" for NULL
	Reworks     int
	OpenedAt    time.Time
	ClosedAt    time.Time
	UrgedAt     time.Time
	DeadlineAt  time.Time
	OverdueAt   time.Time
	Severity    string
	Late        bool      // the timer acted on it
	VerifyDueAt time.Time // awaiting verification: staff may verify from then
	VerifyLapse time.Time // awaiting verification: closed as not verified then
}

// Row is a case_history row. ActorID 0, FromLevel 0, empty FromState and Outcome, and a
// zero DeadlineAt stand for NULL.
type Row struct {
	ID, CaseID int64
	Case       int32 // the case's position in its day
	At         time.Time
	ActorID    int64
	FromState  dispatch.CaseState
	ToState    dispatch.CaseState
	Level      dispatch.Tier
	FromLevel  dispatch.Tier
	Centre     string
	Transition string
	Reason     string
	Outcome    dispatch.Outcome
	Parties    string
	DeadlineAt time.Time
}

// Day is one day's events and cases with their history, cases in the order they were
// reported and each case's rows in the order they happened.
type Day struct {
	Date   time.Time // local midnight
	Events []Event
	Cases  []Case
	Rows   []Row
}

// IDs are the first ids of a day's events, cases and history rows.
type IDs struct{ Event, Case, Row int64 }

// Number gives the day's rows their ids, consecutive from ids, and the events their client ids:
// UUIDv7 from the report's time (so the unique index on them grows at its end, as a live
// system's would over time) carrying the event's id, which makes them unique.
func (d *Day) Number(ids IDs) {
	for i := range d.Events {
		e := &d.Events[i]
		e.ID = ids.Event + int64(i)
		randA := binary.BigEndian.Uint16(e.ClientID[6:8]) // drawn with the event
		binary.BigEndian.PutUint64(e.ClientID[0:8], uint64(e.ReceivedAt.UnixMilli())<<16|0x7000|uint64(randA)&0xfff)
		binary.BigEndian.PutUint64(e.ClientID[8:16], 0x8000_0000_0000_0000|uint64(e.ID)&0x3fff_ffff_ffff_ffff)
		c := &d.Cases[i]
		c.ID, c.EventID = ids.Case+int64(i), e.ID
	}
	for i := range d.Rows {
		r := &d.Rows[i]
		r.ID, r.CaseID = ids.Row+int64(i), ids.Case+int64(r.Case)
	}
}

// Errors of history generation: the grid has nobody to report its events or to work its cases.
var (
	ErrNoReporter = errors.New("no grid worker in the grid to report events")
	ErrNoMediator = errors.New("no mediator in the grid to work cases")
)

// History generates history over a world.
type History struct {
	opts        Options
	cats        []historyCategory
	places      []historyPlace
	placeCum    []float64
	days        []historyDate
	mediators   map[string][]int64  // by centre
	supervisors map[string][]int64  // by unit
	villages    map[string][]string // villages with a centre, by township: where a case can be transferred
}

type historyCategory struct {
	dispatch.Category
	weight float64 // per thousand in a typical month
	onSpot float64 // the chance a report is handled on the spot
	urgent float64 // the chance a report is urgent
	group  string  // dispute, petition or other: which notes and outcomes
}

type historyDate struct {
	date  time.Time // local midnight
	cases int
}

// historyOnSpot is the share of all cases a grid worker handles on the spot (小事不出格).
const historyOnSpot = 0.25

// New prepares the generation: the weight of every place and category, and how many
// cases each day gets.
func New(w World, o Options) (*History, error) {
	switch {
	case o.Cases < 0:
		return nil, fmt.Errorf("history: %d cases", o.Cases)
	case o.Days < 1 || o.Days > 3650:
		return nil, fmt.Errorf("history: %d days; want 1 to 3650", o.Days)
	case o.Now.IsZero():
		return nil, errors.New("history: no end time")
	case len(w.Places) == 0:
		return nil, errors.New("history: no place to locate events in")
	}
	h := &History{opts: o, mediators: map[string][]int64{}, supervisors: map[string][]int64{}, villages: map[string][]string{}}
	if err := h.prepareCategories(w.Categories); err != nil {
		return nil, err
	}
	if err := h.preparePlaces(w); err != nil {
		return nil, err
	}
	h.prepareDays()
	return h, nil
}

func (h *History) prepareCategories(cats []dispatch.Category) error {
	var total, eligible float64
	for _, c := range cats {
		if !c.Active {
			continue
		}
		hc := historyCategory{Category: c, weight: historyWeight(c), group: "other"}
		if c.Group == "dispute" || c.Group == "petition" {
			hc.group = c.Group
		}
		hc.urgent = map[string]float64{"safety": 0.2, "order": 0.1, "environment": 0.1, "facility": 0.08,
			"dispute": 0.03, "petition": 0.05}[c.Group]
		if hc.urgent == 0 {
			hc.urgent = 0.02
		}
		total += hc.weight
		if c.GridMayClose {
			eligible += hc.weight
		}
		h.cats = append(h.cats, hc)
	}
	if len(h.cats) == 0 {
		return errors.New("history: no active category")
	}
	slices.SortFunc(h.cats, func(a, b historyCategory) int { return strings.Compare(a.Code, b.Code) })
	// Of the categories a grid worker may close, the small ones are closed on the spot more
	// often; together they make historyOnSpot of all cases.
	lean := map[string]float64{"street_light": 1.3, "rubbish": 1.25, "straw_burning": 1.1, "marriage_family": 0.6}
	var leaned float64
	for _, c := range h.cats {
		if c.GridMayClose {
			leaned += c.weight * leanOf(lean, c.Code)
		}
	}
	for i := range h.cats {
		if c := &h.cats[i]; c.GridMayClose && leaned > 0 {
			c.onSpot = min(0.9, historyOnSpot*total/leaned*leanOf(lean, c.Code))
		}
	}
	return nil
}

func leanOf(m map[string]float64, code string) float64 {
	if v, ok := m[code]; ok {
		return v
	}
	return 1
}

// prepareDays shares the cases out among the days: by the platform's growth, the weekday and
// the season of every category; today only up to now.
func (h *History) prepareDays() {
	now := h.opts.Now.In(local)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, local)
	n := h.opts.Days
	weights := make([]float64, n)
	var total float64
	for k := range n {
		date := today.AddDate(0, 0, k-(n-1))
		sf := daysFromSpringFestival(date)
		var w float64
		for _, c := range h.cats {
			w += c.weight * seasonFactor(c.Category, date, sf)
		}
		w *= weekdayFactor[date.Weekday()] * trendFactor(k, n)
		if k == n-1 {
			w *= elapsedShare(now.Sub(today))
		}
		weights[k] = w
		total += w
		h.days = append(h.days, historyDate{date: date})
	}
	// Largest remainders, so the days add up to exactly the cases asked for.
	type rest struct {
		day  int
		frac float64
	}
	rests := make([]rest, n)
	given := 0
	for k, w := range weights {
		exact := float64(h.opts.Cases) * w / total
		h.days[k].cases = int(exact)
		given += int(exact)
		rests[k] = rest{k, exact - math.Floor(exact)}
	}
	slices.SortStableFunc(rests, func(a, b rest) int {
		switch {
		case a.frac > b.frac:
			return -1
		case a.frac < b.frac:
			return 1
		}
		return 0
	})
	for i := 0; given < h.opts.Cases; i++ {
		h.days[rests[i%n].day].cases++
		given++
	}
}

// Days is how many days the history spans; Day generates each.
func (h *History) Days() int { return len(h.days) }

// Day generates day i (0 is the earliest), without ids (Day.Number gives them).
func (h *History) Day(i int) Day {
	d := h.days[i]
	rng := rand.New(rand.NewPCG(h.opts.Seed, uint64(i)+1))
	day := Day{Date: d.date, Events: make([]Event, 0, d.cases), Cases: make([]Case, 0, d.cases),
		Rows: make([]Row, 0, d.cases*6)}
	sf := daysFromSpringFestival(d.date)
	catCum := make([]float64, len(h.cats))
	var total float64
	for k, c := range h.cats {
		total += c.weight * seasonFactor(c.Category, d.date, sf)
		catCum[k] = total
	}
	times := make([]time.Time, d.cases)
	for k := range times {
		times[k] = h.reportTime(rng, d.date)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	s := caseSim{h: h, rng: rng, day: &day}
	for k, opened := range times {
		cat := &h.cats[pickWeighted(catCum, rng.Float64()*total)]
		place := &h.places[pickWeighted(h.placeCum, rng.Float64()*h.placeCum[len(h.placeCum)-1])]
		s.run(int32(k), cat, place, opened)
	}
	return day
}

// pickWeighted is the index of the first cumulative weight above x.
func pickWeighted(cum []float64, x float64) int {
	i, _ := slices.BinarySearch(cum, x)
	return min(i, len(cum)-1)
}

// reportTime is when a report of the day at date was received: by the hour of day, never after now.
func (h *History) reportTime(rng *rand.Rand, date time.Time) time.Time {
	var hourTotal float64
	for _, w := range hourWeights {
		hourTotal += w
	}
	for range 1000 {
		x := rng.Float64() * hourTotal
		hour := 0
		for ; hour < 23 && x >= hourWeights[hour]; hour++ {
			x -= hourWeights[hour]
		}
		t := date.Add(time.Duration(hour)*time.Hour + time.Duration(rng.Int64N(int64(time.Hour)))).Truncate(time.Microsecond)
		if t.Before(h.opts.Now) {
			return t
		}
	}
	return date.Add(time.Duration(rng.Int64N(int64(h.opts.Now.Sub(date))))).Truncate(time.Microsecond)
}
