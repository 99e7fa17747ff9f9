package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// The reference SQL of docs/points.md: a member's balance is the sum of their ledger rows; a
// month's earned and lost are the sums of its positive and negative rows.
const (
	referenceBalances = `SELECT member_id, sum(points) FROM point_ledger GROUP BY member_id`
	referenceMonths   = `
SELECT to_char(month, 'YYYY-MM'), sum(greatest(points, 0)), sum(greatest(-points, 0))
FROM point_ledger WHERE member_id = $1 GROUP BY month ORDER BY month DESC`
)

// pointsModel books what docs/points.md says should be booked, in Go and in memory: the
// reference the ledger that ApplyPoints, the items and the cancels wrote is compared with.
type pointsModel struct {
	rules     map[string]pointsModelRule // by trigger for case rules, by code for manual ones
	applied   map[int64]bool             // transitions read
	caseDone  map[[2]int64]bool          // case, rule
	due       map[int64][2]int64         // case: settle transition, due (unix)
	rows      map[string]*modelRow       // by source
	confirmed map[string]bool            // 2026-09
}

type pointsModelRule struct {
	id, points int64
	code       string
	capPoints  *int
	capPeriod  *string
	tier       *int
}

type modelRow struct {
	member    int64
	month     string
	points    int64
	rule      int64
	day       time.Time
	cancelled bool
}

var shanghai = func() *time.Location { l, _ := time.LoadLocation("Asia/Shanghai"); return l }()

