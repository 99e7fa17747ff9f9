// The weekly bulletin (一周一通报): one Monday-to-Sunday week of a unit, printable. Headline
// figures, the five best and five worst units by closure rate with their overdue cases, and
// the categories. Printing hides the controls (style.css, @media print).
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
import type { CategoryRow, ScopeUnit, Summary, UnitRow } from './types';

export class Bulletin {
  readonly el: HTMLElement;
  private day = h('input', { name: 'week', type: 'date', 'aria-label': t('bulletin_week') });
  private title = h('h2', {});
  private headline = h('dl', { class: 'headline' });
  private message = h('p', { class: 'error', role: 'alert' });
  private best: DataTable<UnitRow>;
  private worst: DataTable<UnitRow>;
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
      h('header', { class: 'bulletin-head' }, this.title, this.headline),
      h('div', { class: 'two' }, this.best.el, this.worst.el),
      this.cats.el);
  }

  week(): { from: string; to: string } {
    return week(isDay(this.day.value) ? this.day.value : today());
  }

  show(unit: ScopeUnit): void {
    this.unit = unit;
    void this.load();
  }

  async load(): Promise<void> {
    if (!this.unit) return;
    const unit = this.unit, w = this.week(), seq = ++this.seq;
    this.el.dataset.loaded = 'false';
    this.el.dataset.from = w.from;
    this.el.dataset.to = w.to;
    this.title.textContent = t('bulletin_title', { unit: unit.name, from: w.from, to: w.to });
    try {
      const [s, u, c] = await Promise.all([this.api.summary(unit.code, w), this.api.units(unit.code, w), this.api.categories(unit.code, w)]);
      if (seq !== this.seq) return;
      this.message.textContent = '';
      this.render(s, u.units, c.categories);
      this.el.dataset.loaded = 'true';
    } catch (e) {
      if (seq === this.seq) this.message.textContent = e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
    }
  }

  private render(s: Summary, units: UnitRow[], cats: CategoryRow[]): void {
    clear(this.headline);
    const items: [string, string][] = [
      ['received', num(s.received)], ['closed', num(s.closed)], ['closure_rate', pct(s.closure_rate)],
      ['on_time_rate', pct(s.on_time_rate)], ['mediation_success_rate', pct(s.mediation_success_rate)],
      ['settled_low_rate', pct(s.settled_low_rate)], ['overdue', num(s.overdue)], ['open', num(s.open)],
    ];
    for (const [k, v] of items) this.headline.append(h('div', { 'data-kpi': k }, h('dt', {}, t('k_' + k)), h('dd', {}, v)));
    const rated = units.filter((r) => r.closure_rate !== null);
    this.best.render(byRate(rated, 1).slice(0, 5));
    this.worst.render(byRate(rated, -1).slice(0, 5));
    this.cats.render([...cats].sort((a, b) => b.received - a.received || a.code.localeCompare(b.code)));
  }
}
