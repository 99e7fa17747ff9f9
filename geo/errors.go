package geo

import "errors"

var (
	// ErrBadGeometry is wrapped by every structural complaint about imported geometry, so
	// callers can tell the user's mistake from a failure of ours.
	ErrBadGeometry = errors.New("bad geometry")
	// ErrProjected means coordinates are not degrees but projected metres: the file must be
	// re-projected to a geographic coordinate system before it can be read.
	ErrProjected = errors.New("coordinates are projected metres, not degrees")
	// ErrUnknownCRS means a coordinate system this package does not convert from.
	ErrUnknownCRS = errors.New("unknown coordinate system")
)
