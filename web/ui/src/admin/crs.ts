// Coordinates of a county's drawing to WGS84, for the change-set forms: the change routes read
// GeoJSON in WGS84 (or CGCS2000, centimetres from it), so a file drawn on AMap (GCJ-02) or Baidu
// (BD-09) is converted here. The same published transforms as geo/crs.go, to 1e-10 degrees.
export const crsList = ['wgs84', 'cgcs2000', 'gcj02', 'bd09'];

const krasovskyA = 6378245.0;
const krasovskyE2 = 0.00669342162296594323;
const bdPi = (Math.PI * 3000.0) / 180.0;

type Point = [number, number];

function inChina([lon, lat]: Point): boolean {
  return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

function gcjOffset(lon: number, lat: number): Point {
  const x = lon - 105.0;
  const y = lat - 35.0;
  const s = Math.sin;
  const pi = Math.PI;
  const common = ((20.0 * s(6.0 * x * pi) + 20.0 * s(2.0 * x * pi)) * 2.0) / 3.0;
  let dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  let dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  dLat += common + ((20.0 * s(y * pi) + 40.0 * s((y / 3.0) * pi)) * 2.0) / 3.0 +
    ((160.0 * s((y / 12.0) * pi) + 320.0 * s((y * pi) / 30.0)) * 2.0) / 3.0;
  dLon += common + ((20.0 * s(x * pi) + 40.0 * s((x / 3.0) * pi)) * 2.0) / 3.0 +
    ((150.0 * s((x / 12.0) * pi) + 300.0 * s((x / 30.0) * pi)) * 2.0) / 3.0;
  const rad = (lat / 180.0) * pi;
  const magic = 1 - krasovskyE2 * s(rad) * s(rad);
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((krasovskyA * (1 - krasovskyE2)) / (magic * sqrtMagic)) * pi);
  dLon = (dLon * 180.0) / ((krasovskyA / sqrtMagic) * Math.cos(rad) * pi);
  return [dLon, dLat];
}

function gcjToWGS84(p: Point): Point {
  if (!inChina(p)) return p;
  let w: Point = [p[0], p[1]];
  for (let i = 0; i < 30; i++) { // no closed inverse: iterate until the image is within 1e-10°
    const [oLon, oLat] = gcjOffset(w[0], w[1]);
    const dLon = w[0] + oLon - p[0];
    const dLat = w[1] + oLat - p[1];
    w = [w[0] - dLon, w[1] - dLat];
    if (Math.abs(dLon) < 1e-10 && Math.abs(dLat) < 1e-10) break;
  }
  return w;
}

function bdToGCJ([lon, lat]: Point): Point {
  const x = lon - 0.0065;
  const y = lat - 0.006;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * bdPi);
  const theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * bdPi);
  return [z * Math.cos(theta), z * Math.sin(theta)];
}

// toWGS84 converts a geometry's coordinates (any nesting) in place.
export function toWGS84(coords: unknown, crs: string): void {
  if (crs !== 'gcj02' && crs !== 'bd09') return;
  if (!Array.isArray(coords)) return;
  if (typeof coords[0] === 'number') {
    const p: Point = [coords[0] as number, coords[1] as number];
    const w = gcjToWGS84(crs === 'bd09' ? bdToGCJ(p) : p);
    coords[0] = w[0];
    coords[1] = w[1];
    return;
  }
  for (const c of coords) toWGS84(c, crs);
}
