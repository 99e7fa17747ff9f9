package grid_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// newVillages splits township 140802002 (111.1..111.2 × 35.0..35.2) into two villages.
const newVillages = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"140802002001","name":"北村","level":3,"parent_code":"140802002"},
 "geometry":{"type":"Polygon","coordinates":[[[111.1,35.1],[111.2,35.1],[111.2,35.2],[111.1,35.2],[111.1,35.1]]]}},
{"type":"Feature","properties":{"code":"140802002002","name":"南村","level":3,"parent_code":"140802002"},
 "geometry":{"type":"Polygon","coordinates":[[[111.1,35.0],[111.2,35.0],[111.2,35.1],[111.1,35.1],[111.1,35.0]]]}}]}`

func TestLiveLocatorSwapsUnderLoad(t *testing.T) {
	t.Parallel()
	s := storeWithGoodGrid(t)
	ctx := context.Background()
	live := s.NewLiveLocator(grid.DefaultNearMetres, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := live.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if err := live.Ready(ctx); err != nil {
		t.Fatal(err)
	}

	const lon, lat = 111.15, 35.15 // in the township; after the import, in 北村
	var stop atomic.Bool
	var wg sync.WaitGroup
	var lookups atomic.Int64
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				got, ok := live.Locate(lon, lat)
				code := got.Unit().Code
				if !ok || (code != "140802002" && code != "140802002001") {
					select {
					case errs <- code:
					default:
					}
					return
				}
				lookups.Add(1)
			}
		}()
	}

	units, err := grid.ReadGeoJSON(strings.NewReader(newVillages))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, units); err != nil {
		t.Fatal(err)
	}
	live.Changed()
	gridtest.Eventually(t, "the locator to find the new village", func() bool {
		got, _ := live.Locate(lon, lat)
		return got.Unit().Code == "140802002001" && got.Level == grid.Village
	})
	stop.Store(true)
	wg.Wait()
	close(errs)
	for code := range errs {
		t.Fatalf("a lookup during the rebuild answered %q", code)
	}
	if live.Rebuilds() < 1 || lookups.Load() == 0 {
		t.Fatalf("rebuilds %d, lookups %d", live.Rebuilds(), lookups.Load())
	}
}

func TestLiveLocatorStartsBeforeTheSchema(t *testing.T) {
	t.Parallel()
	db := dbtest.Empty(t) // not migrated: no units table yet
	ctx := context.Background()
	live := grid.NewStore(db.Pool).NewLiveLocator(grid.DefaultNearMetres, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := live.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if err := live.Ready(ctx); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Fatalf("ready without a grid: %v", err)
	}
	if _, ok := live.Locate(111.15, 35.15); ok {
		t.Fatal("an empty index placed a point")
	}
}
