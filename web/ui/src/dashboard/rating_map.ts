// The ratings' map: the villages of the unit (GET /api/ratings/map), each coloured by how many
// flags or stars it holds now, from pale (none) to deep red (five). For tests the container says
// which unit it shows (data-unit), how many villages it drew (data-rendered) and each village's
// colour (data-colours, JSON by code), once drawn.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { chartIn, echarts, tip, type Chart } from './charts';
import type { MapCollection } from './types';
import type { RatingOverview, VillageRating } from './rating_types';

// heldColours[k] is the colour of a village holding k marks.
export const heldColours = ['#e3e5e8', '#fbd3cf', '#f4a097', '#e8675b', '#cf2f23', '#9c1410'];

function swatch(color: string): HTMLElement {
  const el = h('span', { class: 'swatch' });
  el.style.background = color;
  return el;
}

export class RatingMap {
  readonly el: HTMLElement;
  private box = h('div', { class: 'map-chart', role: 'img' });
  private legend = h('ul', { class: 'map-legend' });
  private chart: Chart;
  private drawn: { unit: string; count: number; colours: Record<string, string> } | null = null;

  constructor(private pick: (code: string) => void) {
    this.el = h('section', { class: 'card map-card' }, h('h3', {}, t('r_map_title')), this.box, this.legend);
    this.chart = chartIn(this.box);
    this.chart.on('click', { seriesIndex: 0 }, (p) => this.pick(p.name));
    this.chart.on('finished', () => {
      if (!this.drawn) return;
      this.box.dataset.unit = this.drawn.unit;
      this.box.dataset.rendered = String(this.drawn.count);
      this.box.dataset.colours = JSON.stringify(this.drawn.colours);
      this.drawn = null;
    });
  }

  show(fc: MapCollection, o: RatingOverview, word: (n: number) => string): void {
    const name = 'ratings-' + o.unit;
    echarts.registerMap(name, fc as unknown as Parameters<typeof echarts.registerMap>[1]);
    const byCode = new Map<string, VillageRating>(o.villages.map((v) => [v.code, v]));
    const colours: Record<string, string> = {};
    const data = fc.features.filter((f) => f.geometry).map((f) => {
      const v = byCode.get(f.properties.code);
      const n = v ? v.held.length : 0;
      colours[f.properties.code] = heldColours[Math.min(n, heldColours.length - 1)];
      return { name: f.properties.code, value: n, itemStyle: { areaColor: colours[f.properties.code] } };
    });
    this.legend.replaceChildren(...o.counts.map((_, k) => h('li', { 'data-held': String(k) }, swatch(heldColours[k]), word(k))));
    this.box.setAttribute('aria-label', t('r_map_title'));
    delete this.box.dataset.rendered;
    this.drawn = { unit: o.unit, count: data.length, colours };
    const label = (code: string) => fc.features.find((f) => f.properties.code === code)?.properties.name ?? code;
    this.chart.clear();
    this.chart.setOption({
      tooltip: { trigger: 'item', confine: true, formatter: (p: { name: string }) => {
        const v = byCode.get(p.name);
        return tip(label(p.name), [[t('r_held'), v && v.held.length ? v.held.map((m) => o.marks[m - 1]).join('、') : '—'],
          [t('r_warned'), v && v.warned.length ? v.warned.map((m) => o.marks[m - 1]).join('、') : '—']]);
      } },
      series: [{
        type: 'map', map: name, nameProperty: 'code', roam: false, selectedMode: false,
        label: { show: true, fontSize: 12, color: '#1d1d1f', backgroundColor: 'rgba(255,255,255,0.85)', padding: [2, 4],
          borderRadius: 3, formatter: (p: { name: string }) => label(p.name) },
        labelLayout: { hideOverlap: true },
        itemStyle: { areaColor: heldColours[0], borderColor: '#ffffff', borderWidth: 1.5 },
        emphasis: { label: { show: true }, itemStyle: { borderColor: '#1d1d1f', borderWidth: 2 } },
        data,
      }],
    });
  }
}
