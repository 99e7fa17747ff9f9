package demohistory

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// BenchmarkHistoryGenerate: generating and numbering cases over the demo county, per case.
func BenchmarkHistoryGenerate(b *testing.B) {
	db := dbtest.New(b)
	ctx := context.Background()
	if _, err := grid.NewStore(db.Pool).LoadDemo(ctx, "140802", grid.DemoSeed); err != nil {
		b.Fatal(err)
	}
	world, err := ReadWorld(ctx, db.Pool)
	if err != nil {
		b.Fatal(err)
	}
	h, err := New(world, Options{Cases: 100_000, Days: 730, Seed: 1, Now: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	cases := 0
	for b.Loop() {
		for i := range h.Days() {
			d := h.Day(i)
			d.Number(IDs{Event: 1, Case: 1, Row: 1})
			cases += len(d.Cases)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(cases), "ns/case")
}

// BenchmarkHistoryCopyEncode: a history row in COPY's binary format, by hand (as written) and
// through pgtype.Map.Encode, which pgx.CopyFrom calls for every value.
func BenchmarkHistoryCopyEncode(b *testing.B) {
	now := time.Now()
	var d Day
	for i := range 50_000 {
		d.Rows = append(d.Rows, Row{ID: int64(i), CaseID: int64(i / 5), At: now, ActorID: 7, FromState: dispatch.StateAccepted,
			ToState: dispatch.StateMediating, Level: 3, FromLevel: 3, Centre: "140802001001", Transition: "mediate",
			Reason: historyMediateNotes["dispute"][0], Parties: historyParties[2], DeadlineAt: now})
	}
	b.Run("hand", func(b *testing.B) {
		var buf copyBuf
		for b.Loop() {
			buf.reset()
			encodeHistory(&buf, &d)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(d.Rows)), "ns/row")
	})
	b.Run("pgtype", func(b *testing.B) {
		m := pgtype.NewMap()
		oids := []uint32{pgtype.Int8OID, pgtype.Int8OID, pgtype.TimestamptzOID, pgtype.Int8OID, pgtype.TextOID, pgtype.TextOID,
			pgtype.Int2OID, pgtype.Int2OID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID,
			pgtype.TimestamptzOID}
		var buf []byte
		for b.Loop() {
			buf = buf[:0]
			for i := range d.Rows {
				r := &d.Rows[i]
				var outcome any
				if r.Outcome != "" {
					outcome = string(r.Outcome)
				}
				values := []any{r.ID, r.CaseID, r.At, r.ActorID, string(r.FromState), string(r.ToState), int16(r.Level),
					int16(r.FromLevel), r.Centre, r.Transition, r.Reason, outcome, r.Parties, r.DeadlineAt}
				buf = append(buf, 0, 14)
				for j, v := range values {
					buf = append(buf, 0, 0, 0, 0)
					var err error
					if buf, err = m.Encode(oids[j], pgtype.BinaryFormatCode, v, buf); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(d.Rows)), "ns/row")
	})
}
