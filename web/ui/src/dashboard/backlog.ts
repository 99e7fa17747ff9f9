// The open cases by age (在办账龄, the summary's `backlog`): the open cases of the period by how many
// local days ago they were received, in the bands of docs/metrics.md, as a small bar chart and a
// table. No route exports it (it is part of the summary), so the table has no CSV or Excel
// buttons. The card carries the total (data-total: the open cases summed over the bands).
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { chartIn, colours, tip, type Chart } from './charts';
import { num, pct } from './format';
import { DataTable } from './table';
import type { Summary } from './types';

export type Band = Summary['backlog'][number];

// bandLabel words a band of days since receipt: "不足 1 天", "1–3 天", "90 天及以上".
export function bandLabel(b: Band): string {
  if (b.to_days === null) return t('band_over', { a: b.from_days });
  if (b.from_days === 0) return t(b.to_days === 1 ? 'band_under_1' : 'band_under', { b: b.to_days });
  return t('band_range', { a: b.from_days, b: b.to_days });
}

// the older the band, the redder its bar: under a week, under a month, older
function bandColour(b: Band): string {
  return b.from_days >= 30 ? colours.rate : b.from_days >= 7 ? colours.aged : colours.received;
}

export class BacklogView {
  readonly table: DataTable<Band>;
  private box = h('div', { class: 'chart small-chart', role: 'img', 'aria-label': t('backlog_title') });
  private total = h('p', { class: 'backlog-total' });
  private chart: Chart;
  private sum = 0;

  constructor() {
    this.table = new DataTable<Band>({
      name: 'backlog', title: t('backlog_title'),
      chart: h('div', {}, this.total, h('p', { class: 'muted small note' }, t('backlog_note')), this.box),
      data: (b) => ({ from: String(b.from_days), open: String(b.open) }),
      columns: [
        { label: t('col_age'), cell: bandLabel },
        { label: t('k_open'), cell: (b) => num(b.open), num: true },
        { label: t('col_share'), cell: (b) => (this.sum > 0 ? pct(b.open / this.sum) : '—'), num: true },
      ],
    });
    this.table.el.dataset.total = '';
    this.chart = chartIn(this.box);
    // for tests and the browser's console: the chart behind the canvas
    (this.box as HTMLElement & { chart?: Chart }).chart = this.chart;
  }

  get el(): HTMLElement {
    return this.table.el;
  }

  // render shows the bands youngest first; every band is listed, empty ones too, so that the
  // table reads the same from one period to the next.
  render(backlog: Band[]): void {
    const bands = [...backlog].sort((a, b) => a.from_days - b.from_days);
    this.sum = bands.reduce((n, b) => n + b.open, 0);
    this.table.el.dataset.total = String(this.sum);
    this.total.textContent = t('backlog_total', { n: num(this.sum) });
    this.table.render(bands);
    this.box.style.height = 40 + Math.max(bands.length, 1) * 24 + 'px';
    this.chart.resize();
    this.chart.setOption({
      tooltip: {
        trigger: 'item', confine: true,
        formatter: (p: { dataIndex: number }) => {
          const b = bands[p.dataIndex];
          return b ? tip(bandLabel(b), [[t('k_open'), num(b.open)], [t('col_share'), this.sum > 0 ? pct(b.open / this.sum) : '—']]) : '';
        },
      },
      grid: { left: 8, right: 24, top: 8, bottom: 4, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: bands.map(bandLabel), inverse: true, axisLabel: { width: 96, overflow: 'truncate' } },
      series: [{
        name: t('k_open'), type: 'bar', barMaxWidth: 16,
        label: { show: true, position: 'right', fontSize: 11, formatter: (p: { value: number }) => (p.value ? num(p.value) : '') },
        data: bands.map((b) => ({ value: b.open, itemStyle: { color: bandColour(b) } })),
      }],
    }, { notMerge: true });
  }
}
