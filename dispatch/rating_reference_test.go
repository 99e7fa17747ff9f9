package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
)

// TestRatingsEqualReferenceSQL is the property of docs/ratings.md: after random case histories
// (spread over two years), random entries and random decisions through the process, every
// computed indicator of every village's sheet equals its reference query, and the counts per
// level of every unit equal theirs. RATINGS_SEED repeats a run.
func TestRatingsEqualReferenceSQL(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("RATINGS_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("RATINGS_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 17))
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	pool := fx.db.Pool
	h := newHistoryDriver(t, fx, rng)
	h.run(t, 80, 700)
	if _, err := pool.Exec(ctx, `
		WITH shift AS (SELECT id, make_interval(days => (random() * 600)::int, secs => random() * 86400) AS d FROM cases)
		UPDATE case_history h SET at = h.at - s.d FROM shift s WHERE s.id = h.case_id;
		UPDATE cases c SET opened_at = h.at FROM case_history h WHERE h.case_id = c.id AND h.from_state IS NULL;`); err != nil {
		t.Fatal(err)
	}
	if err := dispatch.RebuildStats(ctx, pool); err != nil {
		t.Fatal(err)
	}
	refs := ratingReferences(t)
	ratings := dispatch.NewRatings(pool, dispatch.NewStats(pool))
	today := dispatch.StatsToday(time.Now())
	villages := []string{"140802001001", "140802001002"}
	units := []string{"140802", "140802001", "140802002", "140802001001", "140802001002"}
	schemes := []string{"five_flags", "five_stars"}
	everyone := dispatch.RatingRoles{Self: true, Reviewer: true, Awarder: true, Reader: true}
	var steps, refused int
	for round := range 120 {
		scheme, village := schemes[rng.IntN(2)], villages[rng.IntN(2)]
		day := today.AddDate(0, 0, -[]int{0, 0, 200, 400, rng.IntN(700)}[rng.IntN(5)]) // the same periods, again and again
		s, err := ratings.Scheme(ctx, scheme)
		if err != nil {
			t.Fatal(err)
		}
		// A few random steps of the process; refusals (a mark below its pass score, a wrong
		// state) are part of the walk.
		for range 1 + rng.IntN(4) {
			st := dispatch.RatingStep{Scheme: scheme, Unit: village, Period: day, ActorID: fx.supervisor.ID, Roles: everyone, Today: today}
			switch rng.IntN(7) {
			case 0, 1:
				st.Action = dispatch.RateEnter
				for _, m := range s.Marks {
					for _, it := range m.Indicators {
						if it.Source == "entered" && rng.IntN(3) > 0 {
							v := it.Threshold // passes, mostly
							if rng.IntN(4) == 0 {
								v += float64(rng.IntN(5) - 2)
							}
							st.Entries = append(st.Entries, dispatch.RatingEntry{Code: it.Code, Value: v, Note: "台账 " + it.Code})
						}
					}
				}
				if len(st.Entries) == 0 {
					continue
				}
			case 2:
				st.Action = dispatch.RateSubmit
			case 3:
				st.Action = dispatch.RateAccept
			case 4:
				if _, err := pool.Exec(ctx, `UPDATE rating_assessments SET notice_ends = $1 WHERE notice_ends IS NOT NULL`,
					today.AddDate(0, 0, -1)); err != nil {
					t.Fatal(err)
				}
				st.Action, st.Mark = dispatch.RateAward, 1+rng.IntN(len(s.Marks))
			case 5:
				st.Action, st.Mark, st.Reason = dispatch.RateRemove, 1+rng.IntN(len(s.Marks)), "指标下滑"
				// mostly a mark the village holds
				pool.QueryRow(ctx, `SELECT h.mark FROM rating_holdings h JOIN rating_schemes s ON s.id = h.scheme_id
					WHERE s.code = $1 AND h.unit_code = $2 AND h.held ORDER BY random() LIMIT 1`, scheme, village).Scan(&st.Mark)
			case 6:
				st.Action, st.Mark, st.Reason = dispatch.RateRestore, 1+rng.IntN(len(s.Marks)), "整改到位"
			}
			steps++
			if _, err := ratings.Act(ctx, st); err != nil {
				if !errors.Is(err, dispatch.ErrRatingNotAllowed) && !errors.Is(err, dispatch.ErrRatingBelowThreshold) && !errors.Is(err, dispatch.ErrNoticeRunning) {
					t.Fatalf("round %d: %s: %v", round, st.Action, err)
				}
				refused++
			}
		}
		t.Run(fmt.Sprintf("sheet/%d", round), func(t *testing.T) {
			checkSheet(t, pool, refs, ratings, scheme, village, day, today)
		})
		unit := units[rng.IntN(len(units))]
		t.Run(fmt.Sprintf("counts/%d", round), func(t *testing.T) { checkCounts(t, pool, refs, ratings, scheme, unit, today) })
	}
	awards := count(t, pool, `SELECT count(*) FROM rating_decisions WHERE action = 'award'`)
	removals := count(t, pool, `SELECT count(*) FROM rating_decisions WHERE action = 'remove'`)
	t.Logf("%d steps, %d refused; %d awards, %d removals", steps, refused, awards, removals)
	if awards == 0 || removals == 0 {
		t.Errorf("the walk awarded %d and removed %d marks: raise its odds", awards, removals)
	}
}

