package dispatch_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// The reference SQL of docs/points-market.md, word for word: $1 from, $2 to (months), $3 the
// unit, $4 the level's code length.
const referenceEarned = `
WITH earned AS (
    SELECT l.member_id, l.unit_code, l.points
    FROM point_ledger l LEFT JOIN point_ledger o ON o.id = l.reverses
    WHERE l.month >= $1 AND l.month < $2 AND l.unit_code LIKE $3 || '%'
      AND (l.kind IN ('case', 'manual') OR (l.kind = 'reversal' AND o.kind IN ('case', 'manual')))
), workers AS (
    SELECT DISTINCT a.member_id, a.unit_code
    FROM assignments a JOIN members m ON m.id = a.member_id
    WHERE a.role = 'grid_worker' AND m.deactivated_at IS NULL AND a.unit_code LIKE $3 || '%'
)`

const referenceUnitRanking = referenceEarned + `, totals AS (
    SELECT u.code,
           (SELECT coalesce(sum(e.points), 0) FROM earned e WHERE left(e.unit_code, $4) = u.code) AS points,
           (SELECT count(DISTINCT w.member_id) FROM workers w WHERE left(w.unit_code, $4) = u.code) AS workers
    FROM units u
    WHERE u.code LIKE $3 || '%' AND length(u.code) = $4
      AND (u.retired_at IS NULL OR u.code IN (SELECT left(unit_code, $4) FROM earned))
)
SELECT code, points, workers,
       rank() OVER (ORDER BY points DESC) AS rank,
       rank() OVER (ORDER BY CASE WHEN workers > 0 THEN points::float8 / workers END DESC NULLS LAST) AS rank_per_capita
FROM totals`

const referenceWorkerRanking = referenceEarned + `, people AS (
    SELECT member_id FROM earned UNION SELECT member_id FROM workers
), totals AS (
    SELECT p.member_id,
           coalesce((SELECT min(w.unit_code) FROM workers w WHERE w.member_id = p.member_id),
                    (SELECT min(e.unit_code) FROM earned e WHERE e.member_id = p.member_id)) AS grid,
           (SELECT coalesce(sum(e.points), 0) FROM earned e WHERE e.member_id = p.member_id) AS points
    FROM people p
)
SELECT member_id, grid, points, rank() OVER (ORDER BY points DESC) AS rank FROM totals`

// referenceYear: $1 the unit, $2 the year. One line per member and category (” for lost and
// spent lines).
const referenceYear = `
WITH y AS (
    SELECT l.member_id, l.points, coalesce(o.kind, l.kind) AS kind, coalesce(o.points, l.points) AS origin,
           coalesce(r.category, '') AS category
    FROM point_ledger l LEFT JOIN point_ledger o ON o.id = l.reverses
    LEFT JOIN point_rules r ON r.id = coalesce(o.rule_id, l.rule_id)
    WHERE l.month >= make_date($2, 1, 1) AND l.month < make_date($2 + 1, 1, 1) AND l.unit_code LIKE $1 || '%'
), people AS (
    SELECT member_id FROM y
    UNION SELECT a.member_id FROM assignments a JOIN members m ON m.id = a.member_id
          WHERE a.role = 'grid_worker' AND m.deactivated_at IS NULL AND a.unit_code LIKE $1 || '%'
)
SELECT p.member_id, 'earned:' || y.category, sum(y.points)
FROM people p JOIN y USING (member_id) WHERE y.kind <> 'redemption' AND y.origin > 0 GROUP BY 1, 2
UNION ALL
SELECT p.member_id, 'lost', -coalesce(sum(y.points) FILTER (WHERE y.kind <> 'redemption' AND y.origin < 0), 0)
FROM people p LEFT JOIN y USING (member_id) GROUP BY 1
UNION ALL
SELECT p.member_id, 'spent', -coalesce(sum(y.points) FILTER (WHERE y.kind = 'redemption'), 0)
FROM people p LEFT JOIN y USING (member_id) GROUP BY 1
UNION ALL
SELECT p.member_id, 'balance', (SELECT coalesce(sum(l.points), 0) FROM point_ledger l
                                WHERE l.member_id = p.member_id AND l.month < make_date($2 + 1, 1, 1))
FROM people p`

