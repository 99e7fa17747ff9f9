package grid_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

func TestDemoDivisionsAreYuncheng(t *testing.T) {
	t.Parallel()
	counties, err := grid.DemoCounties()
	if err != nil {
		t.Fatal(err)
	}
	if len(counties) != 13 || counties[0] != "140802" {
		t.Fatalf("demo counties: %v; want Yuncheng's 13 starting with 140802", counties)
	}
	var townships, villages int
	for _, c := range counties {
		d, err := grid.GenerateDemo(c, grid.DemoSeed)
		if err != nil {
			t.Fatalf("county %s: %v", c, err)
		}
		for _, u := range d.Units {
			switch u.Level {
			case grid.Township:
				townships++
			case grid.Village:
				villages++
			}
		}
	}
	if townships != 161 || villages != 2395 {
		t.Fatalf("city has %d townships and %d villages; want 161 and 2,395", townships, villages)
	}
}

func TestGenerateDemoCounty(t *testing.T) {
	t.Parallel()
	a, err := grid.GenerateDemo("140802", grid.DemoSeed)
	if err != nil {
		t.Fatal(err)
	}
	b, err := grid.GenerateDemo("140802", grid.DemoSeed)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed generated two different counties")
	}
	c, err := grid.GenerateDemo("140802", grid.DemoSeed+1)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Units[1].Geom, c.Units[1].Geom) {
		t.Fatal("a different seed generated the same polygons")
	}

	children := map[string]int{}
	byCode := map[string]grid.Unit{}
	for _, u := range a.Units {
		if err := grid.CheckCode(u.Code, u.Level, u.ParentCode); err != nil {
			t.Fatalf("generated unit: %v", err)
		}
		if u.ParentCode != "" {
			if _, ok := byCode[u.ParentCode]; !ok {
				t.Fatalf("unit %s comes before its parent %s", u.Code, u.ParentCode)
			}
			children[u.ParentCode]++
		}
		byCode[u.Code] = u
	}
	for code, n := range children {
		switch grid.LevelOfCode(code) {
		case grid.Village:
			if n < 4 || n > 8 {
				t.Errorf("village %s has %d grids; want 4 to 8", code, n)
			}
		case grid.Grid:
			if n < 4 || n > 12 {
				t.Errorf("grid %s has %d micro-grids; want 4 to 12", code, n)
			}
		}
	}
	// Every unit's population is the sum of its children's.
	sums := map[string]int{}
	for _, u := range a.Units {
		if u.Population == nil {
			t.Fatalf("unit %s has no population", u.Code)
		}
		if u.ParentCode != "" {
			sums[u.ParentCode] += *u.Population
		}
	}
	for code, sum := range sums {
		if got := *byCode[code].Population; got != sum {
			t.Errorf("unit %s population %d; its children sum to %d", code, got, sum)
		}
	}
	roles := map[grid.Role]int{}
	phones := map[string]bool{}
	for _, s := range a.Staff {
		if err := grid.CheckMember(s.Phone, s.Name); err != nil {
			t.Fatalf("generated member: %v", err)
		}
		if phones[s.Phone] {
			t.Fatalf("phone %s generated twice", s.Phone)
		}
		phones[s.Phone] = true
		if !s.Role.AllowedAt(grid.LevelOfCode(s.UnitCode)) {
			t.Fatalf("generated %s at %s", s.Role, s.UnitCode)
		}
		roles[s.Role]++
	}
	for _, r := range []grid.Role{grid.RoleGridWorker, grid.RoleGridLeader, grid.RoleInfoOfficer, grid.RoleMediator, grid.RoleSupervisor, grid.RoleAdmin} {
		if roles[r] == 0 {
			t.Errorf("no %s generated", r)
		}
	}
	if !strings.HasSuffix(byCode["140802002200001"].Name, "第1网格") {
		t.Errorf("grid name %q", byCode["140802002200001"].Name)
	}
}

// loadDemoCounty loads 盐湖区 once per test into the test's own schema.
func loadDemoCounty(t *testing.T) (*grid.Store, *dbtest.DB) {
	t.Helper()
	db := dbtest.New(t)
	s := grid.NewStore(db.Pool)
	res, err := s.LoadDemo(context.Background(), "140802", grid.DemoSeed)
	if err != nil {
		t.Fatalf("load demo county: %v", err)
	}
	if !res.Loaded || res.Units < 5000 {
		t.Fatalf("demo county: %+v", res)
	}
	return s, db
}

func TestLoadDemoCounty(t *testing.T) {
	t.Parallel()
	s, _ := loadDemoCounty(t)
	ctx := context.Background()
	again, err := s.LoadDemo(ctx, "140802", grid.DemoSeed)
	if err != nil || again.Loaded {
		t.Fatalf("second load: %+v, %v; want left alone", again, err)
	}
	counts, err := s.CountByLevel(ctx, "140802")
	if err != nil {
		t.Fatal(err)
	}
	if counts[1] != 1 || counts[2] == 0 || counts[3] == 0 || counts[4] < 4*counts[3] || counts[5] < 4*counts[4] {
		t.Fatalf("unit counts by level: %v", counts)
	}
	problems, err := s.Validate(ctx, "140802", grid.Tolerance{AreaM2: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("demo county problem: %s", p)
	}
	workers, err := s.Staff(ctx, "140802", grid.RoleGridWorker)
	if err != nil || len(workers) < counts[4] {
		t.Fatalf("grid workers: %d, %v; want at least one per grid (%d)", len(workers), err, counts[4])
	}
	// Demo members sign in with the documented demo password.
	_, hash, err := s.Credentials(ctx, workers[0].Phone)
	if err != nil || !grid.PasswordMatches(hash, grid.DemoPassword) || grid.PasswordMatches(hash, "wrong-password") {
		t.Fatalf("demo member %s cannot sign in with the demo password (err %v)", workers[0].Phone, err)
	}
}
