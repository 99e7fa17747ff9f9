package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestWebTestsShareOneFixture keeps the web tests on one set-up (docs/testing.md): only
// fixture_test.go makes a schema, a bus or a server with a database behind it (health_test.go
// serves readiness checks alone, without one), and every test that drives Chromium is parallel,
// says which apps it needs through withBrowser (or needBrowser, in a helper's stead) before
// building anything, and leaves screenshots to browserScript's folder per test.
func TestWebTestsShareOneFixture(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name != "web_test" {
			continue // the package's own tests (ws_fanout_test.go) measure the hub without a server
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			calls := callsIn(fn.Body)
			if name != "fixture_test.go" {
				for _, c := range []string{"dbtest.New", "dispatch.ConnectInProcess", "dispatchtest.NATS", "dispatch.NewRelay"} {
					if calls[c] {
						t.Errorf("%s: %s calls %s: build the server with newFixture and its options", name, fn.Name.Name, c)
					}
				}
				if calls["web.NewServer"] && name != "health_test.go" {
					t.Errorf("%s: %s makes a server of its own: use newFixture", name, fn.Name.Name)
				}
			}
			if !strings.HasPrefix(fn.Name.Name, "Test") || !calls["browserScript"] {
				continue
			}
			if !firstIsParallel(fn.Body) {
				t.Errorf("%s: %s drives Chromium but is not parallel (browserScript bounds how many run at once)", name, fn.Name.Name)
			}
			if !calls["withBrowser"] && !calls["needBrowser"] {
				t.Errorf("%s: %s drives Chromium without withBrowser: it would build its fixture under GRIDDISPATCH_SKIP_BROWSER=1", name, fn.Name.Name)
			}
			if calls["os.Getenv"] {
				t.Errorf("%s: %s reads the environment: screenshots go to shotsDir(t)", name, fn.Name.Name)
			}
		}
	}
}

// callsIn names every function called in body, as "pkg.Func" or "Func" (methods by their name).
func callsIn(body *ast.BlockStmt) map[string]bool {
	calls := map[string]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch f := c.Fun.(type) {
		case *ast.Ident:
			calls[f.Name] = true
		case *ast.SelectorExpr:
			if x, ok := f.X.(*ast.Ident); ok {
				calls[x.Name+"."+f.Sel.Name] = true
			}
			calls[f.Sel.Name] = true
		}
		return true
	})
	return calls
}

func firstIsParallel(body *ast.BlockStmt) bool {
	if len(body.List) == 0 {
		return false
	}
	e, ok := body.List[0].(*ast.ExprStmt)
	if !ok {
		return false
	}
	c, ok := e.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	s, ok := c.Fun.(*ast.SelectorExpr)
	return ok && s.Sel.Name == "Parallel"
}
