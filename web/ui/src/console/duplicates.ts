// 并单 (docs/console.md): the case page's card of possible duplicates (可能重复 N) with merge and
// distinct, and the queue's counts. Only the case's centre gets them; anyone else is answered
// 403 and sees nothing.
import { api, ApiError, type Session } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { errorText } from './actions';
import { categoryName, fullTime, stateName } from './format';
import type { CasePage } from './types';

interface Duplicate {
  id: number;
  state: string;
  version: number;
  category: string;
  description: string;
  received_at: string;
  metres: number;
  unit_name: string;
}

interface Duplicates {
  metres: number;
  hours: number;
  duplicates: Duplicate[];
}

export class DuplicatePanel {
  readonly el = h('section', { class: 'duplicates card', 'data-test': 'duplicates', hidden: true });
  private loading = 0;
  private busy = false;
  private message = h('p', { class: 'action-message', role: 'alert' });

  // acted: a merge or a distinct mark went through; the page reloads.
  constructor(private session: Session, private acted: () => void) {}

  // show loads the suggestions of the page's case; head gets the 可能重复 N tag.
  async show(page: CasePage, head: HTMLElement): Promise<void> {
    const n = ++this.loading;
    const c = page.case;
    if (c.state === 'closed') {
      this.el.hidden = true;
      return;
    }
    let res: Duplicates;
    try {
      res = await api<Duplicates>('GET', `/api/cases/${c.id}/duplicates`, this.session.token);
    } catch {
      if (n === this.loading) this.el.hidden = true; // not this member's centre: nothing to show
      return;
    }
    if (n !== this.loading) return;
    const list = res.duplicates;
    this.el.hidden = false;
    this.el.dataset.count = String(list.length);
    head.querySelector('.dup-tag')?.remove();
    if (list.length > 0) head.append(dupTag(list.length));
    this.el.replaceChildren(
      h('h3', {}, list.length > 0 ? t('dup_title', { n: list.length }) : t('dup_title_none')),
      list.length === 0
        ? h('p', { class: 'muted' }, t('dup_none', { m: res.metres, h: res.hours }))
        : h('p', { class: 'muted' }, t('dup_window', { m: res.metres, h: res.hours })),
      h('ul', { class: 'dup-list' }, list.map((d) => this.item(page, d))),
      this.message);
  }

  private item(page: CasePage, d: Duplicate): HTMLElement {
    const c = page.case;
    return h('li', { class: 'dup', 'data-dup-id': d.id },
      h('div', { class: 'dup-head' },
        h('a', { href: '#/case/' + d.id }, t('case_no', { n: d.id })),
        h('span', { class: 'state state-' + d.state }, stateName(d.state)),
        h('span', { class: 'muted' }, t('dup_metres', { m: Math.round(d.metres) }))),
      h('p', { class: 'dup-desc' }, d.description),
      h('p', { class: 'muted' }, categoryName(d.category), ' · ', d.unit_name, ' · ', fullTime(d.received_at)),
      h('div', { class: 'dup-buttons' },
        h('button', { type: 'button', class: 'act', 'data-test': 'merge-into', onclick: () => this.act(() => merge(this.session, c.id, c.version, d.id)) },
          t('dup_merge_into', { n: d.id })),
        h('button', { type: 'button', class: 'act', 'data-test': 'merge-here', onclick: () => this.act(() => merge(this.session, d.id, d.version, c.id)) },
          t('dup_merge_here')),
        h('button', { type: 'button', class: 'act neutral', 'data-test': 'distinct', onclick: () => this.act(() =>
          api('POST', `/api/cases/${c.id}/distinct`, this.session.token, JSON.stringify({ other: d.id }))) },
        t('dup_distinct'))));
  }

  private async act(fn: () => Promise<unknown>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.message.textContent = '';
    try {
      await fn();
      this.acted();
    } catch (e) {
      this.message.textContent = errorText(e as ApiError);
      this.message.className = 'action-message error';
    } finally {
      this.busy = false;
    }
  }
}

function merge(session: Session, id: number, version: number, into: number): Promise<unknown> {
  return api('POST', `/api/cases/${id}/transitions`, session.token,
    JSON.stringify({ action: 'merge', version, merge_into: into }));
}

// dupTag is the 可能重复 N tag of a queue row and the case page's head.
export function dupTag(n: number): HTMLElement {
  return h('span', { class: 'tag dup-tag', 'data-test': 'dup-tag', 'data-count': n }, t('dup_tag', { n }));
}

// loadDuplicateCounts asks for the centre's counts: case id -> N. Nothing when refused.
export async function loadDuplicateCounts(session: Session, centre: string): Promise<Map<number, number>> {
  try {
    const res = await api<{ counts: Record<string, number> }>('GET', `/api/centres/${encodeURIComponent(centre)}/duplicates`, session.token);
    return new Map(Object.entries(res.counts).map(([k, v]) => [Number(k), v]));
  } catch {
    return new Map();
  }
}
