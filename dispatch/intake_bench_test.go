package dispatch_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// BenchmarkIntake stores reports from 64 phones at once, through batches as under load; the
// figure to watch is reports/s. go test -run X -bench Intake -benchtime 4000x ./dispatch
func BenchmarkIntake(b *testing.B) {
	db := dbtest.New(b)
	ctx := context.Background()
	g := grid.NewStore(db.Pool)
	gridtest.Import(b, g)
	m, err := g.CreateMember(ctx, "13900000001", "网格员")
	if err != nil {
		b.Fatal(err)
	}
	loc, err := g.NewLocator(ctx, grid.DefaultNearMetres)
	if err != nil {
		b.Fatal(err)
	}
	in := dispatch.NewIntake(db.Pool, loc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := in.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	reports := make(chan dispatch.Report, b.N)
	for i := range b.N {
		reports <- dispatch.Report{ClientID: uuid(b), ReporterID: m.ID, Category: "neighbour", Severity: "normal",
			Description: "两户因排水沟发生争执", Lon: 111.02, Lat: 35.02, AccuracyM: 8, HandledOnSpot: i%4 == 0,
			HappenedAt: time.Now().Add(-time.Hour)}
	}
	close(reports)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for r := range reports {
				if _, err := in.Submit(ctx, r); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reports/s")
}
