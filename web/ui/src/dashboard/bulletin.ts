// The weekly bulletin (一周一通报): one Monday-to-Sunday week of a unit, as the document the
// server builds (GET /api/stats/bulletin, docs/stats-api.md): the issuing office, the number and
// the date; the title and the week; the headline figures, each with its change since the week
// before ("↑1.2 个百分点", "+1.2 pts"); the summary paragraph; the five best and five worst
// units by closure rate (of those with the county's minimum of cases, as the note under them
// says), the units with the most overdue cases (逾期最多) and the categories. "下载 PDF" fetches
// the server's PDF of the same bulletin; printing lays it out on A4 (style.css, @media print).
import { ApiError } from '../lib/api';
import { clear, h } from '../lib/dom';
import { currentLang, t } from '../lib/i18n';
import { addDays, isDay, today, week } from './dates';
import { num, pct } from './format';
import { statsPath, type StatsAPI } from './stats_api';
import { DataTable } from './table';
import type { Rate } from './types';
import type { PointsRow } from './points_rank';

type Week = { from: string; to: string };

// The bulletin as the server sends it.
export interface BulletinFigure {
  key: string;
  rate: boolean;
  good: 1 | -1 | 0; // which way is better: 1 up, -1 down, 0 neither
  value: number | null;
  before: number | null;
  change: number | null; // cases, or percentage points to one decimal; null: nothing to compare
}

export interface BulletinRow {
  code: string;
  name: string;
  received: number;
  closed: number;
  closure_rate: Rate;
  open: number;
  overdue: number;
  rank?: number; // among the ranked units; 0: not ranked
}

export interface BulletinDoc {
  unit: { code: string; name: string; level: number };
  office: string;
  title: string;
  number: string;
  date: string;
  date_text: string;
  from: string;
  to: string;
  period: string;
  before: Week;
  figures: BulletinFigure[];
  summary: string;
  ranking_min_cases: number;
  ranked: number;
  unranked: number;
  ranking_note: string;
  best: BulletinRow[];
  worst: BulletinRow[];
  most_overdue: BulletinRow[];
  categories: BulletinRow[];
  points?: { month: string; so_far: boolean; top: PointsRow[]; heading: string; note: string }; // 积分 (issue 17)
}

export interface Change {
  delta: number | null; // counts: cases; rates: percentage points, to one decimal; null: nothing to compare
  text: string;
}

// change words a figure against the week before's. Rates are compared as shown (to one decimal
// of a percent), so that 95.1% after 93.9% reads ↑1.2 个百分点 exactly, as the server does; a
// rate without cases to rate (null) in either week has no comparison.
export function change(cur: number | Rate, prev: number | Rate, rate: boolean): Change {
  if (cur === null) return { delta: null, text: t('change_none_now') };
  if (prev === null) return { delta: null, text: t('change_none') };
  const delta = rate ? (Math.round(cur * 1000) - Math.round(prev * 1000)) / 10 : cur - prev;
  if (delta === 0) return { delta: 0, text: t('change_same') };
  const v = rate ? Math.abs(delta).toFixed(1) : num(Math.abs(delta));
  return { delta, text: t((delta > 0 ? 'change_up' : 'change_down') + (rate ? '_pts' : ''), { v }) };
}

export function bulletinPath(unit: string, day: string, format?: 'pdf'): string {
  const q = new URLSearchParams({ unit, week: day });
  if (currentLang() === 'en') q.set('lang', 'en');
  if (format) q.set('format', format);
  return '/api/stats/bulletin?' + q.toString();
}

export class Bulletin {
  readonly el: HTMLElement;
  private day = h('input', { name: 'week', type: 'date', 'aria-label': t('bulletin_week') });
  private office = h('p', { class: 'bulletin-office', 'data-test': 'office' });
  private number = h('span', { 'data-test': 'number' });
  private date = h('span', { 'data-test': 'date' });
  private title = h('h2', {});
  private period = h('p', { class: 'bulletin-period muted' });
  private headline = h('dl', { class: 'headline' });
  private compared = h('p', { class: 'muted small compare-note' });
  private summary = h('p', { class: 'bulletin-summary', 'data-test': 'summary' });
  private rankingNote = h('p', { class: 'muted small bulletin-note', 'data-test': 'ranking-note' });
  private message = h('p', { class: 'error', role: 'alert' });
  private pdf: HTMLButtonElement;
  private best: DataTable<BulletinRow>;
  private worst: DataTable<BulletinRow>;
  private overdue: DataTable<BulletinRow>;
  private cats: DataTable<BulletinRow>;
  private points: DataTable<PointsRow>; // the month's best workers by points (bulletin_points.go)
  private pointsNote = h('p', { class: 'muted small bulletin-note', 'data-test': 'points-note' });
  private unit: { code: string; name: string } | null = null;
  private doc: BulletinDoc | null = null;
  private seq = 0;

