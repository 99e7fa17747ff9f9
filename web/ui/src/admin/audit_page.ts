// The audit log (操作日志): newest first, filtered by action (and member, from a member's panel),
// paged with `before`; exported as CSV with the token (fetch, then a download).
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { dateTime, tOr } from './format';
import { errorText, withQuery, type Http } from './http';
import type { AuditEntry } from './types';

const actions = ['member.add', 'assignment.add', 'assignment.remove', 'assignment.move', 'member.deactivate',
  'member.release_phone', 'password.reset', 'password.change', 'grid_change.draft', 'grid_change.apply', 'grid_change.discard',
  'grid_change.schedule', 'grid_change.unschedule', 'grid_change.schedule_refused', 'category.save', 'calendar.hours', 'calendar.day',
  'calendar.day_delete', 'grade_rule.save',
  'mediation.create', 'mediation.save', 'mediation.copy', 'mediation.refer', 'mediation.referral_result', 'agreement_template.save',
  'point_rule.save', 'point.cancel', 'point.month_confirm', 'point_item.approve', 'point_item.reject',
  'points.item_save', 'points.redeem', 'points.redeem_cancel', 'points.window_save']; // 积分超市 (issue 17)
const pageSize = 50;

export class AuditPage {
  readonly el: HTMLElement;
  private action = h('select', { name: 'audit-action' }, h('option', { value: '' }, t('all_actions')),
    actions.map((a) => h('option', { value: a }, tOr('action_' + a, a))));
  private memberNote = h('span', { class: 'member-filter' });
  private body = h('tbody');
  private status = h('p', { class: 'error', role: 'alert' });
  private more = h('button', { type: 'button', class: 'secondary', 'data-test': 'audit-more', hidden: true }, t('older'));
  private member = '';
  private last = 0;

  constructor(private http: Http) {
    this.action.addEventListener('change', () => void this.load(true));
    this.more.addEventListener('click', () => void this.load(false));
    const csv = h('button', { type: 'button', class: 'secondary', 'data-test': 'audit-csv', onclick: async () => {
      this.status.textContent = '';
      try {
        await this.http.download(withQuery('/api/admin/audit.csv', this.query()), 'audit.csv');
      } catch (e) {
        this.status.textContent = errorText(e);
      }
    } }, t('export_csv'));
    const head = [t('col_time'), t('col_actor'), t('col_action'), t('col_member'), t('col_units'), t('col_detail')];
    this.el = h('div', { class: 'page audit-page' }, h('section', { class: 'card' },
      h('h3', {}, t('audit_title')),
      h('div', { class: 'filters' }, h('label', {}, t('col_action'), this.action), this.memberNote, csv),
      this.status,
      h('div', { class: 'scroll' }, h('table', { class: 'responsive audit' },
        h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))), this.body)),
      h('div', { class: 'buttons' }, this.more)));
  }

  // show opens the log, for one member if the address names one (#audit?member=17).
  show(params: URLSearchParams): void {
    const m = params.get('member') ?? '';
    clear(this.memberNote);
    this.member = /^\d+$/.test(m) ? m : '';
    if (this.member) {
      this.memberNote.append(t('member_filter', { id: this.member }), ' ',
        h('a', { href: '#audit', class: 'link' }, t('clear_filter')));
    }
    void this.load(true);
  }

  private query(): Record<string, string> {
    return { action: this.action.value, member: this.member };
  }

  private async load(fresh: boolean): Promise<void> {
    this.status.textContent = '';
    try {
      const { entries } = await this.http.get<{ entries: AuditEntry[] }>('/api/admin/audit',
        { ...this.query(), limit: pageSize, before: fresh ? '' : String(this.last) });
      if (fresh) clear(this.body);
      const list = entries ?? [];
      if (fresh && list.length === 0) this.body.append(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, t('no_entries'))));
      for (const e of list) this.body.append(this.row(e));
      if (list.length) this.last = list[list.length - 1].id;
      this.more.hidden = list.length < pageSize;
      this.body.dataset.loaded = 'true';
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  private row(e: AuditEntry): HTMLElement {
    const label = (i: number) => this.el.querySelectorAll('thead th')[i]?.textContent ?? '';
    const detail = detailText(e.detail);
    return h('tr', { 'data-id': e.id, 'data-action': e.action },
      h('td', { 'data-label': label(0) }, dateTime(e.at)),
      h('td', { 'data-label': label(1) }, e.actor_name || t('command_line')),
      h('td', { 'data-label': label(2) }, tOr('action_' + e.action, e.action)),
      h('td', { 'data-label': label(3) }, e.member_name || '—'),
      h('td', { 'data-label': label(4) }, (e.units ?? []).join(' ')),
      h('td', { 'data-label': label(5), class: 'detail' }, detail));
  }
}

// detailText: an entry's detail as "key: value" pairs, values that are not text as JSON.
function detailText(d: unknown): string {
  if (d === null || d === undefined) return '';
  if (typeof d !== 'object' || Array.isArray(d)) return typeof d === 'string' ? d : JSON.stringify(d);
  return Object.entries(d as Record<string, unknown>)
    .map(([k, v]) => k + ': ' + (typeof v === 'string' ? v : JSON.stringify(v))).join('；');
}
