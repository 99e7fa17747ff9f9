// 待裁定退单: the cases centres below declined (退单), awaiting this centre's ruling, with the
// reason code and words (GET /api/centres/{code}/declines). Each has the two rulings, which open
// the case with the ruling's form (a re-routing needs its centre, an overruling its words). The
// server sends declines below to this centre's consoles (web/ws_hub_above.go), so the list
// reloads when one comes or is ruled on elsewhere; new ones are marked as arrivals are.
import { api, ApiError, type Session } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { categoryName, fullTime } from './format';
import type { CaseFrame, QueueCase } from './types';

interface DeclineToRule {
  case: QueueCase;
  centre_name: string; // the centre that declined it
  reason_code: string;
  reason: string;
  declined_at: string;
}

export class DeclineNotice {
  readonly el = h('section', { class: 'declines card', 'data-test': 'declines-to-rule', 'data-count': 0, hidden: true });
  private list = h('ol', { class: 'dn-rows' });
  private count = h('span', { class: 'count' });
  private rows: DeclineToRule[] = [];
  private timer: number | undefined;
  private loading = 0;

  constructor(private session: Session, private centre: string, private open: (id: number, action: string) => void,
    private fresh: (id: number) => boolean, private failed: (e: ApiError) => void) {
    this.el.append(h('h3', {}, t('dn_title'), ' ', this.count), this.list);
  }

  // frame reloads, after a burst, when a decline below came, was ruled on or changed.
  frame(f: CaseFrame): void {
    if (f.state !== 'declined' && !f.action.startsWith('decline') && !this.rows.some((x) => x.case.id === f.case_id)) return;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.load(), 250);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  async load(): Promise<void> {
    const n = ++this.loading;
    try {
      const res = await api<{ declines: DeclineToRule[] }>('GET',
        `/api/centres/${encodeURIComponent(this.centre)}/declines?limit=200`, this.session.token);
      if (n !== this.loading) return;
      this.rows = res.declines;
      this.render();
    } catch (e) {
      if (e instanceof ApiError) this.failed(e);
    }
  }

  // render draws the rows; called again when the arrivals change (which are highlighted).
  render(): void {
    this.el.dataset.count = String(this.rows.length);
    this.el.hidden = this.rows.length === 0; // a village has nothing below it: no panel
    this.count.textContent = String(this.rows.length);
    this.list.replaceChildren(...this.rows.map((x) => this.row(x)));
  }

  private row(x: DeclineToRule): HTMLElement {
    const c = x.case;
    const fresh = this.fresh(c.id);
    const rule = (action: string) => h('button', { type: 'button', class: 'act', 'data-action': action,
      onclick: () => this.open(c.id, action) }, t('act_' + action));
    return h('li', { class: 'dn-row' + (fresh ? ' fresh' : ''), 'data-case-id': c.id, 'data-fresh': String(fresh) },
      h('button', { type: 'button', class: 'dn-case', onclick: () => this.open(c.id, '') },
        h('strong', {}, t('case_no', { n: c.id }), ' ', categoryName(c.category)),
        fresh ? h('span', { class: 'tag fresh' }, t('new_tag')) : null,
        h('span', { class: 'muted' }, c.unit_name)),
      h('p', { class: 'dn-why' },
        h('span', { class: 'tag reason-code', 'data-code': x.reason_code }, t('decline_' + x.reason_code)), ' ',
        h('span', { class: 'dn-reason' }, x.reason)),
      h('p', { class: 'muted dn-meta' }, t('dn_from', { centre: x.centre_name || c.centre }), ' · ', t('dn_at', { at: fullTime(x.declined_at) })),
      h('div', { class: 'dn-buttons' }, rule('decline_uphold'), rule('decline_overrule')));
  }
}
