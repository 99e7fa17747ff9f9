package geo

import "errors"

// ErrBadGeometry is wrapped by every structural complaint about imported
// geometry, so callers can tell the user's mistake from a failure of ours.
var ErrBadGeometry = errors.New("bad geometry")
