// The centre's 回访 queue: cases verified on site and awaiting their callback, the closest to
// their deadline first (GET /api/centres/{code}/callbacks). Each row opens the case, where the
// callback form is. It reloads when a frame says a case of the centre changed.
import { api, ApiError, type Session } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { categoryName, fullTime } from './format';
import type { QueueCase } from './types';

export class CallbackQueue {
  readonly el = h('section', { class: 'callbacks card', 'data-test': 'callbacks' });
  private list = h('ol', { class: 'cb-rows' });
  private count = h('span', { class: 'count' });
  private timer: number | undefined;
  private loading = 0;

  constructor(private session: Session, private centre: string, private open: (id: number) => void,
    private failed: (e: ApiError) => void) {
    this.el.append(h('h3', {}, t('cb_queue'), ' ', this.count), this.list);
  }

  // changed gathers a burst of frames into one reload.
  changed(): void {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.load(), 300);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  async load(): Promise<void> {
    const n = ++this.loading;
    try {
      const res = await api<{ cases: QueueCase[] }>('GET', `/api/centres/${encodeURIComponent(this.centre)}/callbacks?limit=200`, this.session.token);
      if (n === this.loading) this.render(res.cases);
    } catch (e) {
      if (e instanceof ApiError) this.failed(e);
    }
  }

  private render(cases: QueueCase[]): void {
    this.el.dataset.count = String(cases.length);
    this.count.textContent = cases.length ? String(cases.length) : '';
    if (cases.length === 0) {
      this.list.replaceChildren(h('li', { class: 'muted' }, t('cb_none')));
      return;
    }
    this.list.replaceChildren(...cases.map((c) => {
      const late = c.callback_due_at ? Date.parse(c.callback_due_at) <= Date.now() : false;
      return h('li', {},
        h('button', { type: 'button', class: 'cb-row', 'data-id': c.id, onclick: () => this.open(c.id) },
          h('strong', {}, '#' + c.id, ' ', categoryName(c.category)),
          h('span', { class: 'muted' }, c.unit_name),
          h('span', { class: 'deadline' + (late ? ' late' : '') }, c.callback_due_at ? t('cb_due', { at: fullTime(c.callback_due_at) }) : ''),
          c.callback_tries ? h('span', { class: 'muted' }, t('cb_tries', { n: c.callback_tries })) : null));
    }));
  }
}
