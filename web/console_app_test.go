package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestConsoleEscalatesLive is issue 5's "done when" in real Chromium: two mediators of village
// 140802001001 and one of township 140802001 work the console at once. A accepts a case and
// records a mediation attempt with a photo (after the server refuses a file that is not an
// image); B's queue follows without a reload; A escalates; the township's queue gains the case
// live and both village queues lose it, and shows the attempt's photo. PostgreSQL then holds the
// case at the township with the history written by the right members, the photo on the attempt.
func TestConsoleEscalatesLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	fx.member(t, "13900000021", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000022", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000023", "140802001", grid.RoleMediator)
	worker, a, b := fx.memberID(t, "13900000001"), fx.memberID(t, "13900000021"), fx.memberID(t, "13900000022")

	// The grid worker reports a neighbour dispute with a photo; it is queued at the village.
	status, photo := upload(t, fx.base, fx.token, pngBytes(t, 120))
	sha, _ := photo["sha256"].(string)
	if status != http.StatusCreated || sha == "" {
		t.Fatalf("photo upload: %d %v", status, photo)
	}
	const description = "两户因排水沟发生争执，<b>原样</b><script>alert(1)</script>"
	rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker,
		Category: "neighbour", Severity: "normal", Description: description, Lon: 111.02, Lat: 35.02,
		HappenedAt: time.Now().Add(-time.Hour), Photos: []string{sha}})
	if err != nil {
		t.Fatal(err)
	}
	var unit, centre string
	if err := fx.pool.QueryRow(ctx, `SELECT unit_code, centre_code FROM cases WHERE id = $1`, rc.CaseID).Scan(&unit, &centre); err != nil {
		t.Fatal(err)
	}
	if centre != "140802001001" {
		t.Fatalf("the case starts at %s, want the village", centre)
	}

	steps := map[string]map[string]any{}
	browserScript(t, "console_escalate.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			if s, ok := m["step"].(string); ok {
				steps[s] = m
			}
		}
	}, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_A=13900000021", "PHONE_B=13900000022",
		"PHONE_T=13900000023", "CASE_ID="+strconv.FormatInt(rc.CaseID, 10), "UNIT="+unit,
		"DESCRIPTION="+description, "REPORTER_PHONE=13900000001", "NAME_A=成员0021")
	for _, s := range []string{"accepted", "stale_refused", "photo_refused", "mediated", "escalated", "done"} {
		if steps[s] == nil {
			t.Fatalf("the script never reported step %q (got %v)", s, steps)
		}
	}
	t.Logf("live: mediation seen by B in %v ms; escalation seen by the township in %v ms, by the villages in %v ms",
		steps["mediated"]["live_ms"], steps["escalated"]["township_ms"], steps["escalated"]["village_ms"])

	var state, nowCentre, stored string
	var level int
	err = fx.pool.QueryRow(ctx, `SELECT c.state, c.level, c.centre_code, e.description
		FROM cases c JOIN events e ON e.id = c.event_id WHERE c.id = $1`, rc.CaseID).Scan(&state, &level, &nowCentre, &stored)
	if err != nil {
		t.Fatal(err)
	}
	if state != "queued" || level != 2 || nowCentre != "140802001" || stored != description {
		t.Fatalf("case: %s at level %d, centre %s, description %q; want queued at the township, verbatim", state, level, nowCentre, stored)
	}

	type entry struct {
		Transition string
		Actor      int64
		Level      int
		Reason     string
		Parties    string
		Photos     int // rows in case_history_photos
	}
	rows, err := fx.pool.Query(ctx, `SELECT h.transition, coalesce(h.actor_id, 0), h.level, h.reason, h.parties,
		(SELECT count(*) FROM case_history_photos hp WHERE hp.history_id = h.id)
		FROM case_history h WHERE h.case_id = $1 ORDER BY h.id`, rc.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	var got []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.Transition, &e.Actor, &e.Level, &e.Reason, &e.Parties, &e.Photos); err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []entry{
		{"reported", worker, 3, "", "", 0},
		{"accept", a, 3, "", "", 0},
		{"mediate", a, 3, "双方到村委会协商，约定三日内清理排水沟", "王某、李某", 1},
		{"escalate", a, 2, "涉及宅基地边界，需镇司法所", "", 0},
	}
	if len(got) != len(want) {
		t.Fatalf("history: %+v; want %+v (B's stale accept and the early escalation write nothing)", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("history row %d: %+v; want %+v", i, got[i], want[i])
		}
	}
	for _, e := range got {
		if e.Actor == b {
			t.Errorf("B's refused accept wrote a history row: %+v", e)
		}
	}
	// The attempt's photo is the PNG A uploaded from the console (the refused file was not stored).
	var pngs, uploads int
	err = fx.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM case_history_photos hp JOIN case_history h ON h.id = hp.history_id
		 JOIN photos p ON p.sha256 = hp.sha256
		 WHERE h.case_id = $1 AND h.transition = 'mediate' AND p.uploader_id = $2 AND p.content_type = 'image/png'),
		(SELECT count(*) FROM photos WHERE uploader_id = $2)`, rc.CaseID, a).Scan(&pngs, &uploads)
	if err != nil || pngs != 1 || uploads != 1 {
		t.Errorf("the attempt has %d PNG(s) uploaded by A, who stored %d photo(s) (%v); want 1 and 1", pngs, uploads, err)
	}
}

// TestConsoleSupervisorUrges: a township supervisor picks a village centre under their subtree
// by code, finds a case by search and urges it; the village's console marks it urged, live,
// and PostgreSQL holds the urge by the supervisor.
func TestConsoleSupervisorUrges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	fx.member(t, "13900000031", "140802001", grid.RoleSupervisor)
	fx.member(t, "13900000032", "140802001001", grid.RoleMediator)
	worker, supervisor := fx.memberID(t, "13900000001"), fx.memberID(t, "13900000031")
	rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker,
		Category: "neighbour", Severity: "urgent", Description: "两户因排水沟发生争执", Lon: 111.02, Lat: 35.02,
		HappenedAt: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var urged bool
	browserScript(t, "console_supervise.mjs", func(line string) { urged = urged || line == `{"step":"urged"}` },
		"BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_S=13900000031", "PHONE_M=13900000032",
		"CASE_ID="+strconv.FormatInt(rc.CaseID, 10), "VILLAGE=140802001001")
	if !urged {
		t.Fatal("the script never urged the case")
	}
	var n int
	err = fx.pool.QueryRow(ctx, `SELECT count(*) FROM case_history h JOIN cases c ON c.id = h.case_id
		WHERE h.case_id = $1 AND h.transition = 'urge' AND h.actor_id = $2 AND h.reason = '请三日内反馈'
		AND c.urged_at IS NOT NULL AND c.state = 'queued'`, rc.CaseID, supervisor).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("urges by the supervisor: %d (%v), want 1", n, err)
	}
}
