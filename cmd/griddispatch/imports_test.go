package main

import (
	"go/build"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is the module path: imports below it are ours.
const module = "github.com/griddispatch/griddispatch"

// layers rank the module's packages (STYLE.md, "Shape"): a package imports only packages of a
// lower rank, or of its own part (web may import web/pdfdoc). So dependencies point one way:
// cmd -> web -> dispatch -> grid -> geo, with the schema under everything that stores, and the
// demo's generated past beside web, using the domain that never uses it. A package is in the
// part of the longest dir that prefixes it.
var layers = map[string]int{
	"geo":                  0, // pure geometry over orb: nothing of ours
	"migrations":           1, // the schema, and dbtest for tests
	"grid":                 2,
	"dispatch":             3,
	"dispatch/demohistory": 4, // imports dispatch; dispatch never imports it
	"web":                  4,
	"cmd":                  5,
}

// part is the dir of layers that rel (a package's dir in the module) belongs to.
func part(rel string) (string, bool) {
	best := ""
	for dir := range layers {
		if (rel == dir || strings.HasPrefix(rel, dir+"/")) && len(dir) > len(best) {
			best = dir
		}
	}
	return best, best != ""
}

// TestImportsPointOneWay reads the imports of every package of the module (go/build, imports
// only: a few milliseconds) and fails on any that points up or sideways, tests' imports included.
func TestImportsPointOneWay(t *testing.T) {
	type edge struct{ from, to string }
	var bad []edge
	packages := 0
	const root = "../.." // the module, from this package's dir
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
			name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(p, build.ImportComment)
		if _, none := err.(*build.NoGoError); none {
			return nil
		} else if err != nil {
			return err
		}
		r, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(r)
		packages++
		from, ok := part(rel)
		if !ok {
			t.Errorf("package %s is in no layer: add its dir to layers", rel)
			return nil
		}
		for _, imp := range slices.Concat(pkg.Imports, pkg.TestImports, pkg.XTestImports) {
			dep, ours := strings.CutPrefix(imp, module+"/")
			if !ours {
				continue
			}
			to, ok := part(dep)
			if !ok {
				t.Errorf("%s imports %s, which is in no layer", rel, dep)
				continue
			}
			if to != from && layers[to] >= layers[from] {
				bad = append(bad, edge{rel, dep})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range bad {
		t.Errorf("%s imports %s: dependencies point one way, %s", e.from, e.to, order())
	}
	if packages < len(layers) {
		t.Fatalf("found %d packages; the walk missed the module", packages)
	}
}

// order spells the layers out, highest first, parts of equal rank together.
func order() string {
	byRank := map[int][]string{}
	top := 0
	for dir, rank := range layers {
		byRank[rank] = append(byRank[rank], dir)
		top = max(top, rank)
	}
	var out []string
	for rank := top; rank >= 0; rank-- {
		dirs := byRank[rank]
		slices.Sort(dirs)
		if len(dirs) == 1 {
			out = append(out, dirs[0])
		} else if len(dirs) > 1 {
			out = append(out, "{"+strings.Join(dirs, ", ")+"}")
		}
	}
	return strings.Join(out, " -> ") + " (layers in imports_test.go)"
}