// TestPointsFiguresEqualReferenceSQL: random ledgers (earnings, penalties, redemptions and
// counter-entries of each, over fourteen months, at grids of two townships, by workers who
// moved or hold two grids) give, for every unit, level, period and ordering tried, the
// rankings and yearly summaries of the reference SQL. POINTS_SEED repeats a run.
func TestPointsFiguresEqualReferenceSQL(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("POINTS_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("POINTS_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 17))
	ctx := context.Background()
	db := dbtest.New(t)
	g := grid.NewStore(db.Pool)
	gridtest.Import(t, g)
	pool := db.Pool
	for _, u := range [][2]string{{"140802002001", "140802002"}, {"140802002001001", "140802002001"}, {"140802002001002", "140802002001"}} {
		level := map[int]int{12: 3, 15: 4}[len(u[0])]
		if _, err := pool.Exec(ctx, `INSERT INTO units (code, parent_code, level, name, geom)
			VALUES ($1, $2, $3, '测试' || $1, ST_Multi(ST_MakeEnvelope(111.1, 35.1, 111.2, 35.2, 4326)))`, u[0], u[1], level); err != nil {
			t.Fatal(err)
		}
	}
	grids := []string{"140802001001001", "140802001001002", "140802002001001", "140802002001002"}
	var workers []int64
	for i := range 9 {
		m, err := g.CreateMember(ctx, fmt.Sprintf("139000002%02d", i), fmt.Sprintf("工作者%d", i))
		if err != nil {
			t.Fatal(err)
		}
		workers = append(workers, m.ID)
		for j := range i % 3 { // none, one or two grids now
			if err := g.Assign(ctx, grid.Assignment{MemberID: m.ID, UnitCode: grids[(i+j)%len(grids)], Role: grid.RoleGridWorker}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The first worker holds no grid and has left: their past rows still count where booked.
	if _, err := pool.Exec(ctx, `UPDATE members SET deactivated_at = now() WHERE id = $1`, workers[0]); err != nil {
		t.Fatal(err)
	}
	var rules []int64
	for i, r := range []struct {
		category string
		points   int
	}{{"上报", 2}, {"化解", 5}, {"走访", 1}, {"上报", -3}} {
		rules = append(rules, insertMarketRule(t, pool, fmt.Sprintf("rule_%d", i), r.category, r.points))
	}
	units := []string{"140802", "140802001", "140802002", "140802001001", "140802002001001"}
	const rounds = 12
	for round := range rounds {
		// CASCADE: the earning side's and the redemptions' tables refer to the ledger.
		if _, err := pool.Exec(ctx, `TRUNCATE point_ledger, point_balances CASCADE`); err != nil {
			t.Fatal(err)
		}
		randomMarketLedger(t, pool, rng, workers, grids, rules, 40+rng.IntN(120))
		for _, unit := range units {
			for _, kind := range []string{"month", "quarter", "year"} {
				month := time.Date(2026, time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
				if rng.IntN(4) == 0 {
					month = time.Date(2025+rng.IntN(3), time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
				}
				period, err := dispatch.NewPointsPeriod(kind, month)
				if err != nil {
					t.Fatal(err)
				}
				for _, level := range []dispatch.PointsRankLevel{dispatch.PointsRankWorker, dispatch.PointsRankGrid, dispatch.PointsRankVillage, dispatch.PointsRankTownship} {
					for _, perCapita := range []bool{false, true} {
						q := dispatch.PointsRankQuery{Unit: unit, Level: level, Period: period, PerCapita: perCapita}
						if q.Check() != nil {
							continue
						}
						checkPointsRanking(t, pool, dispatch.NewPointsFigures(pool), q, round)
					}
				}
			}
			for _, year := range []int{2025, 2026, 2027} {
				checkPointsYear(t, pool, dispatch.NewPointsFigures(pool), unit, year, round)
			}
		}
		if t.Failed() {
			return
		}
	}
}

// randomMarketLedger books n random rows: earnings and penalties at random grids and months, some
// redemptions (when the balance allows) and counter-entries of earlier rows.
func randomMarketLedger(t *testing.T, pool *pgxpool.Pool, rng *rand.Rand, workers []int64, grids []string, rules []int64, n int) {
	t.Helper()
	ctx := context.Background()
	var booked []int64
	for i := range n {
		member := workers[rng.IntN(len(workers))]
		unit := grids[rng.IntN(len(grids))]
		month := time.Date(2025, time.Month(12+rng.IntN(14)), 1, 0, 0, 0, 0, time.UTC)
		var err error
		var id int64
		switch k := rng.IntN(10); {
		case k < 6:
			rule := rules[rng.IntN(len(rules))]
			kind := []string{"case", "manual"}[rng.IntN(2)]
			err = pool.QueryRow(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source)
				SELECT $1, $2, $3, points * $4, $5, id, $6 FROM point_rules WHERE id = $7 RETURNING id`,
				member, unit, month, 1+rng.IntN(3), kind, fmt.Sprintf("t:%d", i), rule).Scan(&id)
		case k < 8:
			err = pool.QueryRow(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, source)
				VALUES ($1, $2, $3, $4, 'redemption', $5) RETURNING id`, member, unit, month, -(1 + rng.IntN(6)), fmt.Sprintf("r:%d", i)).Scan(&id)
			if err != nil { // more than the balance: the trigger refuses, as it should
				continue
			}
		default:
			if len(booked) == 0 {
				continue
			}
			of := booked[rng.IntN(len(booked))]
			err = pool.QueryRow(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, source, reverses)
				SELECT member_id, unit_code, $2, -points, 'reversal', 'reversal:' || id, id FROM point_ledger
				WHERE id = $1 AND kind <> 'reversal' AND NOT EXISTS (SELECT 1 FROM point_ledger WHERE reverses = $1)
				RETURNING id`, of, month).Scan(&id)
			if err == pgx.ErrNoRows {
				continue
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		booked = append(booked, id)
	}
}

func checkPointsRanking(t *testing.T, pool *pgxpool.Pool, f *dispatch.PointsFigures, q dispatch.PointsRankQuery, round int) {
	t.Helper()
	got, err := f.Ranking(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		code          string
		points        int64
		workers, rank int
	}
	want := map[string]line{}
	ctx := context.Background()
	if q.Level == dispatch.PointsRankWorker {
		rows, err := pool.Query(ctx, referenceWorkerRanking, q.Period.From, q.Period.To, q.Unit)
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		var l line
		if _, err := pgx.ForEachRow(rows, []any{&id, &l.code, &l.points, &l.rank}, func() error {
			l.workers = 1
			want[strconv.FormatInt(id, 10)] = l
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	} else {
		n := map[dispatch.PointsRankLevel]int{dispatch.PointsRankGrid: 15, dispatch.PointsRankVillage: 12, dispatch.PointsRankTownship: 9}[q.Level]
		rows, err := pool.Query(ctx, referenceUnitRanking, q.Period.From, q.Period.To, q.Unit, n)
		if err != nil {
			t.Fatal(err)
		}
		var l line
		var rank, perCapita int
		if _, err := pgx.ForEachRow(rows, []any{&l.code, &l.points, &l.workers, &rank, &perCapita}, func() error {
			l.rank = rank
			if q.PerCapita {
				l.rank = perCapita
			}
			want[l.code] = l
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != len(want) {
		t.Errorf("round %d %+v: %d lines; the reference has %d", round, q, len(got), len(want))
	}
	for i, r := range got {
		key := r.Code
		if q.Level == dispatch.PointsRankWorker {
			key = strconv.FormatInt(r.MemberID, 10)
		}
		l := line{r.Code, r.Points, r.Workers, r.Rank}
		if want[key] != l {
			t.Errorf("round %d %+v line %d: %+v; the reference has %+v", round, q, i, l, want[key])
		}
		if i > 0 && got[i-1].Rank > r.Rank {
			t.Errorf("round %d %+v: rank %d after %d", round, q, r.Rank, got[i-1].Rank)
		}
	}
}

func checkPointsYear(t *testing.T, pool *pgxpool.Pool, f *dispatch.PointsFigures, unit string, year, round int) {
	t.Helper()
	got, err := f.Year(context.Background(), unit, year)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	rows, err := pool.Query(context.Background(), referenceYear, unit, year)
	if err != nil {
		t.Fatal(err)
	}
	var id, v int64
	var what string
	if _, err := pgx.ForEachRow(rows, []any{&id, &what, &v}, func() error { want[fmt.Sprintf("%d %s", id, what)] = v; return nil }); err != nil {
		t.Fatal(err)
	}
	have := map[string]int64{}
	var totals int64
	for _, r := range got.Rows {
		for c, p := range r.Earned {
			have[fmt.Sprintf("%d earned:%s", r.MemberID, c)] = p
		}
		have[fmt.Sprintf("%d lost", r.MemberID)] = r.Lost
		have[fmt.Sprintf("%d spent", r.MemberID)] = r.Spent
		have[fmt.Sprintf("%d balance", r.MemberID)] = r.Balance
		totals += r.Total
	}
	for k, w := range want {
		if have[k] != w {
			t.Errorf("round %d %s %d: %s is %d; the reference has %d", round, unit, year, k, have[k], w)
		}
	}
	if len(have) != len(want) {
		t.Errorf("round %d %s %d: %d figures; the reference has %d", round, unit, year, len(have), len(want))
	}
	if totals != got.Totals.Total {
		t.Errorf("round %d %s %d: total %d; the rows add up to %d", round, unit, year, got.Totals.Total, totals)
	}
}
