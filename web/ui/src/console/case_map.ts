// The case's map: the polygons of GET /api/cases/{id}/map drawn as SVG on a plain background,
// in an equirectangular projection (longitude shrunk by the cosine of the mean latitude) fitted
// to their bounds. The case's micro-grid is highlighted and its point is a dot. No tiles.
const svgNS = 'http://www.w3.org/2000/svg';

type Ring = number[][];
interface Feature {
  geometry: { type: string; coordinates: unknown } | null;
  properties: { code?: string; name?: string; level?: number };
}
export interface FeatureCollection {
  features: Feature[];
}

function polygons(g: Feature['geometry']): Ring[][] {
  if (!g) return [];
  if (g.type === 'Polygon') return [g.coordinates as Ring[]];
  if (g.type === 'MultiPolygon') return g.coordinates as Ring[][];
  return [];
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

const width = 640;

export function caseMap(fc: FeatureCollection, unit: string, lon: number, lat: number): SVGSVGElement {
  const feats = fc.features.filter((f) => polygons(f.geometry).length > 0)
    .sort((a, b) => (a.properties.level ?? 0) - (b.properties.level ?? 0));
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const grow = (x: number, y: number) => {
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  };
  for (const f of feats) for (const poly of polygons(f.geometry)) for (const [x, y] of poly[0] ?? []) grow(x, y);
  const hasPoint = Number.isFinite(lon) && Number.isFinite(lat);
  if (hasPoint) grow(lon, lat);
  if (!Number.isFinite(minX)) grow(0, 0);
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxX - minX) * k, 1e-6);
  const spanY = Math.max(maxY - minY, 1e-6);
  const pad = 12;
  const scale = (width - 2 * pad) / spanX;
  const height = Math.min(Math.max(spanY * scale + 2 * pad, 160), 560);
  const scaleY = Math.min(scale, (height - 2 * pad) / spanY);
  const s = Math.min(scale, scaleY);
  const offX = (width - spanX * s) / 2, offY = (height - spanY * s) / 2;
  const px = (x: number) => (offX + (x - minX) * k * s).toFixed(1);
  const py = (y: number) => (offY + (maxY - y) * s).toFixed(1);

  const svg = el('svg', { viewBox: `0 0 ${width} ${height.toFixed(0)}`, class: 'map', role: 'img' });
  for (const f of feats) {
    const d = polygons(f.geometry).map((poly) => poly.map((ring) =>
      'M' + ring.map(([x, y]) => px(x) + ',' + py(y)).join('L') + 'Z').join('')).join('');
    const code = f.properties.code ?? '';
    const cls = 'unit level-' + (f.properties.level ?? 0) + (code === unit ? ' here' : unit.startsWith(code) ? ' around' : '');
    const path = el('path', { d, class: cls, 'data-code': code, 'fill-rule': 'evenodd' });
    const title = el('title', {});
    title.textContent = f.properties.name ?? code; // text, never markup
    path.append(title);
    svg.append(path);
  }
  if (hasPoint) svg.append(el('circle', { cx: px(lon), cy: py(lat), r: 6, class: 'point' }));
  return svg;
}
