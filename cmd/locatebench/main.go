// Command locatebench measures locating points in the grid: the in-memory index against
// PostGIS ST_Covers with its GiST index, one point per query and in batches, on the same
// points of the grid loaded in DATABASE_URL. It prints the figures docs/benchmarks.md records.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/grid"
)

func main() {
	var (
		dbURL  = flag.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL with the grid loaded (make run loads the demo city)")
		n      = flag.Int("points", 100_000, "random points over the grid's bounding box")
		single = flag.Int("single", 2_000, "points PostGIS answers one query each (it is slow)")
		batch  = flag.Int("batch", 1_000, "points per PostGIS batched query")
		seed   = flag.Uint64("seed", 1, "random seed")
	)
	flag.Parse()
	if err := run(context.Background(), *dbURL, *n, *single, *batch, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "locatebench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbURL string, n, single, batch int, seed uint64) error {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := grid.NewStore(pool)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	loc, err := store.NewLocator(ctx, 0)
	if err != nil {
		return err
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	fmt.Printf("index: %d leaf units, built in %.2f s (read from PostgreSQL and indexed), %d MB by its own estimate, %d MB live heap after build\n",
		loc.Leaves(), loc.BuildTime().Seconds(), loc.IndexBytes()>>20, int64(after.HeapAlloc-before.HeapAlloc)>>20)

	bound, err := gridBound(ctx, store)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	lons, lats := make([]float64, n), make([]float64, n)
	for i := range n {
		lons[i] = bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0])
		lats[i] = bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])
	}

	// The index, one goroutine, over all the points and over those inside the grid only (real
	// reports are nearly all inside; a point outside costs a nearest-unit search as well).
	var inLons, inLats []float64
	for i := range n {
		if _, ok := loc.Locate(lons[i], lats[i]); ok {
			inLons, inLats = append(inLons, lons[i]), append(inLats, lats[i])
		}
	}
	indexRate := locateRate(loc, lons, lats)
	insideRate := locateRate(loc, inLons, inLats)
	fmt.Printf("index, 1 goroutine, all points:    %12.0f points/s  (%d points, %.1f%% inside the grid)\n",
		indexRate, n, 100*float64(len(inLons))/float64(n))
	fmt.Printf("index, 1 goroutine, inside points: %12.0f points/s  (%d points)\n", insideRate, len(inLons))

	single = min(single, n)
	start := time.Now()
	singleCodes := make([]string, single)
	for i := range single {
		if singleCodes[i], err = store.PostGISLocate(ctx, lons[i], lats[i]); err != nil {
			return err
		}
	}
	singleRate := float64(single) / time.Since(start).Seconds()
	fmt.Printf("PostGIS, one point per query: %11.0f points/s  (%d queries, one connection)\n", singleRate, single)

	start = time.Now()
	var batchCodes []string
	for from := 0; from < n; from += batch {
		to := min(from+batch, n)
		codes, err := store.PostGISLocateBatch(ctx, lons[from:to], lats[from:to])
		if err != nil {
			return err
		}
		batchCodes = append(batchCodes, codes...)
	}
	batchRate := float64(n) / time.Since(start).Seconds()
	fmt.Printf("PostGIS, %d points per query: %8.0f points/s  (%d points, one connection)\n", batch, batchRate, n)

	disagree := 0
	for i := range n {
		got, ok := loc.Locate(lons[i], lats[i])
		if !ok {
			got = grid.Location{}
		}
		if got.Unit().Code != batchCodes[i] || (i < single && singleCodes[i] != batchCodes[i]) {
			disagree++
		}
	}
	fmt.Printf("index / PostGIS single: %.0fx; index / PostGIS batched: %.0fx; disagreements: %d of %d points\n",
		indexRate/singleRate, indexRate/batchRate, disagree, n)
	return nil
}

// locateRate locates the points over and over for two seconds on one goroutine.
func locateRate(loc *grid.Locator, lons, lats []float64) float64 {
	start := time.Now()
	calls := 0
	for time.Since(start) < 2*time.Second {
		for i := range lons {
			loc.Locate(lons[i], lats[i])
		}
		calls += len(lons)
	}
	return float64(calls) / time.Since(start).Seconds()
}

// gridBound is the bounding box of every unit.
func gridBound(ctx context.Context, s *grid.Store) (orb.Bound, error) {
	counties, err := s.Subtree(ctx, "", grid.County)
	if err != nil {
		return orb.Bound{}, err
	}
	if len(counties) == 0 {
		return orb.Bound{}, fmt.Errorf("no units: load a grid first (make run, or griddispatch demo load)")
	}
	b := counties[0].Geom.Bound()
	for _, c := range counties[1:] {
		b = b.Union(c.Geom.Bound())
	}
	return b, nil
}
