package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// TestStatsReadFromReadDatabaseURL: a server given --read-database-url reads the dashboard's
// figures there, and one without reads the primary's, through a read-only pool of its own.
// The "replica" is a schema holding only a case_stats whose counters differ, in front of the
// primary's schema on its search path (so the units and categories are the primary's).
func TestStatsReadFromReadDatabaseURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	gridtest.Import(t, grid.NewStore(db.Pool))
	_, token := signedInMember(t, db, "13900000031", "140802", grid.RoleSupervisor)

	replica := db.Schema + "_replica"
	today := dispatch.StatsToday(time.Now())
	for _, q := range []string{
		`CREATE SCHEMA ` + pgx.Identifier{replica}.Sanitize(),
		`CREATE TABLE ` + pgx.Identifier{replica, "case_stats"}.Sanitize() + ` (LIKE ` + pgx.Identifier{db.Schema, "case_stats"}.Sanitize() + ` INCLUDING ALL)`,
	} {
		if _, err := db.Pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DROP SCHEMA `+pgx.Identifier{replica}.Sanitize()+` CASCADE`)
	})
	if _, err := db.Pool.Exec(ctx, `INSERT INTO `+pgx.Identifier{replica, "case_stats"}.Sanitize()+
		` (category, span, level, unit_code, period, received) VALUES ('', 'd', 1, '140802', $1, 777)`, today); err != nil {
		t.Fatal(err)
	}

	received := func(m *Main) int64 {
		t.Helper()
		day := today.Format(time.DateOnly)
		req, _ := http.NewRequest("GET", "http://"+m.Addr()+"/api/stats/summary?unit=140802&from="+day+"&to="+day, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Received int64 }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("summary: %d %v", resp.StatusCode, err)
		}
		return body.Received
	}
	start := func(readURL string) *Main {
		t.Helper()
		cfg := DefaultConfig()
		cfg.DatabaseURL, cfg.ReadDatabaseURL, cfg.Listen, cfg.DataDir = db.URL, readURL, "127.0.0.1:0", t.TempDir()
		m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := m.Run(ctx); err != nil {
			m.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}

	withReplica := start(dbtest.WithSearchPath(t, db.URL, replica+","+db.Schema))
	if got := received(withReplica); got != 777 {
		t.Errorf("with a read URL: received %d, want the replica's 777", got)
	}
	primary := start("")
	if got := received(primary); got != 0 {
		t.Errorf("without a read URL: received %d, want the primary's 0", got)
	}
	if primary.read == primary.pool || primary.read == nil {
		t.Error("without a read URL the dashboard shares the primary's pool; want a pool of its own")
	}
	for name, m := range map[string]*Main{"replica": withReplica, "primary": primary} {
		if _, err := m.read.Exec(ctx, `INSERT INTO case_stats (category, span, level, unit_code, period) VALUES ('', 'd', 1, '140802', '2000-01-01')`); err == nil {
			t.Errorf("%s: the read pool wrote; want its sessions read-only", name)
		}
	}
}
