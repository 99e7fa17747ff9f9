// "My reports": the outbox and what the server says became of each report, updated live by the
// status frames the outbox receives and refreshed from GET /api/my/reports on each connection.
import { api, type Category, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { formatTime, t } from '../lib/i18n';
import { categoryName } from './report_form';
import { deleteItem, items, putItem, type OutboxItem } from './store';

interface ServerReport {
  client_id: string;
  event_id: number;
  case_id?: number;
  category: string;
  happened_at: string;
  located: boolean;
  state?: string;
  level?: number;
}

export class MyReports {
  el = h('section', { class: 'mine', 'data-test': 'mine' });
  badge = h('span', { class: 'badge', hidden: true });
  private list = h('ul', { class: 'reports' });
  private categories: Category[] = [];
  private server: ServerReport[] = [];

  constructor(private session: Session, private resend: () => void) {
    this.el.append(this.list);
  }

  setCategories(c: Category[]): void {
    this.categories = c;
    void this.render();
  }

  // refresh learns the server's view: states changed while offline, reports from another phone.
  async refresh(): Promise<void> {
    try {
      const res = await api<{ reports: ServerReport[] }>('GET', '/api/my/reports?limit=100', this.session.token);
      this.server = res.reports;
    } catch {
      return;
    }
    const byID = new Map(this.server.map((r) => [r.client_id, r]));
    for (const it of await items(this.session.member.id)) {
      const r = byID.get(it.client_id);
      if (r && it.state === 'acked' && (it.case_state !== r.state || it.case_level !== r.level)) {
        it.case_state = r.state;
        it.case_level = r.level;
        await putItem(it);
      }
    }
    await this.render();
  }

  async render(): Promise<void> {
    const local = await items(this.session.member.id);
    const known = new Set(local.map((i) => i.client_id));
    const pending = local.filter((i) => i.state === 'queued' || i.state === 'sending').length;
    this.badge.hidden = pending === 0;
    this.badge.textContent = String(pending);
    this.badge.title = t('pending_count', { n: pending });
    clear(this.list);
    for (const it of local) this.list.append(this.row(it));
    for (const r of this.server) {
      if (known.has(r.client_id)) continue;
      this.list.append(this.row({
        client_id: r.client_id, member_id: this.session.member.id, state: 'acked', photos: [], created_at: Date.parse(r.happened_at), updated_at: 0,
        receipt: { event_id: r.event_id, case_id: r.case_id, located: r.located, duplicate: false, state: r.state, level: r.level },
        case_state: r.state, case_level: r.level,
        report: { client_id: r.client_id, category: r.category, happened_at: r.happened_at, description: '', severity: 'normal', lon: 0, lat: 0, accuracy_m: 0, handled_on_spot: false, on_spot_note: '', photos: [] },
      }));
    }
    if (!this.list.firstChild) this.list.append(h('li', { class: 'empty' }, t('no_reports')));
  }

  private row(it: OutboxItem): HTMLElement {
    const cat = this.categories.find((c) => c.code === it.report.category);
    const shown = shownState(it);
    const caseID = it.receipt?.case_id;
    return h('li', { class: 'report-row', 'data-client-id': it.client_id, 'data-state': shown, 'data-case-id': caseID ?? '' },
      h('div', { class: 'row-head' },
        h('strong', {}, categoryName(cat, it.report.category)),
        h('span', { class: 'state state-' + shown }, t('state_' + shown))),
      it.report.description ? h('p', { class: 'desc' }, it.report.description) : null,
      h('div', { class: 'meta' },
        h('span', {}, formatTime(it.report.happened_at)),
        caseID ? h('span', { class: 'case-no' }, t('case_no', { n: caseID })) : null,
        shown === 'acked' && it.case_level ? h('span', {}, t('tier_' + it.case_level)) : null),
      it.state === 'rejected' && it.error ? h('p', { class: 'error' }, it.error.message,
        h('button', { type: 'button', class: 'link', onclick: async () => { await deleteItem(it.client_id); await this.render(); this.resend(); } }, t('delete'))) : null,
    );
  }
}

function shownState(it: OutboxItem): string {
  if (it.state !== 'acked') return it.state;
  if (it.receipt && !it.receipt.located) return 'unlocated';
  if (it.case_state === 'closed') return 'closed';
  return 'acked';
}
