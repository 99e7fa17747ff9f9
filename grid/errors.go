package grid

import "errors"

// Sentinel errors of the grid. Callers test with errors.Is; messages carry the detail.
var (
	ErrNotFound         = errors.New("not found")
	ErrInvalidUnit      = errors.New("invalid unit")
	ErrLevelOrder       = errors.New("wrong level order")
	ErrCodePrefix       = errors.New("code not prefixed by its parent's")
	ErrDuplicateCode    = errors.New("duplicate code")
	ErrUnknownParent    = errors.New("unknown parent")
	ErrBadGeometry      = errors.New("bad geometry")
	ErrBadGeoJSON       = errors.New("bad GeoJSON")
	ErrBadCRS           = errors.New("coordinate system not readable")
	ErrBadShapefile     = errors.New("bad Shapefile")
	ErrBadEncoding      = errors.New("text not in its encoding")
	ErrInvalidMember    = errors.New("invalid member")
	ErrRoleLevel        = errors.New("role not allowed at this level")
	ErrDuplicatePhone   = errors.New("duplicate phone number")
	ErrInvalidTolerance = errors.New("invalid tolerance")
)
