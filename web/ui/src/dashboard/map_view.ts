// The map: the current unit's children (GET /api/stats/map) drawn by ECharts on a plain
// background, each coloured by the band its closure rate falls in (the county's map_bands, e.g.
// <85 %, 85–92 %, 92–97 %, ≥97 %: a continuous scale painted 85–100 % one green); grey where no
// case was received. Names that would overlap are hidden (labelLayout hideOverlap). Clicking a
// unit drills into it. For tests the container says which unit it shows (data-unit) and how many
// areas it drew (data-rendered), once drawn.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { chartIn, colours, echarts, tip, type Chart } from './charts';
import { num, pct } from './format';
import type { MapCollection, UnitRow } from './types';

function meanLatitude(fc: MapCollection): number {
  let min = Infinity, max = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      min = Math.min(min, c[1] as number);
      max = Math.max(max, c[1] as number);
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  for (const f of fc.features) visit(f.geometry?.coordinates);
  return Number.isFinite(min) ? (min + max) / 2 : 35;
}

// From red to green: the bands take evenly spaced colours of it, the lowest always red.
const palette = ['#c62828', '#d84315', '#ef6c00', '#f9a825', '#c0ca33', '#9ccc65', '#66bb6a', '#43a047', '#2e7d32'];

// noCases is the value given to areas without cases, so that grey has its own legend entry.
const noCases = -1;

export interface BandPiece {
  min?: number;
  max?: number;
  color: string;
  label: string;
}

// bandPieces turns thresholds (percent, ascending) into the visual map's pieces, lowest first.
export function bandPieces(bands: number[]): BandPiece[] {
  const n = bands.length + 1;
  const color = (i: number) => palette[Math.round((i * (palette.length - 1)) / (n - 1))];
  const pieces: BandPiece[] = [];
  for (let i = 0; i < n; i++) {
    const lo = bands[i - 1], hi = bands[i];
    const label = lo === undefined ? t('band_below', { a: hi }) : hi === undefined ? t('band_above', { a: lo })
      : t('band_between', { a: lo, b: hi });
    pieces.push({ ...(lo !== undefined ? { min: lo } : { min: 0 }), ...(hi !== undefined ? { max: hi } : { max: 100 }), color: color(i), label });
  }
  return pieces;
}

// swatch is a legend's colour, set through the style object (the CSP refuses style attributes).
function swatch(color: string): HTMLElement {
  const el = h('span', { class: 'swatch' });
  el.style.background = color;
  return el;
}

export class MapView {
  readonly el: HTMLElement;
  private box = h('div', { class: 'map-chart', role: 'img' });
  private chart: Chart;
  private unit = '';
  private mapName = '';
  private features: MapCollection['features'] = [];
  private rows = new Map<string, UnitRow>();
  private drawn: { unit: string; count: number } | null = null;

  private pieces: BandPiece[];

  constructor(private pick: (code: string, name: string) => void, bands: number[]) {
    this.pieces = bandPieces(bands);
    this.el = h('section', { class: 'card map-card' }, h('h3', {}, t('map_title')), this.box,
      h('ul', { class: 'map-legend', 'aria-label': t('k_closure_rate') },
        [...this.pieces].reverse().map((p) => h('li', { 'data-min': String(p.min), 'data-max': String(p.max) },
          swatch(p.color), p.label)),
        h('li', { 'data-none': '' }, swatch(colours.none), t('map_no_cases'))),
      h('p', { class: 'muted small' }, t('map_legend')));
    this.chart = chartIn(this.box);
    // for tests and the browser's console: the chart behind the canvas
    (this.box as HTMLElement & { chart?: Chart }).chart = this.chart;
    this.chart.on('click', { seriesIndex: 0 }, (p) => {
      const f = this.features.find((x) => x.properties.code === p.name);
      if (f && this.drillable(f.properties.code, f.properties.level)) this.pick(f.properties.code, f.properties.name);
    });
    this.chart.on('finished', () => {
      if (!this.drawn) return;
      this.box.dataset.unit = this.drawn.unit;
      this.box.dataset.rendered = String(this.drawn.count);
      this.box.dataset.coloured = String(this.rows.size ? [...this.rows.values()].filter((r) => r.closure_rate !== null).length : 0);
      this.drawn = null;
    });
  }

  // drillable: grids are the lowest level the figures reach, and a grid's map is itself.
  drillable(code: string, level: number): boolean {
    return code !== this.unit && level <= 4;
  }

  // show draws a unit's children; update recolours them.
  show(unit: string, fc: MapCollection, rows: UnitRow[]): void {
    this.unit = unit;
    this.features = fc.features.filter((f) => f.geometry);
    this.mapName = 'unit-' + unit;
    echarts.registerMap(this.mapName, fc as unknown as Parameters<typeof echarts.registerMap>[1]);
    this.box.setAttribute('aria-label', t('map_title') + ' ' + unit);
    delete this.box.dataset.rendered;
    this.chart.clear();
    this.draw(rows, Math.cos((meanLatitude(fc) * Math.PI) / 180));
  }

  update(rows: UnitRow[]): void {
    if (this.mapName) this.draw(rows, null);
  }

  private draw(rows: UnitRow[], aspect: number | null): void {
    this.rows = new Map(rows.map((r) => [r.code, r]));
    this.drawn = { unit: this.unit, count: this.features.length };
    const name = (code: string) => this.features.find((f) => f.properties.code === code)?.properties.name ?? code;
    const data = rows.map((r) => ({ name: r.code,
      value: r.closure_rate === null ? noCases : Math.round(r.closure_rate * 1000) / 10 }));
    // a band is [min, max): 92 % is in 92–97 %, as the legend says; the top band holds 100 %
    const pieces = this.pieces.map((p, i) => ({ gte: p.min, ...(i < this.pieces.length - 1 ? { lt: p.max } : { lte: p.max }),
      color: p.color, label: p.label }));
    this.chart.setOption({
      tooltip: {
        trigger: 'item', confine: true,
        formatter: (p: { name: string }) => {
          const r = this.rows.get(p.name);
          return tip(name(p.name), r ? [[t('k_closure_rate'), pct(r.closure_rate)], [t('k_received'), num(r.received)],
            [t('k_closed'), num(r.closed)], [t('k_overdue'), num(r.overdue)]] : [[t('k_received'), '0']]);
        },
      },
      // the colours; the legend is the page's (this.legend), which wraps at 360 px and reads at any size
      visualMap: { type: 'piecewise', show: false, dimension: 0,
        pieces: [...pieces, { value: noCases, color: colours.none, label: t('map_no_cases') }] },
      series: [{
        type: 'map', map: this.mapName, nameProperty: 'code', roam: false, selectedMode: false,
        ...(aspect !== null ? { aspectScale: aspect } : {}),
        // names on a light tag, readable on every band's colour
        label: { show: true, fontSize: 12, color: '#1d1d1f', backgroundColor: 'rgba(255,255,255,0.85)', padding: [2, 4],
          borderRadius: 3, formatter: (p: { name: string }) => name(p.name) },
        labelLayout: { hideOverlap: true },
        itemStyle: { areaColor: colours.none, borderColor: '#ffffff', borderWidth: 1.5 },
        emphasis: { label: { show: true }, itemStyle: { borderColor: '#1d1d1f', borderWidth: 2 } },
        data,
      }],
    });
  }
}
