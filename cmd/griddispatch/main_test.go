package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

func startMain(t *testing.T, databaseURL string) *Main {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DatabaseURL = databaseURL
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return m
}

type probe struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func getProbe(t *testing.T, url string) (int, probe) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p probe
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("%s: body is not JSON: %v", url, err)
	}
	return resp.StatusCode, p
}

func TestServeIsReady(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	m := startMain(t, db.URL)
	base := "http://" + m.Addr()

	if code, p := getProbe(t, base+"/healthz"); code != http.StatusOK || p.Status != "ok" {
		t.Fatalf("/healthz: %d %+v", code, p)
	}
	code, p := getProbe(t, base+"/readyz")
	if code != http.StatusOK || p.Status != "ready" {
		t.Fatalf("/readyz: %d %+v", code, p)
	}
	for _, c := range []string{"postgres", "migrations", "nats", "grid_index"} {
		if p.Checks[c] != "ok" {
			t.Errorf("check %s: %q", c, p.Checks[c])
		}
	}
}

func TestReadyzSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	db := dbtest.Empty(t) // never migrated
	m := startMain(t, db.URL)
	code, p := getProbe(t, "http://"+m.Addr()+"/readyz")
	if code != http.StatusServiceUnavailable || p.Status != "not ready" {
		t.Fatalf("/readyz on an unmigrated schema: %d %+v", code, p)
	}
	if !strings.Contains(p.Checks["migrations"], "run griddispatch migrate") || p.Checks["postgres"] != "ok" ||
		!strings.Contains(p.Checks["grid_index"], "not built") {
		t.Fatalf("checks: %+v", p.Checks)
	}
}

// run executes the command tree in-process, as the binary would.
func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = newCommand(&out, &errOut).Run(context.Background(), append([]string{"griddispatch"}, args...))
	return out.String(), errOut.String(), err
}

func exitCode(err error) int {
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

func TestCommands(t *testing.T) {
	t.Parallel()
	db := dbtest.Empty(t)
	fixture := gridtest.File(t)
	exported := filepath.Join(t.TempDir(), "export.geojson")

	steps := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"migrate from empty", []string{"migrate"}, 0, ""},
		{"migrate again", []string{"migrate"}, 0, ""},
		{"dry run", []string{"grid", "import", "--dry-run", fixture}, 0, "9 units, 0 problems, 0 repairs; nothing written"},
		{"validate the nothing the dry run wrote", []string{"grid", "validate", "--root", "140802"}, 1, ""},
		{"import", []string{"grid", "import", fixture}, 0, "imported 9 units"},
		{"import missing file", []string{"grid", "import", "nope.geojson"}, 1, ""},
		{"export", []string{"grid", "export", "--output", exported}, 0, ""},
		{"validate clean grid", []string{"grid", "validate"}, 0, "0 problems"},
		{"validate bad root", []string{"grid", "validate", "--root", "14%"}, 1, ""},
		{"stats rebuild of no cases", []string{"stats", "rebuild"}, 0, "statistics rebuilt: 0 rows"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			out, _, err := run(t, append([]string{"--database-url", db.URL}, st.args...)...)
			if code := exitCode(err); code != st.wantCode {
				t.Fatalf("%v: exit %d (%v); want %d", st.args, code, err, st.wantCode)
			}
			if !strings.Contains(out, st.wantOut) {
				t.Fatalf("%v: output %q; want %q", st.args, out, st.wantOut)
			}
		})
	}
	b, err := os.ReadFile(exported)
	if err != nil || !bytes.Contains(b, []byte(`"code":"140802001001001001"`)) {
		t.Fatalf("export file: %v, %d bytes", err, len(b))
	}

	// A sibling that overlaps another makes validate fail with exit status 1 and name it.
	_, err = db.Pool.Exec(context.Background(), `UPDATE units
		SET geom = ST_Multi(ST_GeomFromText('POLYGON((111 35.09,111.1 35.09,111.1 35.2,111 35.2,111 35.09))', 4326))
		WHERE code = '140802001002'`)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "--database-url", db.URL, "grid", "validate")
	if exitCode(err) != 1 || !strings.Contains(out, "140802001001") || !strings.Contains(out, "overlap") {
		t.Fatalf("validate of an overlap: exit %d, output %q", exitCode(err), out)
	}
}

func TestHelpExplainsEveryFlag(t *testing.T) {
	t.Parallel()
	out, _, err := run(t, "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--database-url", "DATABASE_URL", "--nats-url", "NATS_URL", "--listen", "--data-dir",
		"serve", "migrate", "grid", "demo"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help does not mention %s", want)
		}
	}
	out, _, err = run(t, "grid", "--help")
	if err != nil || !strings.Contains(out, "import") || !strings.Contains(out, "export") || !strings.Contains(out, "validate") {
		t.Fatalf("grid --help: %v\n%s", err, out)
	}
}

