// The trend: cases received and closed per week or month (bars) and the closure rate (a line),
// with its table and files (GET /api/stats/trend). Every week or month of the period is a point,
// empty ones too (the server fills them); a period not over yet ("本月至今") or cut by the
// period's first day is drawn lighter, its rate dashed, so that it does not read as a plunge.
import { t } from '../lib/i18n';
import { h } from '../lib/dom';
import { chartIn, colours, tip, type Chart } from './charts';
import { num, pct, shortDay } from './format';
import type { StatsAPI } from './stats_api';
import { DataTable } from './table';
import type { Trend, TrendPoint } from './types';

function label(p: TrendPoint, by: Trend['by']): string {
  if (p.current) return t(by === 'month' ? 'month_to_date' : 'week_to_date');
  return by === 'month' ? p.period.slice(0, 7) : shortDay(p.from);
}

// rate is a point's closure rate in percent, one decimal.
function rate(p: TrendPoint): number | null {
  return p.closure_rate === null ? null : Math.round(p.closure_rate * 1000) / 10;
}

// faint: the colour of an incomplete period's bar.
const faint = 0.4;

export class TrendView {
  readonly table: DataTable<TrendPoint>;
  private box = h('div', { class: 'chart trend-chart' });
  private chart: Chart;
  private by: Trend['by'] = 'week';

  constructor(api: StatsAPI, path: () => string | null) {
    this.table = new DataTable<TrendPoint>({
      name: 'trend', title: t('trend_title'), api, path, chart: this.box,
      columns: [
        { label: t('col_period'), cell: (p) => (p.from === p.to ? p.from : p.from + ' – ' + p.to) + (p.current ? '（' + label(p, this.by) + '）' : '') },
        { label: t('k_received'), cell: (p) => num(p.received), num: true },
        { label: t('k_closed'), cell: (p) => num(p.closed), num: true },
        { label: t('k_closure_rate'), cell: (p) => pct(p.closure_rate), num: true },
        { label: t('k_on_time_rate'), cell: (p) => pct(p.on_time_rate), num: true },
      ],
    });
    this.chart = chartIn(this.box);
  }

  get el(): HTMLElement {
    return this.table.el;
  }

  render(tr: Trend): void {
    this.by = tr.by;
    const pts = tr.points;
    this.table.render(pts);
    // the rate line: solid between whole periods, dashed into and out of an incomplete one
    const whole = pts.map((p) => (p.partial ? null : rate(p)));
    const dashed = pts.map((p, i) => (p.partial || pts[i - 1]?.partial || pts[i + 1]?.partial ? rate(p) : null));
    const bar = (p: TrendPoint, value: number, color: string) =>
      ({ value, itemStyle: p.partial ? { color, opacity: faint, borderType: 'dashed', borderColor: color, borderWidth: 1 } : { color } });
    this.chart.setOption({
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: (ps: { dataIndex: number }[]) => {
          const p = pts[ps[0]?.dataIndex ?? 0];
          return p ? tip(p.from + ' – ' + p.to + (p.partial ? '（' + t('partial_period') + '）' : ''), [[t('k_received'), num(p.received)],
            [t('k_closed'), num(p.closed)], [t('k_closure_rate'), pct(p.closure_rate)]]) : '';
        },
      },
      legend: { top: 0, itemWidth: 14, textStyle: { fontSize: 12 }, data: [t('k_received'), t('k_closed'), t('k_closure_rate')] },
      grid: { left: 8, right: 8, top: 30, bottom: 4, containLabel: true },
      xAxis: { type: 'category', data: pts.map((p) => label(p, this.by)), axisLabel: { hideOverlap: true, fontSize: 11 } },
      yAxis: [{ type: 'value', minInterval: 1 }, { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' }, splitLine: { show: false } }],
      series: [
        { name: t('k_received'), type: 'bar', data: pts.map((p) => bar(p, p.received, colours.received)), itemStyle: { color: colours.received } },
        { name: t('k_closed'), type: 'bar', data: pts.map((p) => bar(p, p.closed, colours.closed)), itemStyle: { color: colours.closed } },
        { name: t('k_closure_rate'), type: 'line', yAxisIndex: 1, itemStyle: { color: colours.rate }, connectNulls: false, data: whole },
        { name: t('k_closure_rate'), type: 'line', yAxisIndex: 1, itemStyle: { color: colours.rate, opacity: 0.6 },
          lineStyle: { type: 'dashed', opacity: 0.6 }, symbol: 'emptyCircle', connectNulls: false, data: dashed },
      ],
    }, { replaceMerge: ['series'] });
  }
}
