package dispatch

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/griddispatch/griddispatch/grid"
)

// Routing (docs/routing.md): the centre of a tier is the case's ancestor unit at that level.
// Where that unit has no mediation centre (a village without a mediation room), the case goes
// to the nearest centre above; the county always has one.

// StartingCentre is the level whose centre first takes a case of a category starting at want,
// for a place on path: want, or the deepest level the place has, moved up past units without
// a centre.
func StartingCentre(path *grid.Path, want grid.Level) grid.Level {
	return CentreAbove(path, min(want, path.Level, grid.Village))
}

// CentreAbove is l if its unit has a centre, else the nearest level above that has one.
func CentreAbove(path *grid.Path, l grid.Level) grid.Level {
	for l > grid.County && path.Units[l].NoCentre {
		l--
	}
	return l
}

// CentreBelow is the nearest level below l, down to the village or the place's own level,
// whose unit has a centre; 0 if there is none.
func CentreBelow(path *grid.Path, l grid.Level) grid.Level {
	for next := l + 1; next <= min(grid.Village, path.Level); next++ {
		if !path.Units[next].NoCentre {
			return next
		}
	}
	return 0
}

// NoCentreReason is the history's note when a case skipped a tier for want of a centre; "" if
// it did not.
func NoCentreReason(path *grid.Path, want, got grid.Level) string {
	want = min(want, path.Level, grid.Village)
	if got == want {
		return ""
	}
	u := path.Units[want]
	return fmt.Sprintf("%s（%s）未设调解室，转%s矛调中心", u.Name, u.Code, path.Units[got].Name)
}

// selectPath reads units and their ancestors: the ancestors' codes are the units' prefixes.
const selectPath = `SELECT code, name, level, has_centre FROM units WHERE code = ANY($1)`

// querier is a pool, a transaction, or a connection inside one.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// loadPath reads the path of a case's unit, for routing a transition.
func loadPath(ctx context.Context, tx querier, unit string) (*grid.Path, error) {
	paths, err := loadPaths(ctx, tx, []string{unit})
	if err != nil {
		return nil, err
	}
	return paths[unit], nil
}

// loadPaths reads the paths of units, a unit and its ancestors each, in one statement.
func loadPaths(ctx context.Context, tx querier, units []string) (map[string]*grid.Path, error) {
	var prefixes []string
	for _, unit := range units {
		for l := grid.County; l <= grid.MicroGrid && l.CodeLength() <= len(unit); l++ {
			prefixes = append(prefixes, unit[:l.CodeLength()])
		}
	}
	rows, err := tx.Query(ctx, selectPath, prefixes)
	if err != nil {
		return nil, err
	}
	found := map[string]grid.UnitRef{}
	var code, name string
	var level int16
	var has bool
	if _, err := pgx.ForEachRow(rows, []any{&code, &name, &level, &has}, func() error {
		found[code] = grid.UnitRef{Code: code, Name: name, NoCentre: !has}
		return nil
	}); err != nil {
		return nil, err
	}
	paths := make(map[string]*grid.Path, len(units))
	for _, unit := range units {
		p := &grid.Path{}
		for l := grid.County; l <= grid.MicroGrid && l.CodeLength() <= len(unit); l++ {
			if u, ok := found[unit[:l.CodeLength()]]; ok {
				p.Units[l], p.Level = u, l
			}
		}
		if p.Level == 0 {
			return nil, fmt.Errorf("unit %s is not in the grid", unit)
		}
		paths[unit] = p
	}
	return paths, nil
}
