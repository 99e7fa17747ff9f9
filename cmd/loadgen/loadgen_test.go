package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

const testPassword = "demo1408"

// gridWorkers adds n grid workers with the demo password to the small county's two grids.
func gridWorkers(t *testing.T, g *grid.Store, n int) {
	t.Helper()
	ctx := context.Background()
	grids := []string{"140802001001001", "140802001001002"}
	for i := range n {
		m, err := g.CreateMember(ctx, fmt.Sprintf("139000000%02d", i), "网格员")
		if err != nil {
			t.Fatal(err)
		}
		if err := g.SetPassword(ctx, m.ID, testPassword); err != nil {
			t.Fatal(err)
		}
		if err := g.Assign(ctx, grid.Assignment{MemberID: m.ID, UnitCode: grids[i%len(grids)], Role: grid.RoleGridWorker}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoadIsStoredExactlyOnce runs a short load against the real binary on PostgreSQL and
// embedded NATS: phones sharing members, reports from outside the grid, resends. Every count
// must add up and the exactly-once check must pass.
func TestLoadIsStoredExactlyOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	g := grid.NewStore(db.Pool)
	gridtest.Import(t, g)
	gridWorkers(t, g, 3)
	addr := startServer(t, db.URL)

	var out bytes.Buffer
	cfg := Config{URL: "http://" + addr, DatabaseURL: db.URL, Workers: 4, Members: 3, Password: testPassword,
		Rate: 12, Duration: 3 * time.Second, Drain: 30 * time.Second, OutsideShare: 0.25, ResendShare: 0.25,
		DialParallel: 4, Seed: 1, Out: &out}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	res, err := runLoad(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	res.print(&out, true)
	t.Log("\n" + out.String())

	if !res.Check.OK() || !strings.Contains(out.String(), "exactly-once: ok") {
		t.Errorf("exactly-once check failed: %+v", res.Check)
	}
	if !res.consistent() {
		t.Errorf("the phones' counts do not add up: %+v", res)
	}
	switch {
	case res.Reports < 20 || res.Outside == 0 || res.Resends == 0:
		t.Errorf("%d reports, %d outside, %d resends: too few to test anything", res.Reports, res.Outside, res.Resends)
	case res.AckedReports != res.Reports || res.Acks != res.Messages || res.Unanswered != 0 || len(res.Errors) != 0:
		t.Errorf("not every message was acknowledged: %+v", res)
	case res.DupAcks != res.Resends:
		t.Errorf("%d acks said duplicate; want one per resend, %d", res.DupAcks, res.Resends)
	case res.UnlocatedAcked != res.Outside || res.Check.Unlocated != res.Outside:
		t.Errorf("%d reports from outside the grid, %d acked unlocated, %d stored unlocated",
			res.Outside, res.UnlocatedAcked, res.Check.Unlocated)
	case res.P50 <= 0 || res.Max < res.P99 || res.P99 < res.P50:
		t.Errorf("latencies out of order: p50 %s p99 %s max %s", res.P50, res.P99, res.Max)
	}
	var events, cases int64
	err = db.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM cases)`).Scan(&events, &cases)
	if err != nil {
		t.Fatal(err)
	}
	if events != res.Reports || cases != res.Reports-res.Outside {
		t.Errorf("stored %d events and %d cases; want %d and %d", events, cases, res.Reports, res.Reports-res.Outside)
	}
}

// TestCheckFindsWhatIsMissing feeds the check acknowledgements the database does not hold.
func TestCheckFindsWhatIsMissing(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	res, err := checkExactlyOnce(ctx, conn.Conn(), []acked{
		{ClientID: "6f1c2a3b-0000-4000-8000-000000000001", EventID: 1, CaseID: 1, Located: true},
		{ClientID: "6f1c2a3b-0000-4000-8000-000000000002", EventID: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.Missing != 2 || res.Acked != 2 {
		t.Fatalf("check of two reports never stored: %+v", res)
	}
}

func TestConfigRefusesMoreThanTheServerAllows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"rate over the per-connection limit", Config{Workers: 1000, Rate: 5000, ResendShare: 0.05}, "--workers 1050"},
		{"no database", Config{Workers: 1, Rate: 1}, "DATABASE_URL"},
		{"bad url", Config{URL: "ftp://x", Workers: 1, Rate: 1}, "--url"},
		{"share out of range", Config{Workers: 1, Rate: 1, OutsideShare: 2}, "share"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			if c.URL == "" {
				c.URL = "http://127.0.0.1:1"
			}
			if c.DatabaseURL == "" && tt.want != "DATABASE_URL" {
				c.DatabaseURL = "postgres://x"
			}
			c.Duration, c.DialParallel = time.Second, 1
			err := c.check()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("check: %v; want an error naming %s", err, tt.want)
			}
		})
	}
}

func TestParseSourceAddrs(t *testing.T) {
	t.Parallel()
	ips, err := parseSourceAddrs([]string{"127.0.0.2-127.0.0.4,127.0.0.9"})
	if err != nil || len(ips) != 4 || ips[0].String() != "127.0.0.2" || ips[3].String() != "127.0.0.9" {
		t.Fatalf("parse: %v %v", ips, err)
	}
	for _, bad := range []string{"127.0.0.4-127.0.0.2", "localhost", "127.0.0.1-127.0.1.2"} {
		if _, err := parseSourceAddrs([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestOutboxPhonesStoreExactlyOnce runs the --reconnect phones against the real binary, most
// through proxies that cut their connections twice mid-run: the phones must dial again by themselves
// (to the next --url), resend what was unanswered with the same client ids, and every report
// must be stored exactly once. make faults kills the server itself (docs/faults.md).
func TestOutboxPhonesStoreExactlyOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	g := grid.NewStore(db.Pool)
	gridtest.Import(t, g)
	gridWorkers(t, g, 3)
	addr := startServer(t, db.URL)
	// Sign-in goes to the first URL, straight to the server; phones 1, 2, 4 and 5 start behind
	// a proxy, and a phone cut off dials the next URL.
	p1, p2 := newCuttingProxy(t, addr), newCuttingProxy(t, addr)
	cfg := Config{URLs: []string{"http://" + addr, "http://" + p1.addr(), "http://" + p2.addr()}, DatabaseURL: db.URL,
		Workers: 6, Members: 3, Password: testPassword, Rate: 18, Duration: 6 * time.Second, Drain: 30 * time.Second,
		OutsideShare: 0.25, ResendShare: 0.25, DialParallel: 4, Seed: 1, Reconnect: true}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Cut both proxies once phones report through them, and again once the phones cut
		// off the first have come back through the second.
		for range 2 {
			for p2.count() == 0 && ctx.Err() == nil {
				time.Sleep(50 * time.Millisecond)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(1500 * time.Millisecond):
				p1.cut()
				p2.cut()
			}
		}
	}()
	res, err := runLoad(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res.print(&out, false)
	t.Log("\n" + out.String())
	if !res.Check.OK() || !res.consistent() {
		t.Errorf("exactly-once %+v, consistent %v", res.Check, res.consistent())
	}
	switch {
	case res.Reports < 40:
		t.Errorf("only %d reports", res.Reports)
	case res.Waiting != 0 || res.AckedReports != res.Reports:
		t.Errorf("%d reports, %d acknowledged, %d still waiting", res.Reports, res.AckedReports, res.Waiting)
	case res.Reconnects < 6 || res.Disconnects < 6:
		t.Errorf("%d connections lost, %d made again; want at least 6 (4 phones, then 2)", res.Disconnects, res.Reconnects)
	case len(res.Interruptions) == 0:
		t.Errorf("no interruption recorded")
	}
}
