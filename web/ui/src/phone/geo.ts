// The worker's grid as the phone keeps it (GET /api/my/grid, WGS84 GeoJSON, cached in IndexedDB
// by store.ts) and which of its units a point falls in, found on the phone so that it works with
// no signal.

export interface UnitProps {
  code: string;
  name: string;
  level: number; // 4 grid, 5 micro-grid
}

export interface OutlineFeature {
  type: 'Feature';
  properties: UnitProps;
  geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
}

export interface GridOutlines {
  type: 'FeatureCollection';
  grids: string[];
  features: OutlineFeature[];
}

// inRing: ray casting over one ring of [lon, lat] points.
function inRing(ring: number[][], lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inPolygon(rings: number[][][], lon: number, lat: number): boolean {
  return rings.length > 0 && inRing(rings[0], lon, lat) && !rings.slice(1).some((hole) => inRing(hole, lon, lat));
}

export function contains(f: OutlineFeature, lon: number, lat: number): boolean {
  const g = f.geometry;
  if (g.type === 'Polygon') return inPolygon(g.coordinates, lon, lat);
  return g.coordinates.some((p) => inPolygon(p, lon, lat));
}

// unitsAt: the grid and the micro-grid holding the point (either may be missing: outside).
export function unitsAt(o: GridOutlines | undefined, lon: number, lat: number): UnitProps[] {
  if (!o) return [];
  return o.features.filter((f) => contains(f, lon, lat)).map((f) => f.properties).sort((a, b) => a.level - b.level);
}
