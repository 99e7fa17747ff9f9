// Package grid is the five-level grid (五级网格): units from county down to micro-grid, their
// unified codes and polygons, and the members assigned to them with roles.
//
// Codes carry the hierarchy. The top three levels use the national statistical division codes
// (county 6 digits, township 9, village or community 12); a grid adds three digits to its
// village's code and a micro-grid three to its grid's. A unit's code is therefore a prefix of
// every descendant's, and a subtree is a prefix range on the primary-key index.
//
// Polygons are PostGIS MultiPolygons in SRID 4326 so GIS staff can edit them in QGIS; Validate
// finds what such edits, or imports, can break: invalid geometry, children outside their
// parent, overlapping siblings and gaps in a parent's coverage.
package grid
