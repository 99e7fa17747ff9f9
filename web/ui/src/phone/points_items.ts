// 积分事项: on 我的积分, a grid leader enters a manual item (巡查, 入户走访, 会议…) for a worker of
// their grid, and follows it; whoever may approve items (a township's supervisor) approves or
// rejects those waiting, with a reason (docs/points.md, "Manual items"). Shown only to members
// who lead a grid or have items to decide or follow.
import { api, ApiError, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';

interface Item {
  id: number;
  rule: string;
  indicator: string;
  points: number;
  member_name: string;
  day: string;
  note: string;
  entered_by: string;
  status: 'pending' | 'approved' | 'rejected';
  reason?: string;
  booked?: number;
  can_decide: boolean;
}
interface Worker { id: number; name: string; unit: string }
export interface ManualRule { code: string; indicator: string; points: number; trigger: string }

const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10); // Asia/Shanghai

export class PointItems {
  el = h('section', { class: 'point-items', 'data-test': 'point-items', hidden: true });

  constructor(private session: Session, private changed: () => void) {}

  async refresh(rules: ManualRule[]): Promise<void> {
    let r: { items: Item[]; workers: Worker[] };
    try {
      r = await api('GET', '/api/points/items', this.session.token);
    } catch {
      this.el.hidden = true;
      return;
    }
    clear(this.el);
    const manual = rules.filter((x) => x.trigger === 'manual');
    const toDecide = r.items.filter((i) => i.can_decide);
    const mine = r.items.filter((i) => !i.can_decide);
    this.el.hidden = r.workers.length === 0 && r.items.length === 0;
    if (r.workers.length && manual.length) this.el.append(this.form(r.workers, manual, rules));
    if (toDecide.length) {
      this.el.append(h('h3', {}, t('items_to_decide', { n: toDecide.length })),
        h('ul', { class: 'item-list', 'data-test': 'items-to-decide' }, toDecide.map((i) => this.item(i))));
    }
    if (mine.length) {
      this.el.append(h('h3', {}, t('items_mine')), h('ul', { class: 'item-list', 'data-test': 'items-mine' }, mine.map((i) => this.item(i))));
    }
  }

  private form(workers: Worker[], manual: ManualRule[], rules: ManualRule[]): HTMLElement {
    const worker = h('select', { name: 'worker', required: true }, workers.map((w) => h('option', { value: w.id }, w.name)));
    const rule = h('select', { name: 'rule', required: true },
      manual.map((r) => h('option', { value: r.code }, `${r.indicator}（${r.points > 0 ? '+' : ''}${r.points}）`)));
    const day = h('input', { type: 'date', name: 'day', required: true, value: today(), max: today() });
    const note = h('textarea', { name: 'note', required: true, maxlength: 500, rows: 2, placeholder: t('item_note_hint') });
    const message = h('p', { class: 'notice', role: 'status', 'data-test': 'item-message' });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('item_submit'));
    return h('form', { class: 'item-form', 'data-test': 'item-form', onsubmit: async (e: Event) => {
      e.preventDefault();
      submit.disabled = true;
      message.className = 'notice';
      message.textContent = '';
      try {
        await api('POST', '/api/points/items', this.session.token, JSON.stringify({
          member_id: Number(worker.value), rule: rule.value, day: day.value, note: note.value.trim() }));
        note.value = '';
        await this.refresh(rules);
        const m = this.el.querySelector('[data-test=item-message]');
        if (m) m.textContent = t('item_sent');
      } catch (err) {
        message.className = 'error';
        message.textContent = err instanceof ApiError && err.status !== 0 ? err.message : t('points_offline');
      } finally {
        submit.disabled = false;
      }
    } },
    h('h3', {}, t('item_new')),
    h('label', {}, t('item_worker'), worker),
    h('label', {}, t('item_rule'), rule),
    h('label', {}, t('item_day'), day),
    h('label', {}, t('item_note'), note),
    message, submit);
  }

  private item(i: Item): HTMLElement {
    const li = h('li', { class: 'item-row', 'data-id': i.id, 'data-status': i.status },
      h('div', { class: 'row-head' }, h('span', {}, `${i.member_name} · ${i.indicator}`),
        h('span', { class: 'state item-' + i.status }, t('item_' + i.status))),
      h('div', { class: 'meta' }, h('span', {}, i.day), h('span', {}, t('item_by', { name: i.entered_by })),
        i.status === 'approved' ? h('span', {}, i.booked ? t('item_booked', { n: i.booked }) : t('item_capped')) : null),
      h('p', { class: 'point-note' }, i.note),
      i.reason ? h('p', { class: 'point-note' }, t('item_reason', { reason: i.reason })) : null);
    if (!i.can_decide) return li;
    const reason = h('input', { name: 'reason', maxlength: 500, placeholder: t('item_reject_hint'), 'aria-label': t('item_reject_hint') });
    const note = h('p', { class: 'error', role: 'alert' });
    const decide = async (verb: 'approve' | 'reject') => {
      if (verb === 'reject' && !reason.value.trim()) {
        note.textContent = t('item_reason_needed');
        reason.focus();
        return;
      }
      try {
        await api('POST', `/api/points/items/${i.id}/${verb}`, this.session.token, JSON.stringify({ reason: reason.value.trim() }));
        this.changed(); // the whole tab again: a balance may change, and this list with it
      } catch (err) {
        note.textContent = err instanceof ApiError && err.status !== 0 ? err.message : t('points_offline');
      }
    };
    li.append(reason, h('div', { class: 'item-buttons' },
      h('button', { type: 'button', class: 'secondary', 'data-test': 'reject', onclick: () => void decide('reject') }, t('item_reject')),
      h('button', { type: 'button', class: 'primary', 'data-test': 'approve', onclick: () => void decide('approve') }, t('item_approve'))), note);
    return li;
  }
}
