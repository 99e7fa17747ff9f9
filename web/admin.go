package web

import (
	"context"
	"fmt"
	"strconv"

	"github.com/griddispatch/griddispatch/grid"
)

// The administrators' routes (docs/admin-api.md) act as grid.Admin{By, Roots}: the member and
// the units where they hold the admin role. The grid store refuses what reaches outside those
// subtrees; a route about a unit refuses it here first, so that what lies outside cannot be
// probed (403 whether or not the unit exists).

// adminFrom is the signed-in administrator, as the grid store takes them.
func adminFrom(ctx context.Context) (grid.Admin, access) {
	a := accessFrom(ctx)
	return a.gridAdmin(), a
}

// unitInScope checks a unit code from a request: digits of a unit's length, in the
// administrator's subtrees. field names the parameter, for the 400.
func (a access) unitInScope(field, code string) error {
	if !isDigits(code) || grid.LevelOfCode(code) == 0 {
		return &FieldError{Field: field, Message: fmt.Sprintf("must be a unit code (6, 9, 12, 15 or 18 digits), not %s", quoteShort(code))}
	}
	if !a.administersUnit(code) {
		return fmt.Errorf("%w: unit %s is outside what you administer", ErrForbidden, code)
	}
	return nil
}

// pathID reads a positive whole number from the path.
func pathID(v, what string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: no %s %s", ErrNotFound, what, quoteShort(v))
	}
	return id, nil
}

// queryInt reads an optional whole number from the query, between lo and hi (def if absent).
func queryInt(v, field string, def, lo, hi int64) (int64, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, &FieldError{Field: field, Message: fmt.Sprintf("must be a whole number from %d to %d", lo, hi)}
	}
	return n, nil
}