  // The server names the categories in the bulletin: the board's list (the second argument)
  // is not needed.
  constructor(private api: StatsAPI, _categories: unknown, back: () => void) {
    this.day.value = addDays(today(), -7); // last week, the one a bulletin reports on
    this.day.addEventListener('change', () => void this.load());
    const shift = (n: number) => () => {
      if (!isDay(this.day.value)) return;
      this.day.value = addDays(this.day.value, n);
      void this.load();
    };
    const unitsPath = () => this.unit && statsPath('units', this.unit.code, this.week());
    const rankColumns = [
      { label: t('col_rank'), cell: (r: BulletinRow) => (r.rank ? String(r.rank) : '—'), num: true },
      { label: t('col_unit'), cell: (r: BulletinRow) => r.name },
      { label: t('k_received'), cell: (r: BulletinRow) => num(r.received), num: true },
      { label: t('k_closed'), cell: (r: BulletinRow) => num(r.closed), num: true },
      { label: t('k_closure_rate'), cell: (r: BulletinRow) => pct(r.closure_rate), num: true },
      { label: t('k_overdue'), cell: (r: BulletinRow) => num(r.overdue), num: true },
    ];
    const key = (r: BulletinRow) => r.code;
    this.best = new DataTable({ name: 'best', title: t('bulletin_best'), api, path: unitsPath, columns: rankColumns, key,
      empty: t('bulletin_none_ranked') });
    this.worst = new DataTable({ name: 'worst', title: t('bulletin_worst'), api, path: unitsPath, columns: rankColumns, key,
      empty: t('bulletin_none_worst') });
    this.overdue = new DataTable<BulletinRow>({
      name: 'overdue', title: t('bulletin_overdue'), api, path: unitsPath, key, empty: t('bulletin_no_overdue'),
      columns: [
        { label: t('col_unit'), cell: (r) => r.name },
        { label: t('k_overdue'), cell: (r) => num(r.overdue), num: true },
        { label: t('k_open'), cell: (r) => num(r.open), num: true },
        { label: t('k_received'), cell: (r) => num(r.received), num: true },
        { label: t('k_closure_rate'), cell: (r) => pct(r.closure_rate), num: true },
      ],
    });
    this.cats = new DataTable<BulletinRow>({
      name: 'bulletin-categories', title: t('categories_title'), api, key, empty: t('bulletin_no_cases'),
      path: () => this.unit && statsPath('categories', this.unit.code, this.week()),
      columns: [
        { label: t('col_category'), cell: (r) => r.name },
        { label: t('k_received'), cell: (r) => num(r.received), num: true },
        { label: t('k_closed'), cell: (r) => num(r.closed), num: true },
        { label: t('k_closure_rate'), cell: (r) => pct(r.closure_rate), num: true },
        { label: t('k_overdue'), cell: (r) => num(r.overdue), num: true },
      ],
    });
    this.points = new DataTable<PointsRow>({ name: 'bulletin-points', title: t('bulletin_points'), key: (r) => String(r.member_id),
      empty: t('points_none'), columns: [
        { label: t('points_col_rank'), cell: (r) => String(r.rank), num: true },
        { label: t('points_col_name'), cell: (r) => r.name },
        { label: t('points_col_where'), cell: (r) => r.grid_name ?? '' },
        { label: t('points_col_points'), cell: (r) => num(r.points), num: true },
      ] });
    this.pdf = h('button', { type: 'button', class: 'small-button', 'data-test': 'pdf', onclick: () => void this.downloadPDF() },
      t('bulletin_pdf'));
    this.el = h('section', { class: 'bulletin', 'data-loaded': 'false' },
      h('div', { class: 'controls bulletin-controls' },
        h('button', { type: 'button', class: 'link', 'data-test': 'back', onclick: back }, '‹ ' + t('back_dashboard')),
        h('button', { type: 'button', class: 'small-button', 'data-test': 'prev-week', onclick: shift(-7) }, t('prev_week')),
        h('label', { class: 'inline' }, t('bulletin_week'), this.day),
        h('button', { type: 'button', class: 'small-button', 'data-test': 'next-week', onclick: shift(7) }, t('next_week')),
        h('button', { type: 'button', class: 'primary', 'data-test': 'print', onclick: () => window.print() }, t('print')),
        this.pdf),
      this.message,
      h('article', { class: 'bulletin-doc' },
        h('header', { class: 'bulletin-head' }, this.office,
          h('div', { class: 'bulletin-issue' }, this.number, this.date),
          this.title, this.period, this.headline, this.compared),
        this.summary,
        h('div', { class: 'two bulletin-tables' }, this.best.el, this.worst.el),
        this.rankingNote,
        h('div', { class: 'two bulletin-tables' }, this.overdue.el, this.cats.el),
        this.points.el, this.pointsNote));
  }