// ratingReferences reads the queries of docs/ratings.md, as written there.
func ratingReferences(t *testing.T) map[string]string {
	doc, err := os.ReadFile("../docs/ratings.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)```sql\n-- rating: ([a-z_]+)\n(.*?)```").FindAllSubmatch(doc, -1) {
		out[string(m[1])] = string(m[2])
	}
	for _, name := range append(append([]string{}, dispatch.RatingMetrics...), "counts") {
		if out[name] == "" {
			t.Fatalf("docs/ratings.md has no query for %s", name)
		}
	}
	return out
}

func checkSheet(t *testing.T, pool *pgxpool.Pool, refs map[string]string, ratings *dispatch.Ratings, scheme, village string, day, today time.Time) {
	ctx := context.Background()
	sh, err := ratings.Sheet(ctx, scheme, village, day, today)
	if err != nil {
		t.Fatal(err)
	}
	from, to := dispatch.RatingPeriod(map[string]string{"five_flags": "year", "five_stars": "half"}[scheme], day)
	if to.After(today) {
		to = today
	}
	checked := 0
	for _, m := range sh.Marks {
		for _, it := range m.Items {
			if it.Source != "computed" {
				continue
			}
			var want *float64
			if err := pool.QueryRow(ctx, refs[it.Metric], village, from, to).Scan(&want); err != nil {
				t.Fatalf("%s: %v", it.Metric, err)
			}
			if (want == nil) != (it.Value == nil) || (want != nil && *want != *it.Value) {
				t.Errorf("%s of %s, %s to %s: sheet %s, reference %s", it.Metric, village, from.Format(time.DateOnly),
					to.Format(time.DateOnly), show(it.Value), show(want))
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no computed indicator on the sheet")
	}
}

func checkCounts(t *testing.T, pool *pgxpool.Pool, refs map[string]string, ratings *dispatch.Ratings, scheme, unit string, today time.Time) {
	ctx := context.Background()
	o, err := ratings.Overview(ctx, scheme, unit, today, today)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int, len(o.Counts))
	rows, err := pool.Query(ctx, refs["counts"], unit, scheme)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, villages int
		if err := rows.Scan(&n, &villages); err != nil {
			t.Fatal(err)
		}
		want[n] = villages
	}
	if fmt.Sprint(want) != fmt.Sprint(o.Counts) {
		t.Errorf("counts of %s (%s): overview %v, reference %v", unit, scheme, o.Counts, want)
	}
}

func show(v *float64) string {
	if v == nil {
		return "none"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
