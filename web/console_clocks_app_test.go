package web_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// The console counts down a working-hours deadline in working time (issue 16): two working
// hours left show as about two hours of working time whatever the day and hour, and a
// calendar deadline as before (console_clocks.mjs).
func TestConsoleShowsWorkingTimeLeft(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	fx.member(t, "13900000021", "140802001001", grid.RoleMediator)
	worker := fx.memberID(t, "13900000001")
	report := func() int64 {
		rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker,
			Category: "neighbour", Severity: "normal", Description: "两户因排水沟发生争执", Lon: 111.02, Lat: 35.02,
			HappenedAt: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return rc.CaseID
	}
	calendarCase := report() // seven calendar days
	if _, err := fx.pool.Exec(ctx, `UPDATE categories SET village_deadline_s = 7200, village_clock = 'working_hours'
		WHERE code = 'neighbour'`); err != nil {
		t.Fatal(err)
	}
	fx.intake.CatalogueChanged()
	workingCase := report()

	steps := map[string]map[string]any{}
	browserScript(t, "console_clocks.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			if s, ok := m["step"].(string); ok {
				steps[s] = m
			}
		}
	}, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE=13900000021",
		"WORKING_ID="+strconv.FormatInt(workingCase, 10), "CALENDAR_ID="+strconv.FormatInt(calendarCase, 10))
	for _, tc := range []struct {
		step             string
		working, regular *regexp.Regexp
	}{
		{"desk", regexp.MustCompile(`^剩余工时 (1小时5\d分|2小时0分)$`), regexp.MustCompile(`^剩余 \d天\d+小时$`)},
		{"narrow", regexp.MustCompile(`^(1h 5\dm|2h 0m) of working time left$`), regexp.MustCompile(`^\d+d \d+h left$`)},
	} {
		s := steps[tc.step]
		if s == nil {
			t.Fatalf("the script never reported %q (got %v)", tc.step, steps)
		}
		w, c, p := s["working"].(string), s["calendar"].(string), s["case_page"].(string)
		if !tc.working.MatchString(w) || !tc.working.MatchString(p) || tc.working.MatchString(c) || !tc.regular.MatchString(c) {
			t.Errorf("%s: working-hours case %q (case page %q), calendar case %q", tc.step, w, p, c)
		}
		if s["fits"] != true {
			t.Errorf("%s: the deadline cell overflows the row", tc.step)
		}
	}
	if steps["done"] == nil {
		t.Fatal("the script did not finish")
	}
}
