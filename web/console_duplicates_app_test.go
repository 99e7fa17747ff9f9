package web_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestConsoleMergesDuplicates is 并单 in real Chromium (docs/console.md, docs/phone-app.md): two
// grid workers report the same dispute 28 m apart, a third report lies 14 m away; the village
// mediator sees 可能重复 2 on the queue row and the case page, marks the third distinct and
// merges the duplicate into the main case. PostgreSQL then holds the merge and the distinct
// pair. The centre settles the main case, and the duplicate's reporter sees on the phone that
// the report was merged into it, with its state and outcome. GRIDDISPATCH_SHOTS=dir keeps screenshots.
func TestConsoleMergesDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	fx.member(t, "13900000031", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000032", "140802001001001", grid.RoleGridWorker)
	mediator, second := fx.memberID(t, "13900000031"), fx.memberID(t, "13900000032")
	worker := fx.memberID(t, "13900000001")
	report := func(reporter int64, description string, lon, lat float64) int64 {
		rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: reporter,
			Category: "neighbour", Severity: "normal", Description: description, Lon: lon, Lat: lat,
			HappenedAt: time.Now().Add(-time.Hour)})
		if err != nil || rc.CaseID == 0 {
			t.Fatalf("report: %+v %v", rc, err)
		}
		return rc.CaseID
	}
	main := report(worker, "两户因排水沟堵塞发生争执，已动手推搡", 111.02, 35.02)
	dup := report(second, "村东头排水沟两家吵起来了", 111.0202, 35.0202)
	other := report(worker, "邻居装修噪音扰民纠纷", 111.0201, 35.0201)
	report(worker, "远处另一起邻里纠纷", 111.03, 35.03) // 1.4 km away: not suggested

	steps := map[string]bool{}
	onLine := func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			if s, ok := m["step"].(string); ok {
				steps[s] = true
			}
		}
	}
	browserScript(t, "console_duplicates.mjs", onLine, "BASE_URL="+fx.base, "PASSWORD="+password,
		"PHONE=13900000031", "MAIN="+strconv.FormatInt(main, 10), "DUP="+strconv.FormatInt(dup, 10),
		"OTHER="+strconv.FormatInt(other, 10))
	for _, s := range []string{"queue_tag", "suggested", "distinct", "merged", "done"} {
		if !steps[s] {
			t.Fatalf("the console script never reported step %q", s)
		}
	}
	var state string
	var into, actor int64
	if err := fx.pool.QueryRow(ctx, `SELECT c.state, g.main_id, h.actor_id FROM cases c JOIN case_merges g ON g.case_id = c.id
		JOIN case_history h ON h.id = g.history_id WHERE c.id = $1`, dup).Scan(&state, &into, &actor); err != nil {
		t.Fatal(err)
	}
	if state != "closed" || into != main || actor != mediator {
		t.Fatalf("duplicate %d: %s, merged into %d by %d; want closed into %d by %d", dup, state, into, actor, main, mediator)
	}
	var distinct int
	if err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM case_distinct WHERE a = least($1::bigint, $2::bigint)
		AND b = greatest($1::bigint, $2::bigint) AND marked_by = $3`, main, other, mediator).Scan(&distinct); err != nil || distinct != 1 {
		t.Fatalf("distinct pair: %d rows, %v", distinct, err)
	}

	// The centre settles the main case; the duplicate's reporter sees it on the phone.
	cases := dispatch.NewCases(fx.pool)
	for _, tr := range []dispatch.Transition{{Action: dispatch.ActAccept}, {Action: dispatch.ActMediate, Reason: "村委会调解"},
		{Action: dispatch.ActSettle, Reason: "达成协议，清理排水沟", Outcome: dispatch.OutcomeMediated}} {
		var version int
		if err := fx.pool.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, main).Scan(&version); err != nil {
			t.Fatal(err)
		}
		tr.CaseID, tr.Version, tr.ActorID = main, version, mediator
		if _, err := cases.Apply(ctx, tr); err != nil {
			t.Fatalf("%s: %v", tr.Action, err)
		}
	}
	steps = map[string]bool{}
	browserScript(t, "phone_merged.mjs", onLine, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE=13900000032",
		"DUP="+strconv.FormatInt(dup, 10), "MAIN="+strconv.FormatInt(main, 10))
	if !steps["phone_merged"] {
		t.Fatal("the phone script never reported the merged report")
	}
}
