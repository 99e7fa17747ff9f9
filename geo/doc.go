// Package geo is the geometry of the grid: pure functions over
// github.com/paulmach/orb types, with no I/O and nothing of ours imported,
// so every caller (store, importer, dispatcher, demo) shares one answer to
// "is this shape acceptable" and "where does this point belong".
//
// Coordinates are WGS84 longitude/latitude degrees, the same values PostGIS
// stores as SRID 4326, and are kept at full float64 precision: snapping them
// would open gaps between neighbouring units. A city spans well under a
// degree, so planar arithmetic on degrees is accurate enough, provided
// distances scale longitude by the cosine of a local latitude; otherwise a
// degree east would count as far as a degree north, which at 35°N it is not.
package geo
