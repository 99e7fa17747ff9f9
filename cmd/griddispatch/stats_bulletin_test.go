package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// `stats bulletin` writes the dashboard's weekly bulletin as a PDF, for a scheduler: the same
// office, number, figures and units as GET /api/stats/bulletin, with the county's ranking
// minimum; and refuses what it cannot do before touching the database.
func TestStatsBulletinCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	g := grid.NewStore(db.Pool)
	gridtest.Import(t, g)
	worker, _ := signedInMember(t, db, "13900000001", "140802001001001", grid.RoleGridWorker)
	loc, err := g.NewLocator(ctx, grid.DefaultNearMetres)
	if err != nil {
		t.Fatal(err)
	}
	intake := dispatch.NewIntake(db.Pool, loc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := intake.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer intake.Close()
	for _, at := range [][2]float64{{111.02, 35.02}, {111.03, 35.03}, {111.02, 35.12}} {
		if _, err := intake.Submit(ctx, dispatch.Report{ClientID: uuid.NewString(), ReporterID: worker.ID, Category: "neighbour",
			Severity: "normal", Description: "两户因排水沟发生争执", Lon: at[0], Lat: at[1], HappenedAt: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := dispatch.RebuildStats(ctx, db.Pool); err != nil { // the counters, without the bus
		t.Fatal(err)
	}
	today := dispatch.StatsToday(time.Now()).Format(time.DateOnly)
	out := filepath.Join(t.TempDir(), "b.pdf")
	if dir := os.Getenv("BULLETIN_SHOTS"); dir != "" { // to look at
		out = filepath.Join(dir, "bulletin-cli.pdf")
	}
	stdout, _, err := run(t, "--database-url", db.URL, "--ranking-min-cases", "1",
		"stats", "bulletin", "--unit", "140802001", "--week", today, "--out", out)
	if err != nil || !strings.Contains(stdout, "bulletin 20") || !strings.Contains(stdout, "140802001 安邑街道") {
		t.Fatalf("%q %v", stdout, err)
	}
	pdf, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("%s: %.20q %v", out, pdf, err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"安邑街道网格化服务管理中心", "矛盾纠纷和事件办理一周通报", "安邑街道共受理案件3件，尚无办结。",
		"在有受理的2个单位中，办结率均为0.0%。", "受理1件以上", "东阜村", "槐树凹村", "邻里纠纷"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF has no %q:\n%s", want, text)
		}
	}
	stdout, _, err = run(t, "--database-url", db.URL, "stats", "bulletin", "--unit", "140802001", "--week", today,
		"--format", "json", "--lang", "en", "--out", "-")
	var b map[string]any
	if err != nil || json.Unmarshal([]byte(stdout), &b) != nil || b["ranking_min_cases"] != 5.0 ||
		!strings.Contains(b["summary"].(string), "received 3 cases and has closed none yet") {
		t.Fatalf("json: %v %s", err, stdout)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a micro-grid", []string{"--unit", "140802001001001001"}, "--unit"},
		{"no such unit", []string{"--unit", "140802009"}, "no unit 140802009"},
		{"bad week", []string{"--unit", "140802001", "--week", "2026-02-30"}, "--week"},
		{"bad lang", []string{"--unit", "140802001", "--lang", "fr"}, "--lang"},
		{"no such font", []string{"--unit", "140802001", "--pdf-font", "/nonexistent/font.ttf"}, "--pdf-font"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--database-url", db.URL}
			for i := 0; i < len(tc.args); i += 2 { // global flags before the command
				if tc.args[i] == "--pdf-font" {
					args = append(args, tc.args[i], tc.args[i+1])
				}
			}
			args = append(args, "stats", "bulletin", "--out", filepath.Join(t.TempDir(), "x.pdf"))
			for i := 0; i < len(tc.args); i += 2 {
				if tc.args[i] != "--pdf-font" {
					args = append(args, tc.args[i], tc.args[i+1])
				}
			}
			if _, _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v: %v, want an error naming %s", args, err, tc.want)
			}
		})
	}
}

// pdfText is the text of a PDF as pdftotext (poppler-utils) reads it, all whitespace removed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is needed to read the PDFs back")
		}
		t.Skip("no pdftotext: apt-get install poppler-utils")
	}
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}
