package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestStatsEqualReferenceSQL is the property of docs/metrics.md: random case histories go
// through the real intake, state machine, timer, relay, NATS and two stats appliers; the
// counters they keep then equal a rebuild from the history row for row, and every figure the
// dashboard reads equals the reference query of docs/metrics.md, for every unit, category and
// period tried. The histories are then spread over two years (as if received on other days)
// and the rebuilt counters are checked the same way across months. STATS_SEED repeats a run.
func TestStatsEqualReferenceSQL(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("STATS_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("STATS_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 6))
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	pool := fx.db.Pool
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ns := startNATS(t)
	var buses []*dispatch.Bus
	for range 2 { // two processes share the consumer
		bus, err := dispatch.Connect(ctx, ns.ClientURL(), logger)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(bus.Close)
		if err := bus.EnsureStreams(ctx); err != nil {
			t.Fatal(err)
		}
		applier := dispatch.NewStatsApplier(pool, bus, logger)
		if err := applier.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(applier.Close)
		relay := dispatch.NewRelay(pool, bus, logger)
		if err := relay.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(relay.Close)
		buses = append(buses, bus)
	}
	h := newHistoryDriver(t, fx, rng)
	h.run(t, 120, 1200)
	for _, a := range []string{"lead", "lead_handover", "lead_release"} { // the walk took them (case_leader.go)
		if count(t, pool, `SELECT count(*) FROM case_history WHERE transition = '`+a+`'`) == 0 {
			t.Errorf("the random walk never took %s: raise its odds", a)
		}
	}
	gridtest.Eventually(t, "every transition published and counted", func() bool {
		n, err := buses[0].Pending(ctx, dispatch.StatsConsumer)
		return err == nil && n == 0 && count(t, pool, `SELECT count(*) FROM outbox WHERE published_at IS NULL`) == 0
	})

	// Every message delivered again (a process died before acknowledging): nothing changes.
	rows, err := pool.Query(ctx, `SELECT payload FROM outbox WHERE subject LIKE 'case.%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	redelivered, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (dispatch.CaseEvent, error) {
		var e dispatch.CaseEvent
		return e, row.Scan(&e) // jsonb into the struct
	})
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := dispatch.ApplyStats(ctx, pool, redelivered); err != nil || len(changed) != 0 {
		t.Fatalf("redelivered %d events: changed %v (%v)", len(redelivered), changed, err)
	}

	// The counters kept from the bus equal a rebuild from the history, row for row.
	if _, err := pool.Exec(ctx, `CREATE TABLE live_stats AS SELECT * FROM case_stats`); err != nil {
		t.Fatal(err)
	}
	if err := dispatch.RebuildStats(ctx, pool); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SELECT * FROM live_stats EXCEPT ALL SELECT * FROM case_stats`,
		`SELECT * FROM case_stats EXCEPT ALL SELECT * FROM live_stats`} {
		if n := count(t, pool, `SELECT count(*) FROM (`+q+`) d`); n != 0 {
			t.Fatalf("%d rows differ between the live counters and the rebuild (%s)", n, q)
		}
	}
	if count(t, pool, `SELECT count(*) FROM case_stats`) == 0 {
		t.Fatal("no counters at all")
	}
	var mix string
	if err := pool.QueryRow(ctx, `SELECT string_agg(transition || '=' || n, ' ' ORDER BY transition) FROM
		(SELECT transition || CASE WHEN actor_id IS NULL THEN '(timer)' ELSE '' END AS transition, count(*) n
		 FROM case_history GROUP BY 1) x`).Scan(&mix); err != nil {
		t.Fatal(err)
	}
	t.Logf("history: %s", mix)
	refs := referenceQueries(t)
	today := dispatch.StatsToday(time.Now())
	for i := range 40 {
		f := h.filter(rng, today.AddDate(0, 0, -3), today.AddDate(0, 0, 1))
		t.Run(fmt.Sprintf("live/%d", i), func(t *testing.T) { checkFigures(t, pool, refs, f, today) })
	}

	// Spread the cases over two years, rebuild, and ask across months.
	if _, err := pool.Exec(ctx, `
		WITH shift AS (SELECT id, make_interval(days => (random() * 730)::int, secs => random() * 86400) AS d FROM cases)
		UPDATE case_history h SET at = h.at - s.d FROM shift s WHERE s.id = h.case_id;
		UPDATE cases c SET opened_at = h.at FROM case_history h WHERE h.case_id = c.id AND h.from_state IS NULL;
		UPDATE cases c SET closed_at = (SELECT h.at FROM case_history h WHERE h.case_id = c.id AND h.to_state = 'closed'
			AND h.from_state IS DISTINCT FROM 'closed' ORDER BY h.id DESC LIMIT 1) WHERE c.state = 'closed';`); err != nil {
		t.Fatal(err)
	}
	// 积案's edge: open cases received N and N-1 days ago (N = dispatch.AgedDays), the first
	// aged and the second not, unless overdue.
	for i, age := range []int{dispatch.AgedDays, dispatch.AgedDays - 1, dispatch.AgedDays, dispatch.AgedDays - 1} {
		if _, err := pool.Exec(ctx, `
			WITH c AS (SELECT id FROM cases WHERE state <> 'closed' ORDER BY id OFFSET $1 LIMIT 1),
			     d AS (SELECT h.case_id, ($2::date - (h.at AT TIME ZONE 'Asia/Shanghai')::date) AS days
			           FROM case_history h JOIN c ON c.id = h.case_id WHERE h.from_state IS NULL)
			UPDATE case_history h SET at = h.at + d.days * interval '1 day' FROM d WHERE h.case_id = d.case_id`,
			i, today.AddDate(0, 0, -age)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE cases c SET opened_at = h.at FROM case_history h WHERE h.case_id = c.id AND h.from_state IS NULL`); err != nil {
		t.Fatal(err)
	}
	if err := dispatch.RebuildStats(ctx, pool); err != nil {
		t.Fatal(err)
	}
	for _, unit := range historyUnits {
		f := dispatch.StatsFilter{Unit: unit, From: today.AddDate(0, 0, -dispatch.AgedDays-5), To: today}
		t.Run("aged edge/"+unit, func(t *testing.T) { checkFigures(t, pool, refs, f, today) })
	}
	for i := range 60 {
		f := h.filter(rng, today.AddDate(-2, 0, -5), today)
		t.Run(fmt.Sprintf("spread/%d", i), func(t *testing.T) { checkFigures(t, pool, refs, f, today) })
	}
}

// referenceQueries reads the metric queries of docs/metrics.md, as written there.
func referenceQueries(t *testing.T) map[string]string {
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)```sql\n-- metric: ([a-z_]+)\n(.*?)```").FindAllSubmatch(doc, -1) {
		out[string(m[1])] = string(m[2])
	}
	for _, name := range []string{"received", "closure_rate", "on_time_rate", "mediation_success_rate", "settled_low_rate",
		"escalation_rate", "rework_rate", "unverified_rate", "open_overdue", "aged", "backlog", "time_to_close",
		"led", "merged", "callback_rate", "satisfaction_rate", "parked"} {
		if out[name] == "" {
			t.Fatalf("docs/metrics.md has no query for %s", name)
		}
	}
	return out
}

// checkFigures compares what the dashboard reads with the reference queries for one filter.
func checkFigures(t *testing.T, pool *pgxpool.Pool, refs map[string]string, f dispatch.StatsFilter, today time.Time) {
	ctx := context.Background()
	stats := dispatch.NewStats(pool)
	c, err := stats.Summary(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	fig := c.Figures()
	args := []any{f.Unit, f.From, f.To, f.Category}
	one := func(name string, dest ...any) {
		t.Helper()
		if err := pool.QueryRow(ctx, refs[name], args...).Scan(dest...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	same := func(what string, got, want int64) {
		t.Helper()
		if got != want {
			t.Errorf("%s for %+v: fast path %d, reference %d", what, f, got, want)
		}
	}
	var a, b, d int64
	one("received", &a)
	same("received", fig.Received, a)
	one("closure_rate", &a, &b)
	same("closed", fig.Closed, a)
	same("received (closure rate)", fig.Received, b)
	one("on_time_rate", &a, &b)
	same("closed on time", fig.OnTime, a)
	same("closed (on-time rate)", fig.Closed, b)
	one("mediation_success_rate", &a, &b)
	same("mediated", fig.Mediated, a)
	same("mediated or unsettled", fig.Mediated+fig.Unsettled, b)
	one("settled_low_rate", &a, &b)
	same("settled low", fig.SettledLow, a)
	same("closed (settled low)", fig.Closed, b)
	one("rework_rate", &a, &b, &d)
	same("reworks", fig.Reworks, a)
	same("verifications", fig.Verifications, b)
	same("reopened", fig.Reopened, d)
	one("unverified_rate", &a, &b)
	same("closed unverified", fig.Unverified, a)
	same("closed (unverified rate)", fig.Closed, b)
	one("led", &a) // risk grading: open cases a county leader owns
	same("led", fig.Led, a)
	one("merged", &a)
	same("merged", fig.Merged, a)
	one("callback_rate", &a, &b) // 回访 (case_callback.go)
	same("callbacks reached", fig.CallbacksReached, a)
	same("callbacks ended", fig.Callbacks, b)
	one("satisfaction_rate", &a, &b)
	same("satisfied", fig.Satisfied, a)
	same("callbacks reached (satisfaction rate)", fig.CallbacksReached, b)
	one("parked", &a) // 挂账 (case_extension.go)
	same("parked", fig.Parked, a)
	perTier(t, pool, refs["escalation_rate"], args, func(tier int, x, y int64) {
		same(fmt.Sprintf("escalated from tier %d", tier), fig.Tiers[tier-1].Escalated, x)
		same(fmt.Sprintf("arrivals at tier %d", tier), fig.Tiers[tier-1].Arrived, y)
	})
	perTier(t, pool, refs["open_overdue"], args, func(tier int, x, y int64) {
		same(fmt.Sprintf("open at tier %d", tier), fig.Tiers[tier-1].Open, x)
		same(fmt.Sprintf("overdue at tier %d", tier), fig.Tiers[tier-1].Overdue, y)
	})
	checkBacklog(t, pool, refs["backlog"], stats, f, today)
	checkAged(t, pool, refs["aged"], stats, f, today)
	checkTimeToClose(t, pool, refs["time_to_close"], args, fig)
	checkBreakdowns(t, pool, stats, f, c)
}

func perTier(t *testing.T, pool *pgxpool.Pool, q string, args []any, fn func(tier int, a, b int64)) {
	t.Helper()
	rows, err := pool.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	var tier int
	var a, b int64
	if _, err := pgx.ForEachRow(rows, []any{&tier, &a, &b}, func() error { fn(tier, a, b); return nil }); err != nil {
		t.Fatal(err)
	}
}

func checkBacklog(t *testing.T, pool *pgxpool.Pool, q string, stats *dispatch.Stats, f dispatch.StatsFilter, today time.Time) {
	t.Helper()
	byDay, err := stats.OpenByDay(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	got := dispatch.Backlog(byDay, today)
	want := make([]int64, len(dispatch.BacklogBands))
	rows, err := pool.Query(context.Background(), q, f.Unit, f.From, f.To, f.Category, today)
	if err != nil {
		t.Fatal(err)
	}
	var band int
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&band, &n}, func() error {
		for i, b := range dispatch.BacklogBands {
			if b == band {
				want[i] = n
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("backlog for %+v: fast path %v, reference %v", f, got, want)
	}
}

// checkAged compares 积案 (overdue, or open 30 days or more) with its reference query.
func checkAged(t *testing.T, pool *pgxpool.Pool, q string, stats *dispatch.Stats, f dispatch.StatsFilter, today time.Time) {
	t.Helper()
	got, err := stats.Aged(context.Background(), f, today)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	if err := pool.QueryRow(context.Background(), q, f.Unit, f.From, f.To, f.Category, today).Scan(&want); err != nil {
		t.Fatalf("aged: %v", err)
	}
	if got != want {
		t.Errorf("积案 for %+v: fast path %d, reference %d", f, got, want)
	}
	if strings.Count(q, "30") != 1 || dispatch.AgedDays != 30 {
		t.Errorf("docs/metrics.md's 积案 query and dispatch.AgedDays (%d) disagree on N", dispatch.AgedDays)
	}
}

func checkTimeToClose(t *testing.T, pool *pgxpool.Pool, q string, args []any, fig dispatch.Figures) {
	t.Helper()
	rows, err := pool.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	bin := func(c *dispatch.CloseTime) *int {
		if c == nil {
			return nil
		}
		return &c.Bin
	}
	var tier, median, p90 *int
	if _, err := pgx.ForEachRow(rows, []any{&tier, &median, &p90}, func() error {
		gotMedian, gotP90 := bin(fig.Median), bin(fig.P90)
		if tier != nil {
			gotMedian, gotP90 = bin(fig.Tiers[*tier-1].Median), bin(fig.Tiers[*tier-1].P90)
		}
		if fmt.Sprint(deref(gotMedian), deref(gotP90)) != fmt.Sprint(deref(median), deref(p90)) {
			t.Errorf("time to close at tier %v: fast path bins %v/%v, reference %v/%v",
				deref(tier), deref(gotMedian), deref(gotP90), deref(median), deref(p90))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func deref(p *int) string {
	if p == nil {
		return "none"
	}
	return strconv.Itoa(*p)
}

// checkBreakdowns: the children, categories and trend points of a filter are each what the
// summary of that child, category or stretch of days gives.
func checkBreakdowns(t *testing.T, pool *pgxpool.Pool, stats *dispatch.Stats, f dispatch.StatsFilter, total dispatch.Counters) {
	t.Helper()
	ctx := context.Background()
	flat := func(c dispatch.Counters) string {
		return fmt.Sprint(c.Figures().Received, c.Figures().Closed, c.Figures().Open, c.Figures().Overdue, c.Figures().OnTime)
	}
	children, err := stats.Children(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	// the children listed are the units one level down (the grid itself at a grid) with a
	// counter row on a day of the period
	level := grid.LevelOfCode(f.Unit)
	if level < grid.Grid {
		level++
	}
	var want string
	if err := pool.QueryRow(ctx, `SELECT coalesce(string_agg(DISTINCT unit_code, ' ' ORDER BY unit_code), '')
FROM case_stats WHERE category = $1 AND level = $2 AND starts_with(unit_code, $3) AND span = 'd' AND period BETWEEN $4 AND $5`,
		f.Category, int(level), f.Unit, f.From, f.To).Scan(&want); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range children {
		got = append(got, ch.Code)
	}
	if strings.Join(got, " ") != want {
		t.Errorf("the children of %+v: %v, want %s", f, got, want)
	}
	for _, ch := range children {
		c, err := stats.Summary(ctx, dispatch.StatsFilter{Unit: ch.Code, Category: f.Category, From: f.From, To: f.To})
		if err != nil {
			t.Fatal(err)
		}
		if flat(c) != flat(ch.Counters) {
			t.Errorf("child %s of %+v: %s as a child, %s on its own", ch.Code, f, flat(ch.Counters), flat(c))
		}
	}
	for _, by := range []string{"week", "month"} {
		points, err := stats.Trend(ctx, f, by)
		if err != nil {
			t.Fatal(err)
		}
		sum := make(dispatch.Counters, len(total))
		for _, p := range points {
			for i, v := range p.Counters {
				sum[i] += v
			}
		}
		if flat(sum) != flat(total) {
			t.Errorf("the %sly trend of %+v sums to %s, the period to %s", by, f, flat(sum), flat(total))
		}
	}
	if f.Category != "" {
		return
	}
	cats, err := stats.Categories(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range cats {
		c, err := stats.Summary(ctx, dispatch.StatsFilter{Unit: f.Unit, Category: k.Code, From: f.From, To: f.To})
		if err != nil {
			t.Fatal(err)
		}
		if flat(c) != flat(k.Counters) {
			t.Errorf("category %s of %+v: %s in the breakdown, %s filtered", k.Code, f, flat(k.Counters), flat(c))
		}
	}
}

// historyDriver makes random case histories through the real workflow.
type historyDriver struct {
	fx        *caseFixture
	rng       *rand.Rand
	mediators map[string]grid.Member // by centre
	cases     []int64
	leader    grid.Member // a supervisor at the county (risk grading)
	leader2   grid.Member // another: ownership handed over between them (case_leader.go)
}

// Points of the test county (grid/gridtest): two micro-grids, a grid without micro-grids, a
// village without grids and a township without villages.
var historyPoints = [][2]float64{{111.02, 35.02}, {111.02, 35.07}, {111.07, 35.04}, {111.04, 35.14}, {111.14, 35.08}}

var historyUnits = []string{"140802", "140802001", "140802002", "140802001001", "140802001002", "140802001001001", "140802001001002"}

func newHistoryDriver(t *testing.T, fx *caseFixture, rng *rand.Rand) *historyDriver {
	h := &historyDriver{fx: fx, rng: rng, mediators: map[string]grid.Member{
		"140802": fx.county, "140802001": fx.township, "140802001001": fx.village, "140802001002": fx.neighbour}}
	g := grid.NewStore(fx.db.Pool)
	m, err := g.CreateMember(context.Background(), "13900000017", "调解员")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Assign(context.Background(), grid.Assignment{MemberID: m.ID, UnitCode: "140802002", Role: grid.RoleMediator}); err != nil {
		t.Fatal(err)
	}
	h.mediators["140802002"] = m
	h.leader = leaderOf(t, fx, "13900000018", "140802") // risk grading: a county leader takes difficult cases
	h.leader2 = leaderOf(t, fx, "13900000019", "140802")
	h.cases = []int64{fx.caseID}
	return h
}

func (h *historyDriver) filter(rng *rand.Rand, lo, hi time.Time) dispatch.StatsFilter {
	days := int(hi.Sub(lo).Hours() / 24)
	from := lo.AddDate(0, 0, rng.IntN(days+1))
	to := from.AddDate(0, 0, rng.IntN(int(hi.Sub(from).Hours()/24)+1))
	cats := []string{"", "", "neighbour", "petition", "rubbish"}
	return dispatch.StatsFilter{Unit: historyUnits[rng.IntN(len(historyUnits))], Category: cats[rng.IntN(len(cats))], From: from, To: to}
}

// run reports n cases and then takes steps random actions on random open cases.
func (h *historyDriver) run(t *testing.T, n, steps int) {
	ctx := context.Background()
	cats := []string{"neighbour", "neighbour", "petition", "rubbish", "labour_wages"}
	for range n {
		r := h.fx.report(t)
		p := historyPoints[h.rng.IntN(len(historyPoints))]
		r.Lon, r.Lat, r.Category = p[0], p[1], cats[h.rng.IntN(len(cats))]
		if h.rng.IntN(5) == 0 {
			r.Severity = "urgent"
		}
		if r.Category == "rubbish" && h.rng.IntN(2) == 0 {
			r.HandledOnSpot, r.OnSpotNote = true, "已当场清理"
		}
		rc, err := h.fx.intake.Submit(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if rc.CaseID != 0 {
			h.cases = append(h.cases, rc.CaseID)
		}
	}
	for range steps {
		h.step(t, h.cases[h.rng.IntN(len(h.cases))])
	}
}

// step takes one random action on a case, as its centre, its reporter, a supervisor or the timer.
func (h *historyDriver) step(t *testing.T, id int64) {
	ctx := context.Background()
	pool := h.fx.db.Pool
	var state, centre string
	var version int
	if err := pool.QueryRow(ctx, `SELECT state, centre_code, version FROM cases WHERE id = $1`, id).Scan(&state, &centre, &version); err != nil {
		t.Fatal(err)
	}
	tr := dispatch.Transition{CaseID: id, Version: version, ActorID: h.mediators[centre].ID, Reason: "处理意见"}
	pick := func(as ...dispatch.Action) { tr.Action = as[h.rng.IntN(len(as))] }
	switch state {
	case "closed":
		callbackStep(t, h, tr)
		return
	case "queued":
		pick(dispatch.ActAccept, dispatch.ActAccept, dispatch.ActEscalate, dispatch.ActReturn, dispatch.ActTransfer, dispatch.ActOverdue, dispatch.ActUrge,
			dispatch.ActMerge, dispatch.ActDecline)
	case "accepted": // settle: a non-dispute as handled without a mediation; a dispute is refused
		pick(dispatch.ActMediate, dispatch.ActMediate, dispatch.ActSettle, dispatch.ActEscalate, dispatch.ActReturn, dispatch.ActOverdue,
			dispatch.ActMerge, dispatch.ActPark, dispatch.ActRequestExtension)
	case "mediating":
		pick(dispatch.ActSettle, dispatch.ActSettle, dispatch.ActSettle, dispatch.ActMediate, dispatch.ActEscalate, dispatch.ActOverdue,
			dispatch.ActPark, dispatch.ActApproveExtension, dispatch.ActRefuseExtension)
	case "parked": // 挂账: unparked, urged, or left
		pick(dispatch.ActUnpark, dispatch.ActUnpark, dispatch.ActUrge)
	case "declined": // 退单: the centre above rules (case_decline.go)
		pick(dispatch.ActDeclineUphold, dispatch.ActDeclineOverrule)
		tr.ActorID = h.mediators[map[string]string{"140802001001": "140802001", "140802001002": "140802001",
			"140802001": "140802", "140802002": "140802"}[centre]].ID
	case "verifying":
		pick(dispatch.ActVerify, dispatch.ActVerify, dispatch.ActVerify, dispatch.ActRework, dispatch.ActCloseUnverified)
		if h.rng.IntN(4) > 0 {
			tr.ActorID = h.fx.worker.ID
		} else if _, err := pool.Exec(ctx, `UPDATE cases SET verify_due_at = now() - interval '1 second' WHERE id = $1`, id); err != nil {
			t.Fatal(err) // the reporter's time ran out: the centre's mediator verifies instead
		}
	}
	switch tr.Action {
	case dispatch.ActCloseUnverified: // nobody verified it in time: the timer closes it
		if _, err := pool.Exec(ctx, `UPDATE cases SET verify_due_at = now() - interval '2 seconds',
			verify_lapse_at = now() - interval '1 second' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := dispatch.CloseLapsed(ctx, pool, 100); err != nil {
			t.Fatal(err)
		}
		return
	case dispatch.ActOverdue: // the deadline passes: the timer escalates or flags the case
		if _, err := pool.Exec(ctx, `UPDATE cases SET deadline_at = now() - interval '1 second' WHERE id = $1 AND overdue_at IS NULL`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := dispatch.EscalateDue(ctx, pool, 100); err != nil {
			t.Fatal(err)
		}
		return
	case dispatch.ActUrge, dispatch.ActApproveExtension, dispatch.ActRefuseExtension:
		tr.ActorID = h.fx.supervisor.ID
	case dispatch.ActPark:
		until := time.Now().Add(7 * 24 * time.Hour)
		tr.Until = &until
	case dispatch.ActRequestExtension:
		var deadline *time.Time
		if err := pool.QueryRow(ctx, `SELECT deadline_at FROM cases WHERE id = $1`, id).Scan(&deadline); err != nil {
			t.Fatal(err)
		}
		if deadline == nil {
			return
		}
		until := deadline.Add(24 * time.Hour)
		tr.Until = &until
	case dispatch.ActSettle:
		tr.Outcome = []dispatch.Outcome{dispatch.OutcomeMediated, dispatch.OutcomeMediated, dispatch.OutcomeHandled, dispatch.OutcomeUnsettled}[h.rng.IntN(4)]
		if state == "accepted" {
			tr.Outcome = dispatch.OutcomeHandled
		}
	case dispatch.ActMerge: // 并单: into another open case of the centre, if there is one
		if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM cases WHERE centre_code = $1 AND state <> 'closed'
			AND id <> $2`, centre, id).Scan(&tr.MergeInto); err != nil {
			t.Fatal(err)
		}
		if tr.MergeInto == 0 {
			return
		}
	case dispatch.ActDecline:
		tr.ReasonCode = dispatch.DeclineReasons[h.rng.IntN(len(dispatch.DeclineReasons))]
	case dispatch.ActDeclineUphold: // to a sibling, or up to the centre above
		tr.ToCentre = map[string]string{"140802001001": "140802001002", "140802001002": "140802001",
			"140802001": "140802002", "140802002": "140802"}[centre]
	case dispatch.ActTransfer:
		tr.ToCentre = map[string]string{"140802001001": "140802001002", "140802001002": "140802001001",
			"140802001": "140802002", "140802002": "140802001"}[centre]
	}
	// Risk grading (case_grade.go): some accepts graded (difficult ones go to the county), some
	// regrades, and the county leader taking ownership.
	grades := []dispatch.Grade{dispatch.GradeSimple, dispatch.GradeComplex, dispatch.GradeDifficult}
	switch {
	case tr.Action == dispatch.ActAccept && h.rng.IntN(2) == 0:
		tr.Grade = grades[h.rng.IntN(3)]
	case (state == "accepted" || state == "mediating") && h.rng.IntN(8) == 0:
		tr.Action, tr.Grade, tr.Outcome = dispatch.ActRegrade, grades[h.rng.IntN(3)], ""
	case state != "verifying" && h.rng.IntN(6) == 0:
		tr.Action, tr.ActorID, tr.Reason, tr.Outcome, tr.ToCentre = dispatch.ActLead, h.leader.ID, "", "", ""
	case h.leaderTurn(t, id): // ownership handed over or given up (case_leader.go), by either leader
		h.leaderStep(t, state, &tr)
	}
	_, err := h.fx.cases.Apply(ctx, tr)
	for _, refused := range []error{dispatch.ErrNotYours, dispatch.ErrNotAllowed, dispatch.ErrNoAttemptYet,
		dispatch.ErrNoTierThatWay, dispatch.ErrUnknownCentre, dispatch.ErrBadTransition, dispatch.ErrNoMediationYet,
		dispatch.ErrNotDifficult, dispatch.ErrAlreadyOwned, dispatch.ErrNoExtensionPending, dispatch.ErrPastDeadline} {
		if errors.Is(err, refused) {
			return // the workflow said no: as real as a yes
		}
	}
	if err != nil {
		t.Fatalf("%s on case %d: %v", tr.Action, id, err)
	}
}

// leaderTurn: whether this step is about the case's ownership: often when a leader owns it,
// now and then otherwise.
func (h *historyDriver) leaderTurn(t *testing.T, id int64) bool {
	var owned bool
	if err := h.fx.db.Pool.QueryRow(context.Background(), `SELECT leader_id IS NOT NULL FROM cases WHERE id = $1`, id).Scan(&owned); err != nil {
		t.Fatal(err)
	}
	return h.rng.IntN(map[bool]int{true: 2, false: 4}[owned]) == 0
}

// leaderStep makes tr a handover (to the other leader) or a release, mostly by the case's owner
// (it goes through), sometimes by the other leader or on a case nobody owns (refused); a case
// nobody owns is mostly regraded difficult by its centre or taken (lead) instead.
func (h *historyDriver) leaderStep(t *testing.T, state string, tr *dispatch.Transition) {
	mediator := tr.ActorID
	var owner *int64
	if err := h.fx.db.Pool.QueryRow(context.Background(), `SELECT leader_id FROM cases WHERE id = $1`, tr.CaseID).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	by, other := h.leader, h.leader2
	if owner != nil && *owner == other.ID || owner == nil && h.rng.IntN(2) == 0 {
		by, other = other, by
	}
	if h.rng.IntN(4) == 0 {
		by, other = other, by
	}
	*tr = dispatch.Transition{CaseID: tr.CaseID, Version: tr.Version, ActorID: by.ID, Action: dispatch.ActLeadRelease, Reason: "工作调整"}
	switch {
	case owner == nil && (state == "accepted" || state == "mediating") && h.rng.IntN(2) == 0: // made difficult first
		*tr = dispatch.Transition{CaseID: tr.CaseID, Version: tr.Version, ActorID: mediator, Action: dispatch.ActRegrade,
			Grade: dispatch.GradeDifficult, Reason: "矛盾升级"}
	case owner == nil && h.rng.IntN(4) > 0: // owned by nobody: mostly taken (if difficult), so that there is something to hand over
		tr.Action, tr.Reason = dispatch.ActLead, ""
	case h.rng.IntN(2) > 0:
		tr.Action, tr.ToMember, tr.Reason = dispatch.ActLeadHandover, other.ID, ""
	}
}
