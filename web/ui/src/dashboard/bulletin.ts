// The weekly bulletin (一周一通报): one Monday-to-Sunday week of a unit, printable. Headline
// figures, each with its change since the week before ("↑1.2 个百分点", "+1.2 pts"), the five
// best and five worst units by closure rate, the units with the most overdue cases (逾期最多),
// and the categories. Printing hides the controls (style.css, @media print).
import type { Category } from '../lib/api';
import { ApiError } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { categoryName } from './breakdown';
import { addDays, isDay, today, week } from './dates';
import { num, pct } from './format';
import { byRate } from './ranking';
import { statsPath, type StatsAPI } from './stats_api';
import { DataTable } from './table';
import type { CategoryRow, Rate, ScopeUnit, Summary, UnitRow } from './types';

type Week = { from: string; to: string };

// A headline figure: a count or a rate; good says which way is better (1 up, -1 down, 0 neither)
// and colours the change.
interface Headline {
  key: 'received' | 'closed' | 'closure_rate' | 'on_time_rate' | 'mediation_success_rate' | 'settled_low_rate' | 'overdue' | 'open';
  rate?: boolean;
  good: 1 | -1 | 0;
}

const headlines: Headline[] = [
  { key: 'received', good: 0 }, { key: 'closed', good: 0 },
  { key: 'closure_rate', rate: true, good: 1 }, { key: 'on_time_rate', rate: true, good: 1 },
  { key: 'mediation_success_rate', rate: true, good: 1 }, { key: 'settled_low_rate', rate: true, good: 1 },
  { key: 'overdue', good: -1 }, { key: 'open', good: -1 },
];

export interface Change {
  delta: number | null; // counts: cases; rates: percentage points, to one decimal; null: nothing to compare
  text: string;
}

// change words a figure against the week before's. Rates are compared as shown (to one decimal
// of a percent), so that 95.1% after 93.9% reads ↑1.2 个百分点 exactly; a rate without cases to
// rate (null) in either week has no comparison.
export function change(cur: number | Rate, prev: number | Rate, rate: boolean): Change {
  if (cur === null) return { delta: null, text: t('change_none_now') };
  if (prev === null) return { delta: null, text: t('change_none') };
  const delta = rate ? (Math.round(cur * 1000) - Math.round(prev * 1000)) / 10 : cur - prev;
  if (delta === 0) return { delta: 0, text: t('change_same') };
  const v = rate ? Math.abs(delta).toFixed(1) : num(Math.abs(delta));
  return { delta, text: t((delta > 0 ? 'change_up' : 'change_down') + (rate ? '_pts' : ''), { v }) };
}

// mostOverdue is the units with overdue cases, the most first (then the most open), five at most.
export function mostOverdue(rows: UnitRow[]): UnitRow[] {
  return rows.filter((r) => r.overdue > 0)
    .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.code.localeCompare(b.code))
    .slice(0, 5);
}

function previous(w: Week): Week {
  return { from: addDays(w.from, -7), to: addDays(w.to, -7) };
}

export class Bulletin {
  readonly el: HTMLElement;
  private day = h('input', { name: 'week', type: 'date', 'aria-label': t('bulletin_week') });
  private title = h('h2', {});
  private headline = h('dl', { class: 'headline' });
  private compared = h('p', { class: 'muted small compare-note' });
  private message = h('p', { class: 'error', role: 'alert' });
  private best: DataTable<UnitRow>;
  private worst: DataTable<UnitRow>;
  private overdue: DataTable<UnitRow>;
  private cats: DataTable<CategoryRow>;
  private unit: ScopeUnit | null = null;
  private seq = 0;

