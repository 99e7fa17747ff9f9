package grid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

func readFixture(t *testing.T) map[string]any {
	t.Helper()
	b := gridtest.SmallCounty
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// storeWithGoodGrid is a fresh schema holding the good fixture: a county split down to two
// micro-grids, with a township, a village and a grid that have no children.
func storeWithGoodGrid(t *testing.T) *grid.Store {
	t.Helper()
	s := grid.NewStore(dbtest.New(t).Pool)
	gridtest.Import(t, s)
	return s
}

func features(doc map[string]any) []any { return doc["features"].([]any) }

func props(doc map[string]any, i int) map[string]any {
	return features(doc)[i].(map[string]any)["properties"].(map[string]any)
}

func geometry(doc map[string]any, i int) map[string]any {
	return features(doc)[i].(map[string]any)["geometry"].(map[string]any)
}

func encode(t *testing.T, doc map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func importBytes(ctx context.Context, s *grid.Store, b []byte) (grid.ImportResult, error) {
	units, err := grid.ReadGeoJSON(bytes.NewReader(b))
	if err != nil {
		return grid.ImportResult{}, err
	}
	return s.Import(ctx, units)
}

func TestImportGoodFile(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := grid.NewStore(db.Pool)
	ctx := context.Background()
	b := gridtest.SmallCounty
	res, err := importBytes(ctx, s, b)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res.Inserted != 9 || res.Updated != 0 {
		t.Fatalf("first import: %+v; want 9 inserted", res)
	}
	u, err := s.Unit(ctx, "140802001001")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "东阜村" || u.Level != grid.Village || u.ParentCode != "140802001" ||
		u.Population == nil || *u.Population != 1200 || u.Households == nil || *u.Households != 410 {
		t.Fatalf("stored village: %+v", u)
	}
	// Importing the same file again updates in place.
	res, err = importBytes(ctx, s, b)
	if err != nil || res.Inserted != 0 || res.Updated != 9 {
		t.Fatalf("second import: %+v, %v; want 9 updated", res, err)
	}
	if _, err := s.Unit(ctx, "140802009"); !errors.Is(err, grid.ErrNotFound) {
		t.Fatalf("missing unit: err %v; want ErrNotFound", err)
	}
}

func TestImportBadFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		mutate    func(doc map[string]any)
		wantIndex int
		wantErr   error
		wantText  string
	}{
		{"unknown parent", func(d map[string]any) { props(d, 4)["parent_code"] = "140802009"; props(d, 4)["code"] = "140802009002" },
			4, grid.ErrUnknownParent, "140802009"},
		{"code not prefixed by parent", func(d map[string]any) { props(d, 3)["code"] = "140802002001" },
			3, grid.ErrCodePrefix, "does not start with"},
		{"duplicate code", func(d map[string]any) { props(d, 4)["code"] = "140802001001" },
			4, grid.ErrDuplicateCode, "also feature 3"},
		{"wrong level order", func(d map[string]any) { props(d, 5)["parent_code"] = "140802001" },
			5, grid.ErrLevelOrder, "must be a village code"},
		{"code length wrong for level", func(d map[string]any) { props(d, 1)["level"] = 3 },
			1, grid.ErrInvalidUnit, "a village code has 12"},
		{"longitude out of range", func(d map[string]any) {
			ring := geometry(d, 6)["coordinates"].([]any)[0].([]any)
			ring[1].([]any)[0] = 181.0
		}, 6, grid.ErrBadGeometry, "longitude 181"},
		{"unclosed ring", func(d map[string]any) {
			ring := geometry(d, 7)["coordinates"].([]any)[0].([]any)
			geometry(d, 7)["coordinates"].([]any)[0] = ring[:len(ring)-1]
		}, 7, grid.ErrBadGeometry, "not closed"},
		{"self-intersecting polygon", func(d map[string]any) {
			geometry(d, 8)["coordinates"] = []any{[]any{
				[]any{111.0, 35.05}, []any{111.05, 35.1}, []any{111.05, 35.05}, []any{111.0, 35.075}, []any{111.0, 35.05}}}
		}, 8, grid.ErrBadGeometry, "Self-intersection"},
		{"point geometry", func(d map[string]any) {
			features(d)[2].(map[string]any)["geometry"] = map[string]any{"type": "Point", "coordinates": []any{111.1, 35.1}}
		}, 2, grid.ErrBadGeometry, "Point"},
		{"missing name", func(d map[string]any) { delete(props(d, 0), "name") },
			0, grid.ErrInvalidUnit, "name is missing"},
		{"negative population", func(d map[string]any) { props(d, 0)["population"] = -5 },
			0, grid.ErrInvalidUnit, "negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := dbtest.New(t)
			s := grid.NewStore(db.Pool)
			doc := readFixture(t)
			tc.mutate(doc)
			_, err := importBytes(context.Background(), s, encode(t, doc))
			if err == nil {
				t.Fatal("bad file was imported")
			}
			var fe *grid.FeatureError
			if !errors.As(err, &fe) || fe.Index != tc.wantIndex {
				t.Fatalf("error %q does not name feature %d", err, tc.wantIndex)
			}
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("error %q; want %v mentioning %q", err, tc.wantErr, tc.wantText)
			}
			counts, err := s.CountByLevel(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			if counts != [6]int{} {
				t.Fatalf("a bad file imported something: %v", counts)
			}
		})
	}
}

func TestImportIntoExistingParent(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := grid.NewStore(db.Pool)
	ctx := context.Background()
	doc := readFixture(t)
	all := features(doc)
	doc["features"] = all[:3]
	if _, err := importBytes(ctx, s, encode(t, doc)); err != nil {
		t.Fatalf("import county and townships: %v", err)
	}
	doc["features"] = all[3:]
	res, err := importBytes(ctx, s, encode(t, doc))
	if err != nil || res.Inserted != 6 {
		t.Fatalf("import children of stored parents: %+v, %v", res, err)
	}
}

func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := grid.NewStore(db.Pool)
	ctx := context.Background()
	want, err := grid.ReadGeoJSON(bytes.NewReader(gridtest.SmallCounty))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, want); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	n, err := s.Export(ctx, "", &out)
	if err != nil || n != len(want) {
		t.Fatalf("export: %d units, %v", n, err)
	}
	got, err := grid.ReadGeoJSON(&out)
	if err != nil {
		t.Fatalf("exported file does not read back: %v", err)
	}
	byCode := map[string]grid.Unit{}
	for _, u := range got {
		byCode[u.Code] = u
	}
	for _, w := range want {
		if g := byCode[w.Code]; !reflect.DeepEqual(g, w) {
			t.Errorf("unit %s changed in the round trip:\n got %+v\nwant %+v", w.Code, g, w)
		}
	}

	// A second database loaded from the export exports the same bytes.
	db2 := dbtest.New(t)
	s2 := grid.NewStore(db2.Pool)
	if _, err := s2.Import(ctx, got); err != nil {
		t.Fatal(err)
	}
	var out2 bytes.Buffer
	if _, err := s2.Export(ctx, "", &out2); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if _, err := s.Export(ctx, "", &again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), out2.Bytes()) {
		t.Fatal("re-imported export differs from the original export")
	}

	// A subtree export holds that subtree only.
	var sub bytes.Buffer
	if n, err := s.Export(ctx, "140802001001", &sub); err != nil || n != 5 {
		t.Fatalf("subtree export: %d units, %v; want 5", n, err)
	}
}
