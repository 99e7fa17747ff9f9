// The filters: the period of received cases (this week, this month, the last 30 days, this
// year, or two dates), the category, and the trend's step (week or month).
import type { Category } from '../lib/api';
import { h } from '../lib/dom';
import { currentLang, t } from '../lib/i18n';
import { isDay, period, today, type PeriodKind } from './dates';
import type { Filters } from './types';

const kinds: PeriodKind[] = ['week', 'month', 'days30', 'year', 'custom'];

export class FilterBar {
  readonly el: HTMLElement;
  private kind = h('select', { name: 'period' }, kinds.map((k) => h('option', { value: k }, t('period_' + k))));
  private from = h('input', { name: 'from', type: 'date' });
  private to = h('input', { name: 'to', type: 'date' });
  private category: HTMLSelectElement;
  private by = h('select', { name: 'by' }, h('option', { value: 'week' }, t('by_week')), h('option', { value: 'month' }, t('by_month')));
  private dates = h('span', { class: 'dates' });
  private message = h('span', { class: 'error small', role: 'alert' });
  value: Filters;

  constructor(categories: Category[], private changed: (f: Filters) => void) {
    this.category = h('select', { name: 'category' }, h('option', { value: '' }, t('all_categories')),
      categories.map((c) => h('option', { value: c.code }, currentLang() === 'en' ? c.name_en : c.name_zh)));
    // the last 30 days by default: "this month" is nearly empty on the 2nd
    this.kind.value = 'days30';
    const p = period('days30');
    this.from.value = p.from;
    this.to.value = p.to;
    this.value = { ...p, category: '', by: 'week' };
    this.dates.append(h('label', {}, t('from'), this.from), h('label', {}, t('to'), this.to));
    this.dates.hidden = true;
    for (const c of [this.kind, this.from, this.to, this.category, this.by]) c.addEventListener('change', () => this.read());
    this.el = h('div', { class: 'filters controls' },
      h('label', {}, t('period'), this.kind), this.dates,
      h('label', {}, t('category'), this.category),
      h('label', {}, t('trend_by'), this.by), this.message);
  }

  // read takes the controls' values; a named period is recomputed each time, so a dashboard
  // left open over midnight moves with the day.
  private read(): void {
    const kind = this.kind.value as PeriodKind;
    this.dates.hidden = kind !== 'custom';
    let from = this.from.value, to = this.to.value;
    if (kind !== 'custom') {
      ({ from, to } = period(kind));
      this.from.value = from;
      this.to.value = to;
    } else if (!isDay(from) || !isDay(to) || from > to) {
      this.message.textContent = t('bad_dates');
      return;
    }
    this.message.textContent = '';
    this.value = { from, to, category: this.category.value, by: this.by.value === 'month' ? 'month' : 'week' };
    this.changed(this.value);
  }

  // current is the filters now (a named period ending today).
  current(): Filters {
    const kind = this.kind.value as PeriodKind;
    if (kind !== 'custom' && this.value.to !== today()) {
      const p = period(kind);
      this.value = { ...this.value, ...p };
      this.from.value = p.from;
      this.to.value = p.to;
    }
    return this.value;
  }
}
