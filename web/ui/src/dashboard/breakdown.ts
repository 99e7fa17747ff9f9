// The breakdowns by category (GET /api/stats/categories) and by tier (the summary's tiers, as
// GET /api/stats/tiers exports them): each a table with a small bar chart.
import type { Category } from '../lib/api';
import { h } from '../lib/dom';
import { currentLang, t } from '../lib/i18n';
import { chartIn, colours, tip, type Chart } from './charts';
import { bin, num, pct } from './format';
import type { StatsAPI } from './stats_api';
import { DataTable } from './table';
import type { CategoryRow, TierRow } from './types';

// bars draws received and closed side by side, one pair per row, names along a vertical axis.
// The tooltip is built as elements (tip): ECharts' own is an HTML string with inline styles,
// which the page's CSP refuses.
function bars(chart: Chart, names: string[], series: [string, string, number[]][]): void {
  chart.setOption({
    tooltip: {
      trigger: 'axis', confine: true, axisPointer: { type: 'shadow' },
      formatter: (ps: { name: string; seriesName: string; value: number }[]) =>
        tip(ps[0]?.name ?? '', ps.map((p): [string, string] => [p.seriesName, num(p.value)])),
    },
    legend: { top: 0, itemWidth: 14, textStyle: { fontSize: 12 } },
    grid: { left: 8, right: 16, top: 28, bottom: 4, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: { width: 96, overflow: 'truncate' } },
    series: series.map(([name, color, data]) => ({ name, type: 'bar', data, itemStyle: { color } })),
  });
}

export function categoryName(cats: Category[], code: string, fallback: string): string {
  const c = cats.find((x) => x.code === code);
  if (!c) return fallback || code;
  return currentLang() === 'en' ? c.name_en : c.name_zh;
}

export class CategoryBreakdown {
  readonly table: DataTable<CategoryRow>;
  private box = h('div', { class: 'chart small-chart' });
  private chart: Chart;

  constructor(api: StatsAPI, path: () => string | null, private cats: Category[]) {
    const name = (r: CategoryRow) => categoryName(this.cats, r.code, r.name);
    this.table = new DataTable<CategoryRow>({
      name: 'categories', title: t('categories_title'), api, path, chart: this.box, key: (r) => r.code,
      data: (r) => ({ group: r.group }),
      columns: [
        { label: t('col_category'), cell: name },
        { label: t('k_received'), cell: (r) => num(r.received), num: true },
        { label: t('k_closed'), cell: (r) => num(r.closed), num: true },
        { label: t('k_closure_rate'), cell: (r) => pct(r.closure_rate), num: true },
        { label: t('k_on_time_rate'), cell: (r) => pct(r.on_time_rate), num: true },
        // 调解成功率 is a dispute's figure: "—" for the other groups, whatever their outcomes say
        { label: t('k_mediation_success_rate'), cell: (r) => (r.group === 'dispute' ? pct(r.mediation_success_rate) : '—'), num: true },
        { label: t('k_open'), cell: (r) => num(r.open), num: true },
        { label: t('k_overdue'), cell: (r) => num(r.overdue), num: true },
      ],
    });
    this.chart = chartIn(this.box);
  }

  get el(): HTMLElement {
    return this.table.el;
  }

  render(rows: CategoryRow[]): void {
    const sorted = [...rows].sort((a, b) => b.received - a.received || a.code.localeCompare(b.code));
    this.table.render(sorted);
    const top = sorted.slice(0, 8);
    this.box.style.height = 60 + top.length * 30 + 'px';
    this.chart.resize();
    bars(this.chart, top.map((r) => categoryName(this.cats, r.code, r.name)),
      [[t('k_received'), colours.received, top.map((r) => r.received)], [t('k_closed'), colours.closed, top.map((r) => r.closed)]]);
  }
}

export class TierBreakdown {
  readonly table: DataTable<TierRow>;
  private box = h('div', { class: 'chart small-chart' });
  private chart: Chart;

  constructor(api: StatsAPI, path: () => string | null) {
    this.table = new DataTable<TierRow>({
      name: 'tiers', title: t('tiers_title'), api, path, chart: this.box,
      columns: [
        { label: t('col_tier'), cell: (r) => t('tier_' + r.tier) },
        { label: t('col_arrived'), cell: (r) => num(r.arrived), num: true },
        { label: t('col_escalated'), cell: (r) => num(r.escalated), num: true },
        { label: t('col_escalation_rate'), cell: (r) => pct(r.escalation_rate), num: true },
        { label: t('k_closed'), cell: (r) => num(r.closed), num: true },
        { label: t('col_on_time'), cell: (r) => num(r.on_time), num: true },
        { label: t('col_mediated'), cell: (r) => num(r.mediated), num: true },
        { label: t('k_open'), cell: (r) => num(r.open), num: true },
        { label: t('k_overdue'), cell: (r) => num(r.overdue), num: true },
        { label: t('k_median'), cell: (r) => bin(r.median) },
      ],
    });
    this.chart = chartIn(this.box);
  }

  get el(): HTMLElement {
    return this.table.el;
  }

  // render shows the tiers from the grid up, where a case starts, to the county.
  render(rows: TierRow[]): void {
    const sorted = [...rows].sort((a, b) => b.tier - a.tier);
    this.table.render(sorted);
    this.box.style.height = 60 + sorted.length * 30 + 'px';
    this.chart.resize();
    bars(this.chart, sorted.map((r) => t('tier_' + r.tier)), [
      [t('col_arrived'), colours.received, sorted.map((r) => r.arrived)],
      [t('k_closed'), colours.closed, sorted.map((r) => r.closed)],
      [t('col_escalated'), colours.rate, sorted.map((r) => r.escalated)]]);
  }
}
