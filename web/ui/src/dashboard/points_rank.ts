// 积分排名 (#points): the points grid workers earned below the unit shown, per worker, grid,
// village or township, for a month, a quarter or a year, by total or per worker (units differ in
// size), ties ranked equal (GET /api/points/ranking, docs/points-market.md); the year's summary
// per worker (年度汇总, GET /api/points/summary); each downloadable as an Excel workbook.
import { ApiError, api } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { num } from './format';
import type { StatsAPI } from './stats_api';
import { DataTable } from './table';
import type { ScopeUnit } from './types';

export interface PointsRow {
  rank: number;
  code: string;
  name: string;
  member_id?: number;
  grid_name?: string;
  points: number;
  workers: number;
  per_capita: number | null;
}

interface Ranking { level: string; label: string; per_capita: boolean; rows: PointsRow[] }
interface YearRow { member_id: number; name: string; grid_name: string; earned_total: number; lost: number; spent: number; balance: number }
interface YearSummary { year: number; rows: YearRow[]; totals: YearRow }

const levels = ['worker', 'grid', 'village', 'township'] as const;
const levelLength: Record<string, number> = { worker: 99, grid: 15, village: 12, township: 9 };

function thisMonth(): string {
  const d = new Date(Date.now() + 8 * 3600_000); // the county's month (Asia/Shanghai)
  return d.toISOString().slice(0, 7);
}

export class PointsRankView {
  readonly el: HTMLElement;
  private unit: ScopeUnit | null = null;
  private level = h('select', { name: 'level', 'aria-label': t('points_level') });
  private period = h('select', { name: 'period', 'aria-label': t('points_period') },
    ['month', 'quarter', 'year'].map((p) => h('option', { value: p }, t('points_period_' + p))));
  private month = h('input', { type: 'month', name: 'month', value: thisMonth(), 'aria-label': t('points_month') });
  private perCapita = h('input', { type: 'checkbox', name: 'per_capita' });
  private perCapitaLabel = h('label', { class: 'check' }, this.perCapita, t('points_per_capita'));
  private note = h('p', { class: 'error', role: 'alert' });
  private title = h('h2', {});
  private table: DataTable<PointsRow>;
  private year: DataTable<YearRow>;
  private seq = 0;

  constructor(private statsApi: StatsAPI, private token: string, back: () => void) {
    const onChange = () => void this.load();
    for (const el of [this.level, this.period, this.month, this.perCapita]) el.addEventListener('change', onChange);
    const excel = (name: string, path: () => string, file: string) => h('button', { type: 'button', class: 'small-button', 'data-export': name,
      onclick: async () => {
        this.note.textContent = '';
        try {
          await this.statsApi.download(path(), file);
        } catch (e) {
          this.note.textContent = e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
        }
      } }, t(name === 'ranking' ? 'points_export_ranking' : 'points_export_year'));
    this.table = new DataTable<PointsRow>({ name: 'points-ranking', title: t('points_title'), columns: [
      { label: t('points_col_rank'), cell: (r) => String(r.rank), num: true },
      { label: t('points_col_name'), cell: (r) => r.name || r.code },
      { label: t('points_col_where'), cell: (r) => (r.member_id ? r.grid_name ?? '' : r.code) },
      { label: t('points_col_points'), cell: (r) => num(r.points), num: true },
      { label: t('points_col_workers'), cell: (r) => (r.member_id ? '' : num(r.workers)), num: true },
      { label: t('points_col_per_capita'), cell: (r) => (r.per_capita === null || r.member_id ? '—' : r.per_capita.toFixed(1)), num: true },
    ], key: (r) => (r.member_id ? String(r.member_id) : r.code), data: (r) => ({ rank: String(r.rank), points: String(r.points) }),
    empty: t('points_none'), tools: [excel('ranking', () => this.path('ranking.xlsx'), 'points-ranking.xlsx')] });
    this.year = new DataTable<YearRow>({ name: 'points-year', title: t('points_year_title'), columns: [
      { label: t('points_col_name'), cell: (r) => r.name },
      { label: t('points_col_where'), cell: (r) => r.grid_name },
      { label: t('points_col_earned'), cell: (r) => num(r.earned_total), num: true },
      { label: t('points_col_lost'), cell: (r) => num(r.lost), num: true },
      { label: t('points_col_spent'), cell: (r) => num(r.spent), num: true },
      { label: t('points_col_balance'), cell: (r) => num(r.balance), num: true },
    ], key: (r) => String(r.member_id), empty: t('points_none'),
    tools: [excel('year', () => `/api/points/summary.xlsx?unit=${this.unit?.code ?? ''}&year=${this.month.value.slice(0, 4)}`, 'points-summary.xlsx')] });
    this.el = h('section', { class: 'points-rank', 'data-test': 'points-rank', hidden: true },
      h('div', { class: 'points-head' }, this.title,
        h('div', { class: 'controls' },
          h('button', { type: 'button', class: 'small-button', 'data-test': 'points-audit', onclick: () => {
            location.hash = '#audit'; // 月度审核 (points_audit.ts)
          } }, t('audit_button')),
          h('button', { type: 'button', class: 'small-button', 'data-test': 'points-back', onclick: back }, t('points_back')))),
      h('div', { class: 'filters points-filters' },
        h('label', { class: 'field' }, t('points_level'), this.level), h('label', { class: 'field' }, t('points_period'), this.period),
        h('label', { class: 'field' }, t('points_month'), this.month), this.perCapitaLabel),
      this.note, this.table.el, this.year.el);
  }

  show(unit: ScopeUnit): void {
    const changed = this.unit?.code !== unit.code;
    this.unit = unit;
    if (changed) {
      const keep = this.level.value;
      this.level.replaceChildren(...levels.filter((l) => levelLength[l] > unit.code.length)
        .map((l) => h('option', { value: l }, t('points_level_' + l))));
      this.level.value = [...this.level.options].some((o) => o.value === keep) ? keep : 'worker';
    }
    this.title.textContent = t('points_heading', { unit: unit.name });
    void this.load();
  }

  private path(route: string): string {
    const q = new URLSearchParams({ unit: this.unit?.code ?? '', level: this.level.value, period: this.period.value, month: this.month.value || thisMonth() });
    if (this.perCapita.checked && this.level.value !== 'worker') q.set('per_capita', '1');
    return `/api/points/${route}?${q.toString()}`;
  }

  private async load(): Promise<void> {
    if (!this.unit) return;
    this.perCapitaLabel.hidden = this.level.value === 'worker';
    const seq = ++this.seq;
    this.el.dataset.loaded = 'false';
    try {
      const [rk, year] = await Promise.all([api<Ranking>('GET', this.path('ranking'), this.token),
        api<YearSummary>('GET', `/api/points/summary?unit=${this.unit.code}&year=${(this.month.value || thisMonth()).slice(0, 4)}`, this.token)]);
      if (seq !== this.seq) return;
      this.note.textContent = '';
      this.table.render(rk.rows);
      this.year.render(year.rows);
      this.el.dataset.loaded = 'true';
      this.el.dataset.label = rk.label;
    } catch (e) {
      if (seq !== this.seq) return;
      this.note.textContent = e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
    }
  }
}