  week(): Week {
    return week(isDay(this.day.value) ? this.day.value : today());
  }

  show(unit: { code: string; name: string }): void {
    this.unit = unit;
    void this.load();
  }

  async load(): Promise<void> {
    if (!this.unit) return;
    const unit = this.unit, w = this.week(), seq = ++this.seq;
    this.el.dataset.loaded = 'false';
    this.el.dataset.from = w.from;
    this.el.dataset.to = w.to;
    try {
      const doc = await this.api.bulletin<BulletinDoc>(bulletinPath(unit.code, w.from));
      if (seq !== this.seq) return;
      this.message.textContent = '';
      this.render(doc);
      this.el.dataset.loaded = 'true';
    } catch (e) {
      if (seq === this.seq) this.message.textContent = e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
    }
  }

  private async downloadPDF(): Promise<void> {
    if (!this.unit) return;
    this.message.textContent = '';
    this.pdf.disabled = true;
    try {
      await this.api.download(bulletinPath(this.unit.code, this.week().from, 'pdf'), 'bulletin.pdf');
    } catch (e) {
      this.message.textContent = e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
    } finally {
      this.pdf.disabled = false;
    }
  }

  // render shows the server's bulletin. Each headline's change element (dd.change) holds the
  // raw difference (data-change: cases, or percentage points; empty when there is nothing to
  // compare) and which way it went (data-trend).
  private render(d: BulletinDoc): void {
    this.doc = d;
    this.office.textContent = d.office;
    this.number.textContent = d.number;
    this.date.textContent = d.date_text;
    this.title.textContent = d.title;
    this.period.textContent = t('bulletin_period', { unit: d.unit.name, period: d.period });
    this.summary.textContent = d.summary;
    this.rankingNote.textContent = d.ranking_note;
    clear(this.headline);
    for (const f of d.figures) {
      const c = change(f.value, f.before, f.rate);
      const trend = c.delta === null ? 'none' : c.delta > 0 ? 'up' : c.delta < 0 ? 'down' : 'same';
      const better = c.delta === null || c.delta === 0 || f.good === 0 ? null : Math.sign(c.delta) === f.good ? 'better' : 'worse';
      this.headline.append(h('div', { 'data-kpi': f.key },
        h('dt', {}, t('k_' + f.key)),
        h('dd', {}, f.rate ? pct(f.value) : num(f.value)),
        h('dd', { class: ['change', better].filter(Boolean).join(' '), 'data-change': c.delta === null ? '' : String(c.delta),
          'data-trend': trend, 'data-before': String(f.before ?? '') }, c.text)));
    }
    this.compared.textContent = t('bulletin_compare', { from: d.before.from, to: d.before.to });
    this.best.render(d.best);
    this.worst.render(d.worst);
    this.overdue.render(d.most_overdue);
    this.cats.render(d.categories);
    this.points.el.hidden = this.pointsNote.hidden = !d.points;
    if (d.points) {
      this.points.render(d.points.top ?? []);
      this.pointsNote.textContent = d.points.heading + (currentLang() === 'en' ? '. ' : '。') + d.points.note;
    }
  }

  // current is the bulletin shown, for tests and the board.
  current(): BulletinDoc | null {
    return this.doc;
  }
}