  constructor(private api: StatsAPI, categories: Category[], back: () => void) {
    this.day.value = addDays(today(), -7); // last week, the one a bulletin reports on
    this.day.addEventListener('change', () => void this.load());
    const shift = (n: number) => () => {
      if (!isDay(this.day.value)) return;
      this.day.value = addDays(this.day.value, n);
      void this.load();
    };
    const unitsPath = () => this.unit && statsPath('units', this.unit.code, this.week());
    const unitColumns = [
      { label: t('col_unit'), cell: (r: UnitRow) => r.name },
      { label: t('k_received'), cell: (r: UnitRow) => num(r.received), num: true },
      { label: t('k_closed'), cell: (r: UnitRow) => num(r.closed), num: true },
      { label: t('k_closure_rate'), cell: (r: UnitRow) => pct(r.closure_rate), num: true },
      { label: t('k_overdue'), cell: (r: UnitRow) => num(r.overdue), num: true },
    ];
    this.best = new DataTable({ name: 'best', title: t('bulletin_best'), api, path: unitsPath, columns: unitColumns, key: (r) => r.code });
    this.worst = new DataTable({ name: 'worst', title: t('bulletin_worst'), api, path: unitsPath, columns: unitColumns, key: (r) => r.code });
    this.overdue = new DataTable<UnitRow>({
      name: 'overdue', title: t('bulletin_overdue'), api, path: unitsPath, key: (r) => r.code, empty: t('bulletin_no_overdue'),
      columns: [
        { label: t('col_unit'), cell: (r) => r.name },
        { label: t('k_overdue'), cell: (r) => num(r.overdue), num: true },
        { label: t('k_open'), cell: (r) => num(r.open), num: true },
        { label: t('k_received'), cell: (r) => num(r.received), num: true },
        { label: t('k_closure_rate'), cell: (r) => pct(r.closure_rate), num: true },
      ],
    });
    this.cats = new DataTable<CategoryRow>({
      name: 'bulletin-categories', title: t('categories_title'), api,
      path: () => this.unit && statsPath('categories', this.unit.code, this.week()),
      columns: [
        { label: t('col_category'), cell: (r) => categoryName(categories, r.code, r.name) },
        { label: t('k_received'), cell: (r) => num(r.received), num: true },
        { label: t('k_closed'), cell: (r) => num(r.closed), num: true },
        { label: t('k_closure_rate'), cell: (r) => pct(r.closure_rate), num: true },
        { label: t('k_overdue'), cell: (r) => num(r.overdue), num: true },
      ],
    });
    this.el = h('section', { class: 'bulletin', 'data-loaded': 'false' },
      h('div', { class: 'controls bulletin-controls' },
        h('button', { type: 'button', class: 'link', 'data-test': 'back', onclick: back }, '‹ ' + t('back_dashboard')),
        h('button', { type: 'button', class: 'small-button', 'data-test': 'prev-week', onclick: shift(-7) }, t('prev_week')),
        h('label', { class: 'inline' }, t('bulletin_week'), this.day),
        h('button', { type: 'button', class: 'small-button', 'data-test': 'next-week', onclick: shift(7) }, t('next_week')),
        h('button', { type: 'button', class: 'primary', 'data-test': 'print', onclick: () => window.print() }, t('print'))),
      this.message,
      h('header', { class: 'bulletin-head' }, this.title, this.headline, this.compared),
      h('div', { class: 'two' }, this.best.el, this.worst.el),
      h('div', { class: 'two' }, this.overdue.el, this.cats.el));
  }

  week(): Week {
    return week(isDay(this.day.value) ? this.day.value : today());
  }

  show(unit: ScopeUnit): void {
    this.unit = unit;
    void this.load();
  }

  async load(): Promise<void> {
    if (!this.unit) return;
    const unit = this.unit, w = this.week(), before = previous(w), seq = ++this.seq;
    this.el.dataset.loaded = 'false';
    this.el.dataset.from = w.from;
    this.el.dataset.to = w.to;
    this.title.textContent = t('bulletin_title', { unit: unit.name, from: w.from, to: w.to });
    try {
      const [s, p, u, c] = await Promise.all([this.api.summary(unit.code, w), this.api.summary(unit.code, before),
        this.api.units(unit.code, w), this.api.categories(unit.code, w)]);
      if (seq !== this.seq) return;
      this.message.textContent = '';
      this.render(s, p, before, u.units, c.categories);
      this.el.dataset.loaded = 'true';
    } catch (e) {
      if (seq === this.seq) this.message.textContent = e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
    }
  }

  // render shows the week's figures, each with its change since the week before: the change
  // element (dd.change) holds the raw difference (data-change: cases, or percentage points;
  // empty when there is nothing to compare) and which way it went (data-trend).
  private render(s: Summary, p: Summary, before: Week, units: UnitRow[], cats: CategoryRow[]): void {
    clear(this.headline);
    for (const k of headlines) {
      const c = change(s[k.key], p[k.key], !!k.rate);
      const trend = c.delta === null ? 'none' : c.delta > 0 ? 'up' : c.delta < 0 ? 'down' : 'same';
      const better = c.delta === null || c.delta === 0 || k.good === 0 ? null : Math.sign(c.delta) === k.good ? 'better' : 'worse';
      this.headline.append(h('div', { 'data-kpi': k.key },
        h('dt', {}, t('k_' + k.key)),
        h('dd', {}, k.rate ? pct(s[k.key]) : num(s[k.key])),
        h('dd', { class: ['change', better].filter(Boolean).join(' '), 'data-change': c.delta === null ? '' : String(c.delta),
          'data-trend': trend, 'data-before': String(p[k.key] ?? '') }, c.text)));
    }
    this.compared.textContent = t('bulletin_compare', { from: before.from, to: before.to });
    const rated = units.filter((r) => r.closure_rate !== null);
    this.best.render(byRate(rated, 1).slice(0, 5));
    this.worst.render(byRate(rated, -1).slice(0, 5));
    this.overdue.render(mostOverdue(units));
    this.cats.render([...cats].sort((a, b) => b.received - a.received || a.code.localeCompare(b.code)));
  }
}
