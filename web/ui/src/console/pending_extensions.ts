// 延期申请: the extension requests waiting for a decision that this supervisor may take, of the
// centres at or below the open one (GET /api/extensions/pending). 批准 decides from the list;
// 驳回 asks for the reason in the row first. The server sends extension requests and decisions
// to the consoles of the centres above the case's (web/ws_hub_above.go), so the list reloads
// when one is made or decided elsewhere. Shown to supervisors only (the route refuses others).
import { api, ApiError, type Session } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { categoryName, fullTime } from './format';
import type { CaseFrame, QueueCase } from './types';

interface ExtensionRequest {
  case: QueueCase;
  centre_name: string; // the centre that asked
  until: string;
  reason: string;
  asked_at: string;
}

export class PendingExtensions {
  readonly el = h('section', { class: 'extensions card', 'data-test': 'pending-extensions', 'data-count': 0, 'data-loaded': 'false' });
  private list = h('ol', { class: 'px-rows' });
  private count = h('span', { class: 'count' });
  private message = h('p', { class: 'px-message', role: 'status' });
  private rows: ExtensionRequest[] = [];
  private refusing: number | null = null; // the case whose 驳回 form is open
  private busy = false;
  private timer: number | undefined;
  private loading = 0;

  constructor(private session: Session, private centre: string, private open: (id: number) => void,
    private failed: (e: ApiError) => void) {
    this.el.append(h('h3', {}, t('px_title'), ' ', this.count), this.message, this.list);
  }

  // frame reloads, after a burst, when an extension was asked for or decided, or a listed case
  // changed (a request lapses when its case moves).
  frame(f: CaseFrame): void {
    if (!f.action.startsWith('extend_') && !this.rows.some((x) => x.case.id === f.case_id)) return;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.load(), 250);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  async load(): Promise<void> {
    const n = ++this.loading;
    try {
      const res = await api<{ requests: ExtensionRequest[] }>('GET',
        `/api/extensions/pending?unit=${encodeURIComponent(this.centre)}&limit=200`, this.session.token);
      if (n !== this.loading) return;
      this.rows = res.requests;
      if (!this.rows.some((x) => x.case.id === this.refusing)) this.refusing = null;
      this.el.dataset.loaded = 'true';
      this.render();
    } catch (e) {
      if (!(e instanceof ApiError)) return;
      if (e.status === 403) this.el.hidden = true; // not a supervisor here: no list to offer
      this.failed(e);
    }
  }

  private render(): void {
    this.el.dataset.count = String(this.rows.length);
    this.count.textContent = this.rows.length ? String(this.rows.length) : '';
    if (this.rows.length === 0) {
      this.list.replaceChildren(h('li', { class: 'muted' }, t('px_none')));
      return;
    }
    this.list.replaceChildren(...this.rows.map((x) => this.row(x)));
  }

  private row(x: ExtensionRequest): HTMLElement {
    const c = x.case;
    const li = h('li', { class: 'px-row', 'data-case-id': c.id },
      h('button', { type: 'button', class: 'px-case', onclick: () => this.open(c.id) },
        h('strong', {}, t('case_no', { n: c.id }), ' ', categoryName(c.category)),
        h('span', { class: 'muted' }, c.unit_name)),
      h('p', { class: 'px-dates' },
        h('span', { class: 'px-until' }, t('px_until', { at: fullTime(x.until) })),
        h('span', { class: 'muted' }, t('px_deadline', { at: c.deadline_at ? fullTime(c.deadline_at) : '—' }))),
      h('p', { class: 'px-reason' }, x.reason),
      h('p', { class: 'muted px-meta' }, t('px_centre', { centre: x.centre_name || c.centre }), ' · ',
        t('px_asked', { at: fullTime(x.asked_at) })));
    if (this.refusing === c.id) {
      const words = h('textarea', { name: 'reason', rows: 2, maxlength: 2000, 'aria-label': t('px_refuse_reason'),
        placeholder: t('px_refuse_reason') });
      li.append(h('form', { class: 'px-refuse', onsubmit: (e: Event) => {
        e.preventDefault();
        if (!words.value.trim()) {
          this.say(t('px_need_reason'), true);
          words.focus();
          return;
        }
        void this.decide(x, 'extend_refuse', words.value.trim());
      } }, words, h('div', { class: 'px-buttons' },
        h('button', { type: 'submit', class: 'act', 'data-action': 'extend_refuse', disabled: this.busy }, t('px_refuse_confirm')),
        h('button', { type: 'button', class: 'act neutral', onclick: () => {
          this.refusing = null;
          this.render();
        } }, t('cancel')))));
      queueMicrotask(() => words.focus());
    } else {
      li.append(h('div', { class: 'px-buttons' },
        h('button', { type: 'button', class: 'act primary-act', 'data-action': 'extend_approve', disabled: this.busy,
          onclick: () => void this.decide(x, 'extend_approve', '') }, t('px_approve')),
        h('button', { type: 'button', class: 'act', 'data-action': 'refuse', disabled: this.busy, onclick: () => {
          this.refusing = c.id;
          this.say('', false);
          this.render();
        } }, t('px_refuse'))));
    }
    return li;
  }

  private async decide(x: ExtensionRequest, action: string, reason: string): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.render();
    try {
      await api('POST', `/api/cases/${x.case.id}/transitions`, this.session.token,
        JSON.stringify({ action, version: x.case.version, reason }));
      this.refusing = null;
      this.say(t('done', { what: t('act_' + action) }), false);
    } catch (e) {
      const err = e as ApiError;
      this.say(err.status === 409 || err.status === 422 ? t('px_stale') : err.status === 0 ? t('err_network') : err.message, true);
      if (err.status === 401) this.failed(err);
    } finally {
      this.busy = false;
      await this.load();
    }
  }

  private say(text: string, error: boolean): void {
    this.message.textContent = text;
    this.message.className = 'px-message' + (error ? ' error' : ' notice');
  }
}
