// A map of polygons on a plain background (no tiles, nothing fetched): the units of a
// FeatureCollection, each filled by the class colour() gives it, with a legend of the classes
// drawn. For tests the container says how many units it drew (data-rendered) and which
// classes (data-classes), once drawn.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { echarts, type Chart } from './charts';
import type { Feature, FeatureCollection } from './types';

export interface Style {
  fill: string;
  border: string;
}

export interface MapOptions {
  // classOf names a feature's class, a key of styles
  classOf(f: Feature): string;
  styles: Record<string, Style>;
  legend(cls: string): string;
  label?(f: Feature): string;
  // rank orders the drawing: higher ranks are drawn later, on top
  rank?(f: Feature): number;
  tip?(f: Feature): string[];
  pick?(f: Feature): void;
}

let maps = 0;

// swatch: a colour sample, styled through the CSSOM: the CSP refuses style attributes.
export function swatch(s: Style, cls = 'swatch'): HTMLElement {
  const el = h('span', { class: cls });
  el.style.background = s.fill;
  el.style.borderColor = s.border;
  return el;
}

function latitudeMiddle(fc: FeatureCollection): number {
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

export class PolygonMap {
  readonly el: HTMLElement;
  private box = h('div', { class: 'map-chart', role: 'img' });
  private legendEl = h('ul', { class: 'legend' });
  private chart: Chart | null = null;
  private features: Feature[] = [];
  private drawn: { count: number; classes: string } | null = null;

  private pending: FeatureCollection | null | undefined = undefined;

  constructor(title: string, private opts: MapOptions) {
    this.el = h('figure', { class: 'map' }, this.box, h('figcaption', {}, this.legendEl));
    this.box.setAttribute('aria-label', title);
    // ECharts lays out by its container's size: a map shown before it is on the page (or while
    // hidden) is drawn once it has one.
    new ResizeObserver(() => {
      if (this.box.clientWidth === 0) return;
      if (this.pending !== undefined) this.show(this.pending);
      else this.chart?.resize();
    }).observe(this.box);
  }

  // show draws the features; a collection without polygons leaves a note instead.
  show(fc: FeatureCollection | null): void {
    if (!this.box.isConnected || this.box.clientWidth === 0) {
      this.pending = fc;
      return;
    }
    this.pending = undefined;
    this.features = (fc?.features ?? []).filter((f) => f.geometry);
    const rank = this.opts.rank;
    if (rank) this.features = this.features.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
    clear(this.legendEl);
    delete this.box.dataset.rendered;
    if (this.features.length === 0) {
      this.chart?.clear();
      this.box.dataset.rendered = '0';
      this.box.dataset.classes = '';
      this.legendEl.append(h('li', { class: 'muted' }, t('map_empty')));
      return;
    }
    if (!this.chart) this.start();
    // keys: one per feature, since a change's map holds a unit twice (before and after)
    const keyed = this.features.map((f, i) => ({ ...f, properties: { ...f.properties, __k: String(i) } }));
    const name = 'admin-map-' + ++maps;
    echarts.registerMap(name, { type: 'FeatureCollection', features: keyed } as unknown as Parameters<typeof echarts.registerMap>[1]);
    const classes = this.features.map((f) => this.opts.classOf(f));
    const used = [...new Set(classes)];
    this.drawn = { count: this.features.length, classes: used.join(' ') };
    for (const c of used) {
      const s = this.opts.styles[c];
      this.legendEl.append(h('li', { 'data-class': c }, swatch(s), this.opts.legend(c)));
    }
    this.chart!.clear();
    this.chart!.setOption({
      tooltip: {
        trigger: 'item', confine: true,
        formatter: (p: { name: string }) => this.tip(Number(p.name)),
      },
      series: [{
        type: 'map', map: name, nameProperty: '__k', roam: true, selectedMode: false,
        aspectScale: Math.cos((latitudeMiddle(fc!) * Math.PI) / 180),
        label: { show: true, fontSize: 11, color: '#1d1d1f',
          formatter: (p: { name: string }) => this.label(Number(p.name)) },
        itemStyle: { areaColor: '#eef0f3', borderColor: '#8a8f98', borderWidth: 1 },
        emphasis: { label: { show: true }, itemStyle: { borderColor: '#1d1d1f', borderWidth: 2 } },
        data: this.features.map((_f, i) => {
          const s = this.opts.styles[classes[i]];
          return { name: String(i), itemStyle: { areaColor: s.fill, borderColor: s.border, borderWidth: 1.5 } };
        }),
      }],
    });
  }

  private start(): void {
    this.chart = echarts.init(this.box, undefined, { renderer: 'canvas' });
    (this.box as HTMLElement & { chart?: Chart }).chart = this.chart; // for tests and the browser's console
    this.chart.on('click', (p) => {
      const f = this.features[Number(p.name)];
      if (f && this.opts.pick) this.opts.pick(f);
    });
    this.chart.on('finished', () => {
      if (!this.drawn) return;
      this.box.dataset.rendered = String(this.drawn.count);
      this.box.dataset.classes = this.drawn.classes;
      this.drawn = null;
    });
  }

  private label(i: number): string {
    const f = this.features[i];
    if (!f) return '';
    return this.opts.label ? this.opts.label(f) : String(f.properties.name ?? f.properties.code ?? '');
  }

  // tip is built as elements: names are the file's or the server's text, never markup.
  private tip(i: number): HTMLElement {
    const f = this.features[i];
    const el = h('div', { class: 'tip' });
    if (!f) return el;
    el.append(h('strong', {}, String(f.properties.name ?? '')), h('div', {}, String(f.properties.code ?? '')));
    for (const line of this.opts.tip?.(f) ?? []) el.append(h('div', {}, line));
    return el;
  }
}
