package grid_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// rosterBenchRows is the size of a large county's roster.
const rosterBenchRows = 100_000

// benchRoster is a roster of n rows over the small county's grids and micro-grids, each row
// a member of its own; the first half are registered already, with their assignment, as when
// a county imports its roster again after editing it.
func benchRoster(n int) [][]string {
	places := [][2]string{{"140802001001001", "网格员"}, {"140802001001002", "网格长"},
		{"140802001001001001", "网格信息员"}, {"140802001001001002", "网格信息员"}}
	recs := [][]string{{"手机号", "姓名", "单位代码", "单位名称", "角色"}}
	for i := range n {
		p := places[i%len(places)]
		recs = append(recs, []string{fmt.Sprintf("139%08d", i), fmt.Sprintf("网格员%d", i), p[0], "", p[1]})
	}
	return recs
}

// BenchmarkRosterDryRun100k reads and checks a 100,000-row roster, as the admin app's dry run
// does: ReadRoster, then ImportRoster with dryRun, against PostgreSQL.
func BenchmarkRosterDryRun100k(b *testing.B) {
	db := dbtest.New(b)
	s := grid.NewStore(db.Pool)
	gridtest.Import(b, s)
	ctx := context.Background()
	recs := benchRoster(rosterBenchRows)
	registered := rosterBenchRows / 2
	if _, err := db.Pool.Exec(ctx, `
		WITH m AS (INSERT INTO members (phone, name) SELECT '139' || lpad(i::text, 8, '0'), '网格员' || i FROM generate_series(0, $1 - 1) i
		           RETURNING id, phone)
		INSERT INTO assignments (member_id, unit_code, role)
		SELECT id, (ARRAY['140802001001001', '140802001001002', '140802001001001001', '140802001001001002'])[right(phone, 8)::int % 4 + 1],
		       (ARRAY['grid_worker', 'grid_leader', 'info_officer', 'info_officer'])[right(phone, 8)::int % 4 + 1] FROM m`, registered); err != nil {
		b.Fatal(err)
	}
	var csvFile bytes.Buffer
	csvFile.WriteString("\uFEFF")
	w := csv.NewWriter(&csvFile)
	if err := w.WriteAll(recs); err != nil {
		b.Fatal(err)
	}
	files := map[grid.RosterFormat][]byte{grid.RosterCSV: csvFile.Bytes(), grid.RosterXLSX: benchXLSX(b, recs)}
	for _, format := range []grid.RosterFormat{grid.RosterCSV, grid.RosterXLSX} {
		b.Run(string(format), func(b *testing.B) {
			b.ReportMetric(float64(len(files[format]))/(1<<20), "MiB")
			for b.Loop() {
				rows, ps, err := grid.ReadRoster(bytes.NewReader(files[format]), format)
				if err != nil || len(ps) > 0 || len(rows) != rosterBenchRows {
					b.Fatalf("%d rows, %v, %v", len(rows), ps, err)
				}
				rep, err := s.ImportRoster(ctx, grid.CommandLine, rows, true)
				if err != nil || rep.MembersAdded != rosterBenchRows-registered || rep.AssignmentsAdded != rosterBenchRows-registered {
					b.Fatalf("%+v %v", rep, err)
				}
			}
			b.ReportMetric(float64(rosterBenchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func benchXLSX(b *testing.B, recs [][]string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	for i, rec := range recs {
		row := make([]any, len(rec))
		for j, v := range rec {
			row[j] = v
		}
		if i > 0 {
			row[0] = 13900000000 + i - 1 // a phone typed as a number, as counties do
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", i+1), row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := f.WriteTo(&out); err != nil {
		b.Fatal(err)
	}
	return out.Bytes()
}