func TestNoDatabaseIsAClearError(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	_, _, err := run(t, "migrate")
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("migrate without a database: %v", err)
	}
}

// TestSIGTERMShutsDownGracefully runs the real binary, as make run does.
func TestSIGTERMShutsDownGracefully(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	bin := filepath.Join(t.TempDir(), "griddispatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-format", "json")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db.URL)
	cmd.Stderr = &syncWriter{w: &logs}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := waitForLog(t, cmd, &logs, "serving")
	if code, p := getProbe(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d %+v", code, p)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running 30s after SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Fatalf("no shutdown in logs:\n%s", logs.String())
	}
}

// TestGridImportTakesTheFilesCRS: grid import --crs converts the file to WGS84 on the way in and
// says so; a coordinate system it does not know is refused before anything is read.
func TestGridImportTakesTheFilesCRS(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	fixture := gridtest.File(t)
	if _, _, err := run(t, "--database-url", db.URL, "grid", "import", "--crs", "mars", fixture); exitCode(err) != 1 ||
		!strings.Contains(err.Error(), "wgs84, cgcs2000, gcj02, bd09") {
		t.Fatalf("--crs mars: %v", err)
	}
	if n := countUnits(t, db); n != 0 {
		t.Fatalf("%d units imported with an unknown --crs", n)
	}
	// The WGS84 fixture said to be GCJ-02: every vertex is moved by the inverse offset. The
	// offset varies along the county's 20 km straight edges, which its children's vertices
	// follow: the converted children no longer fit their parents, and the check says so.
	out, _, err := run(t, "--database-url", db.URL, "grid", "import", "--crs", "gcj02", fixture)
	if exitCode(err) != 1 || !strings.Contains(out, "coordinates converted from gcj02 to WGS84") ||
		!strings.Contains(out, "140802  盐湖区  county  gap") || countUnits(t, db) != 0 {
		t.Fatalf("--crs gcj02: %q, %v", out, err)
	}
	out, _, err = run(t, "--database-url", db.URL, "grid", "import", "--crs", "gcj02", "--allow-topology-problems", fixture)
	if err != nil || !strings.Contains(out, "imported 9 units") {
		t.Fatalf("--crs gcj02 --allow-topology-problems: %q, %v", out, err)
	}
	var lon, lat float64
	if err := db.Pool.QueryRow(context.Background(), `SELECT ST_X(p), ST_Y(p) FROM
		(SELECT ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1) AS p FROM units WHERE code = '140802') x`).Scan(&lon, &lat); err != nil {
		t.Fatal(err)
	}
	units, err := grid.ReadGeoJSON(bytes.NewReader(gridtest.SmallCounty))
	if err != nil {
		t.Fatal(err)
	}
	first := units[0].Geom[0][0][0]
	if want := geo.GCJ02ToWGS84(first); math.Abs(lon-want[0]) > 1e-9 || math.Abs(lat-want[1]) > 1e-9 {
		t.Fatalf("the county's first vertex %v stored at %v, %v; want %v", first, lon, lat, want)
	}
}

func countUnits(t *testing.T, db *dbtest.DB) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM units`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGridImportReadsShapefiles: grid import takes a county GIS office's Shapefile as a .zip, a
// folder or a .shp, with the field names it has; a projected one is refused naming EPSG codes.
func TestGridImportReadsShapefiles(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	const dir = "../../grid/testdata/shapefile/"
	for _, tc := range []struct {
		name string
		args []string
		out  string // in the output, or in the error when it fails
		code int
	}{
		{"a GBK zip", []string{dir + "small_county_gbk.zip"}, "imported 9 units", 0},
		{"a folder with Chinese field names", []string{"--code-field", "网格编码", "--name-field", "网格名称", dir + "small_county_named"}, "imported 9 units", 0},
		{"a .shp", []string{dir + "small_county_gbk/small_county.shp"}, "imported 9 units", 0},
		{"GBK read as UTF-8", []string{"--encoding", "utf-8", dir + "small_county_gbk"}, "not valid utf-8", 1},
		{"an unknown encoding", []string{"--encoding", "big5", dir + "small_county_gbk"}, "want utf-8, gbk or gb18030", 1},
		{"Gauss-Kruger metres", []string{dir + "small_county_4547.zip"}, "EPSG:4490", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := run(t, append([]string{"--database-url", db.URL, "grid", "import"}, tc.args...)...)
			if err != nil {
				out += err.Error()
			}
			if exitCode(err) != tc.code || !strings.Contains(out, tc.out) {
				t.Fatalf("exit %d, %q; want %d with %q", exitCode(err), out, tc.code, tc.out)
			}
		})
	}
	var name string
	if err := db.Pool.QueryRow(context.Background(), `SELECT name FROM units WHERE code = '140802001001'`).Scan(&name); err != nil || name != "东阜村" {
		t.Fatalf("the village's name from GBK: %q %v", name, err)
	}
}
