-- A polygon PostGIS does not consider valid (ST_IsValid: self-intersections, rings that touch
-- themselves, invalid coordinates) cannot be stored, whoever writes it: an import, which checks
-- before (docs/grid.md), the demo, or GIS staff editing the units layer in QGIS, who get the
-- constraint's name back. Rows stored before this migration are not checked (NOT VALID), so an
-- existing grid with invalid polygons still starts: grid validate lists them; once they are
-- fixed, ALTER TABLE units VALIDATE CONSTRAINT units_geom_valid makes the check whole.
ALTER TABLE units ADD CONSTRAINT units_geom_valid CHECK (ST_IsValid(geom)) NOT VALID;