func dayOf(t time.Time) time.Time {
	y, m, d := t.In(shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (m *pointsModel) openMonth(day time.Time) string {
	mo := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m.confirmed[mo.Format("2006-01")] {
		mo = mo.AddDate(0, 1, 0)
	}
	return mo.Format("2006-01")
}

func (m *pointsModel) book(r pointsModelRule, member, caseID int64, day time.Time, source string) {
	if caseID != 0 && m.caseDone[[2]int64{caseID, r.id}] {
		return
	}
	pts := r.points
	if r.capPoints != nil {
		var start, end time.Time
		switch *r.capPeriod {
		case "day":
			start, end = day, day.AddDate(0, 0, 1)
		case "month":
			start = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
			end = start.AddDate(0, 1, 0)
		case "quarter":
			start = time.Date(day.Year(), (day.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
			end = start.AddDate(0, 3, 0)
		case "year":
			start = time.Date(day.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
			end = start.AddDate(1, 0, 0)
		}
		var used int64
		for _, row := range m.rows {
			if row.member == member && row.rule == r.id && !row.day.Before(start) && row.day.Before(end) && !row.cancelled {
				used += max(row.points, -row.points)
			}
		}
		room := int64(*r.capPoints) - used
		if room <= 0 {
			return
		}
		pts = max(min(pts, room), -room)
	}
	if caseID != 0 {
		m.caseDone[[2]int64{caseID, r.id}] = true
	}
	m.rows[source] = &modelRow{member: member, month: m.openMonth(day), points: pts, rule: r.id, day: day}
}

func (m *pointsModel) apply(e dispatch.CaseEvent, reporterOf map[int64]int64) {
	var trigger string
	switch e.Action {
	case "closed":
		trigger = "settled_at_grid"
	case "accept":
		trigger = "report_accepted"
	case "settle":
		if d, ok := m.due[e.CaseID]; !ok || d[0] < e.TransitionID {
			m.due[e.CaseID] = [2]int64{e.TransitionID, e.VerifyDueAt.Unix()}
		}
	case "verify":
		if d, ok := m.due[e.CaseID]; ok && e.Actor == e.Reporter && e.At.Unix() <= d[1] {
			trigger = "verified_on_time"
		}
	case "merge":
		if reporterOf[e.MergedInto] == e.Reporter {
			trigger = "report_invalid"
		}
	}
	if trigger == "" || m.applied[e.TransitionID] {
		return
	}
	m.applied[e.TransitionID] = true
	if r, ok := m.rules[trigger]; ok {
		m.book(r, e.Reporter, e.CaseID, dayOf(e.At), fmt.Sprintf("transition:%d:%s", e.TransitionID, r.code))
	}
}

// TestPointsEqualReference is the property of docs/points.md: random case events (accepts,
// settles on the spot, settles and verifications on time and late, merges into one's own and
// others' reports), delivered in random batches with random redeliveries, random manual items
// approved or rejected, cancelled rows and confirmed months, under random caps, book exactly
// the rows the model of the rules books; point_balances equals the reference SQL, and so do
// the month totals the phone reads. POINTS_SEED repeats a run.
func TestPointsEqualReference(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("POINTS_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("POINTS_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 17))
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	pool := fx.db.Pool
	points := dispatch.NewPoints(pool)
	g := grid.NewStore(pool)
	leader, err := g.CreateMember(ctx, "13900000021", "网格长")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Assign(ctx, grid.Assignment{MemberID: leader.ID, UnitCode: "140802001001001", Role: grid.RoleGridLeader}); err != nil {
		t.Fatal(err)
	}

	// Random caps on the seeded rules, so that they bite.
	periods := []string{"day", "month", "quarter", "year"}
	if _, err := pool.Exec(ctx, `UPDATE point_rules SET cap_points = NULL, cap_period = NULL`); err != nil {
		t.Fatal(err)
	}
	model := &pointsModel{rules: map[string]pointsModelRule{}, applied: map[int64]bool{}, caseDone: map[[2]int64]bool{},
		due: map[int64][2]int64{}, rows: map[string]*modelRow{}, confirmed: map[string]bool{}}
	list, err := points.Rules(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var manual []pointsModelRule
	for _, r := range list {
		mr := pointsModelRule{id: r.ID, points: int64(r.Points), code: r.Code, tier: r.ApproverTier}
		if rng.IntN(3) > 0 {
			c, p := 1+rng.IntN(10), periods[rng.IntN(len(periods))]
			mr.capPoints, mr.capPeriod = &c, &p
			if _, err := pool.Exec(ctx, `UPDATE point_rules SET cap_points = $2, cap_period = $3 WHERE id = $1`, r.ID, c, p); err != nil {
				t.Fatal(err)
			}
		}
		if r.Trigger == dispatch.TriggerManual {
			if *r.ApproverTier == 2 {
				manual = append(manual, mr)
			}
			continue
		}
		model.rules[string(r.Trigger)] = mr
	}

	// Real cases, half of them the other worker's, for the ledger's and the merges' sake.
	cases := []int64{fx.caseID}
	reporterOf := map[int64]int64{fx.caseID: fx.worker.ID}
	unitOf := map[int64]string{}
	for i := range 59 {
		r := fx.report(t)
		if i%2 == 0 {
			r.ReporterID = fx.other.ID
		}
		rc, err := fx.intake.Submit(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, rc.CaseID)
		reporterOf[rc.CaseID] = r.ReporterID
	}
	for _, c := range cases {
		var u string
		if err := pool.QueryRow(ctx, `SELECT unit_code FROM cases WHERE id = $1`, c).Scan(&u); err != nil {
			t.Fatal(err)
		}
		unitOf[c] = u
	}

	now := time.Now()
	var delivered []dispatch.CaseEvent
	tid := int64(1_000_000)
	deliver := func(batch []dispatch.CaseEvent) {
		t.Helper()
		if err := dispatch.ApplyPoints(ctx, pool, batch); err != nil {
			t.Fatal(err)
		}
		for _, e := range batch {
			model.apply(e, reporterOf)
		}
	}
	event := func() dispatch.CaseEvent {
		c := cases[rng.IntN(len(cases))]
		tid++
		e := dispatch.CaseEvent{TransitionID: tid, CaseID: c, Unit: unitOf[c], Category: "neighbour", Reporter: reporterOf[c],
			Level: dispatch.TierVillage, At: now.Add(-time.Duration(rng.IntN(100*24)) * time.Hour)}
		switch k := rng.IntN(10); {
		case k < 3:
			e.Action = "accept"
		case k < 4:
			e.Action, e.Level = "closed", dispatch.TierGrid
		case k < 6:
			e.Action = "settle"
			due := e.At.Add(time.Duration(rng.IntN(72)-24) * time.Hour)
			e.VerifyDueAt = &due
		case k < 8:
			e.Action, e.Actor = "verify", e.Reporter
			if rng.IntN(4) == 0 {
				e.Actor = fx.village.ID
			}
		case k < 9:
			e.Action, e.MergedInto = "merge", cases[rng.IntN(len(cases))]
		default:
			e.Action = "mediate"
		}
		return e
	}
	var items int
	for step := range 400 {
		switch k := rng.IntN(20); {
		case k < 12: // a batch of new events, some twice in it
			var batch []dispatch.CaseEvent
			for range 1 + rng.IntN(12) {
				e := event()
				batch = append(batch, e)
				if rng.IntN(8) == 0 {
					batch = append(batch, e)
				}
			}
			delivered = append(delivered, batch...)
			deliver(batch)
		case k < 14 && len(delivered) > 0: // a redelivery of what was acknowledged
			from := rng.IntN(len(delivered))
			deliver(slices.Clone(delivered[from:min(len(delivered), from+1+rng.IntN(30))]))
		case k < 17 && len(manual) > 0: // a manual item, decided
			r := manual[rng.IntN(len(manual))]
			member := []int64{fx.worker.ID, fx.other.ID}[rng.IntN(2)]
			day := dayOf(now.Add(-time.Duration(rng.IntN(60*24)) * time.Hour))
			it, err := points.EnterItem(ctx, leader.ID, dispatch.PointItemInput{Member: member, Rule: r.code, Day: day, Note: "巡查" + strconv.Itoa(step)})
			if err != nil {
				t.Fatal(err)
			}
			items++
			approve := rng.IntN(4) > 0
			if _, err := points.DecideItem(ctx, fx.supervisor.ID, it.ID, approve, "不符合"); err != nil {
				t.Fatal(err)
			}
			if approve {
				model.book(r, member, 0, day, fmt.Sprintf("manual:%d", it.ID))
			}
			if _, err := points.DecideItem(ctx, fx.supervisor.ID, it.ID, true, ""); !errors.Is(err, dispatch.ErrPointDecided) {
				t.Fatalf("an item decided twice: %v", err)
			}
		case k < 19: // a row cancelled
			var id int64
			var source string
			err := pool.QueryRow(ctx, `SELECT id, source FROM point_ledger l WHERE kind <> 'reversal'
AND NOT EXISTS (SELECT 1 FROM point_ledger r WHERE r.reverses = l.id) ORDER BY random() LIMIT 1`).Scan(&id, &source)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := points.Cancel(ctx, fx.supervisor.ID, id, "录入有误"); err != nil {
				t.Fatal(err)
			}
			row := model.rows[source]
			if row == nil {
				t.Fatalf("the ledger has %s, the model does not", source)
			}
			row.cancelled = true
			model.rows[fmt.Sprintf("reversal:%d", id)] = &modelRow{member: row.member, month: model.openMonth(dayOf(time.Now())),
				points: -row.points, rule: -1}
			if _, err := points.Cancel(ctx, fx.supervisor.ID, id, "again"); !errors.Is(err, dispatch.ErrPointReversed) {
				t.Fatalf("a row cancelled twice: %v", err)
			}
		default: // a past month confirmed
			mo := time.Date(now.In(shanghai).Year(), now.In(shanghai).Month()-time.Month(1+rng.IntN(4)), 1, 0, 0, 0, 0, time.UTC)
			err := points.ConfirmMonth(ctx, fx.supervisor.ID, "140802001", mo)
			if model.confirmed[mo.Format("2006-01")] {
				if !errors.Is(err, dispatch.ErrMonthConfirmed) {
					t.Fatalf("confirming %s again: %v", mo.Format("2006-01"), err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			model.confirmed[mo.Format("2006-01")] = true
		}
	}
	t.Logf("%d events delivered, %d manual items, %d rows, %d months confirmed", len(delivered), items, len(model.rows), len(model.confirmed))

	// The ledger is the model's, row for row.
	rows, err := pool.Query(ctx, `SELECT source, member_id, to_char(month, 'YYYY-MM'), points FROM point_ledger`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]modelRow{}
	var source string
	var r modelRow
	if _, err := pgx.ForEachRow(rows, []any{&source, &r.member, &r.month, &r.points}, func() error {
		got[source] = modelRow{member: r.member, month: r.month, points: r.points}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for src, want := range model.rows {
		g, ok := got[src]
		if !ok {
			t.Errorf("%s: the model books %+v, the ledger nothing", src, *want)
		} else if g.member != want.member || g.month != want.month || g.points != want.points {
			t.Errorf("%s: ledger %+v, model %+v", src, g, *want)
		}
	}
	for src, g := range got {
		if model.rows[src] == nil {
			t.Errorf("%s: the ledger books %+v, the model nothing", src, g)
		}
	}

	// point_balances (the trigger's) equals the reference SQL; the months the phone reads too.
	var mismatched int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (`+referenceBalances+`) ref FULL JOIN point_balances b USING (member_id)
WHERE ref.sum IS DISTINCT FROM b.balance`).Scan(&mismatched); err != nil {
		t.Fatal(err)
	}
	if mismatched != 0 {
		t.Errorf("%d balances differ from the reference SQL", mismatched)
	}
	for _, member := range []int64{fx.worker.ID, fx.other.ID} {
		mine, err := points.Mine(ctx, member, "")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := pool.Query(ctx, referenceMonths, member)
		if err != nil {
			t.Fatal(err)
		}
		var want []dispatch.PointMonth
		var pm dispatch.PointMonth
		if _, err := pgx.ForEachRow(rows, []any{&pm.Month, &pm.Earned, &pm.Lost}, func() error { want = append(want, pm); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(mine.Months, want) {
			t.Errorf("member %d: months %+v, reference %+v", member, mine.Months, want)
		}
		var sum int64
		for _, row := range model.rows {
			if row.member == member {
				sum += row.points
			}
		}
		if mine.Balance != sum {
			t.Errorf("member %d: balance %d, the model's %d", member, mine.Balance, sum)
		}
	}
	// The database refuses a row in a confirmed month, whoever writes it.
	for mo := range model.confirmed {
		_, err := pool.Exec(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source)
SELECT $1, '140802001001001', to_date($2, 'YYYY-MM'), 1, 'manual', id, 'test:frozen' FROM point_rules WHERE code = 'patrol'`, fx.worker.ID, mo)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.ConstraintName != "point_ledger_month_confirmed" {
			t.Errorf("a row booked into confirmed month %s: %v", mo, err)
		}
		break
	}
}
