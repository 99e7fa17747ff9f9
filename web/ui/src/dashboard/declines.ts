// Cases declined again and again (反复退单): GET /api/stats/declines, the cases of the period that
// centres declined (退单) twice or more, most declined first, with how many there are in all
// (data-count). A case declined twice is bouncing between centres: the county wants to see it.
import { api } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { categoryName } from './breakdown';
import { num } from './format';
import { statsPath } from './stats_api';
import type { Category } from '../lib/api';
import type { Filters } from './types';

interface DeclinedCase {
  id: number;
  declines: number;
  state: string;
  unit_name: string;
  category: string;
  opened_on: string;
}

export class DeclinesView {
  readonly el = h('section', { class: 'card declines', 'data-test': 'declines', 'data-count': '' });
  private count = h('strong', { class: 'declines-count' }, '—');
  private list = h('ol', { class: 'declines-list' });

  constructor(private token: string, private cats: Category[]) {
    this.el.append(h('div', { class: 'card-head' }, h('h3', {}, t('declines_title')), this.count),
      h('p', { class: 'muted small note' }, t('declines_note')), this.list);
  }

  async load(unit: string, f: Partial<Filters>): Promise<void> {
    const res = await api<{ count: number; cases: DeclinedCase[] }>('GET', statsPath('declines', unit, f, { min: '2' }), this.token);
    this.el.dataset.count = String(res.count);
    this.count.textContent = t('declines_count', { n: num(res.count) });
    this.list.replaceChildren(...(res.cases.length === 0 ? [h('li', { class: 'muted' }, t('declines_none'))]
      : res.cases.map((c) => h('li', { 'data-case-id': c.id },
        h('span', { class: 'case-no' }, '#' + c.id), ' ',
        h('span', {}, c.unit_name), ' · ', h('span', {}, categoryName(this.cats, c.category, c.category)), ' · ',
        h('strong', {}, t('declines_times', { n: c.declines })), ' · ',
        h('span', { class: 'muted' }, t('state_' + c.state))))));
  }
}
