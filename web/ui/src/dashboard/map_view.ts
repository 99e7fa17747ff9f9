// The map: the current unit's children (GET /api/stats/map) drawn by ECharts on a plain
// background, each coloured by its closure rate, red to green; grey where no case was received.
// Clicking a unit drills into it. For tests the container says which unit it shows
// (data-unit) and how many areas it drew (data-rendered), once drawn.
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

export class MapView {
  readonly el: HTMLElement;
  private box = h('div', { class: 'map-chart', role: 'img' });
  private chart: Chart;
  private unit = '';
  private mapName = '';
  private features: MapCollection['features'] = [];
  private rows = new Map<string, UnitRow>();
  private drawn: { unit: string; count: number } | null = null;

  constructor(private pick: (code: string, name: string) => void) {
    this.el = h('section', { class: 'card map-card' }, h('h3', {}, t('map_title')), this.box,
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
    const data = rows.filter((r) => r.closure_rate !== null)
      .map((r) => ({ name: r.code, value: Math.round((r.closure_rate as number) * 1000) / 10 }));
    this.chart.setOption({
      tooltip: {
        trigger: 'item', confine: true,
        formatter: (p: { name: string }) => {
          const r = this.rows.get(p.name);
          return tip(name(p.name), r ? [[t('k_closure_rate'), pct(r.closure_rate)], [t('k_received'), num(r.received)],
            [t('k_closed'), num(r.closed)], [t('k_overdue'), num(r.overdue)]] : [[t('k_received'), '0']]);
        },
      },
      visualMap: {
        type: 'continuous', min: 0, max: 100, left: 0, bottom: 0, itemWidth: 10, itemHeight: 70,
        text: ['100%', '0%'], textStyle: { fontSize: 11 }, calculable: false,
        inRange: { color: ['#c62828', '#f9a825', '#2e7d32'] },
      },
      series: [{
        type: 'map', map: this.mapName, nameProperty: 'code', roam: false, selectedMode: false,
        ...(aspect !== null ? { aspectScale: aspect } : {}),
        label: { show: true, fontSize: 11, color: '#1d1d1f', formatter: (p: { name: string }) => name(p.name) },
        itemStyle: { areaColor: colours.none, borderColor: '#ffffff', borderWidth: 1.5 },
        emphasis: { label: { show: true }, itemStyle: { borderColor: '#1d1d1f', borderWidth: 2 } },
        data,
      }],
    });
  }
}
