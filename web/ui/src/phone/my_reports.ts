// "My reports": the outbox and what the server says became of each report, updated live by the
// status frames the phone receives and refreshed from GET /api/my/reports on each connection.
// Cases the centre has settled wait for the worker's verification (待核查): they are listed first,
// as tasks, with what the centre did; opening any case shows its progress (case_view.ts). Older
// reports come a page at a time (更多), and a search finds one by its text or case number.
import { api, type Category, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { formatTime, t } from '../lib/i18n';
import { caseStateText, latestSettle, loadCase, outcomeText, tierText, type CaseDetail } from './case_api';
import { CaseView } from './case_view';
import type { Frame } from './socket';
import { categoryName } from './report_form';
import { deleteItem, items, putItem, type OutboxItem } from './store';
import { uploads } from './outbox';

const firstPage = 100;
const morePage = 50;

interface ServerReport {
  client_id: string;
  event_id: number;
  case_id?: number;
  category: string;
  severity?: 'normal' | 'urgent';
  description?: string;
  happened_at: string;
  located: boolean;
  state?: string;
  level?: number;
  version?: number;
  // 并单: the main case this report was merged into, and what became of it.
  merged_into?: number;
  main_state?: string;
  main_outcome?: string;
}

// A case whose reporter did not verify in time, which this member may verify instead (the grid
// leader of its grid, a mediator of its centre): GET /api/my/verifications.
interface StaffCase {
  id: number;
  category: string;
  unit_name: string;
  summary: string;
  reporter_name: string;
  verify_lapse_at?: string;
}

// A task's summary: the centre's latest settle, loaded from GET /api/cases/{id}.
type Summary = { outcome: string | null; notes: string; level: number; at: string; verifyBy?: string } | null;

export class MyReports {
  el = h('section', { class: 'mine', 'data-test': 'mine' });
  badge = h('span', { class: 'badge', hidden: true });
  taskBadge = h('span', { class: 'badge task-badge', 'data-test': 'task-badge', hidden: true });
  private tasks = h('section', { class: 'tasks', 'data-test': 'tasks', hidden: true });
  private list = h('ul', { class: 'reports', 'data-test': 'list' });
  private query = h('input', { type: 'search', name: 'q', maxlength: 100, placeholder: t('search_hint'), 'aria-label': t('search'), enterkeyhint: 'search' });
  private searchNote = h('p', { class: 'search-note', role: 'status', 'data-test': 'search-note', hidden: true });
  private more = h('button', { type: 'button', class: 'secondary more', 'data-test': 'more', hidden: true, onclick: () => void this.loadMore() }, t('more'));
  private searchForm = h('form', { class: 'search', role: 'search', onsubmit: (e: Event) => { e.preventDefault(); void this.search(); } },
    this.query,
    h('button', { type: 'submit', class: 'search-go' }, t('search')),
    h('button', { type: 'button', class: 'link search-clear', 'data-test': 'search-clear', onclick: () => { this.query.value = ''; void this.search(); } }, t('search_clear')));
  private listView = h('div', {}, this.tasks, this.searchForm, this.searchNote, this.list, this.more);
  // older: pages after the first, loaded by 更多; found: the answer to a search (null: none).
  private older: ServerReport[] = [];
  private nextBefore: number | null = null;
  private found: { q: string; reports: ServerReport[]; next: number | null } | null = null;
  private detail: CaseView;
  private categories: Category[] = [];
  private server: ServerReport[] = [];
  private staff: StaffCase[] = [];
  private summaries = new Map<number, Promise<CaseDetail> | Summary>();

  constructor(private session: Session, private resend: () => void, online: () => boolean) {
    this.detail = new CaseView(session, online, () => this.closeCase(),
      (id, state, level, version) => void this.caseChanged(id, state, level, version),
      (code) => this.categoryName(code));
    this.el.append(this.listView, this.detail.el);
  }

  setCategories(c: Category[]): void {
    this.categories = c;
    void this.render();
  }

  setOnline(on: boolean): void {
    this.detail.setOnline(on);
  }

  // refresh learns the server's view: states changed while offline, reports from another phone.
  async refresh(): Promise<void> {
    // Both at once: on a slow rural link a second round trip is felt.
    const staff = api<{ cases: StaffCase[] }>('GET', '/api/my/verifications?limit=50', this.session.token)
      .then((res) => { this.staff = res.cases; }, () => { /* kept as they were; asked again at the next refresh */ });
    try {
      const res = await api<{ reports: ServerReport[]; next_before?: number }>('GET', `/api/my/reports?limit=${firstPage}`, this.session.token);
      this.server = res.reports;
      if (this.older.length === 0) this.nextBefore = res.next_before ?? null;
    } catch {
      return;
    } finally {
      await staff;
    }
    this.summaries.clear();
    const byID = new Map(this.server.map((r) => [r.client_id, r]));
    for (const it of await items(this.session.member.id)) {
      const r = byID.get(it.client_id);
      if (r && it.state === 'acked' && (it.case_state !== r.state || it.case_level !== r.level || it.case_version !== r.version)) {
        it.case_state = r.state;
        it.case_level = r.level;
        it.case_version = r.version;
        await putItem(it);
      }
    }
    await this.render();
  }

  // onStatus takes a status frame: the case moved (the outbox updates its own copy). Frames of
  // one case can arrive out of order when two processes relay (docs/deploy.md): one older than
  // what the phone has is dropped.
  onStatus(f: Frame): void {
    const id = Number(f.case_id);
    const version = typeof f.version === 'number' ? f.version : undefined;
    for (const r of this.server) {
      if (r.case_id !== id) continue;
      if (version !== undefined && r.version !== undefined && version <= r.version) return;
      r.state = String(f.state);
      r.level = Number(f.level);
      r.version = version;
    }
    this.summaries.delete(id);
    this.detail.onStatus(id, version);
    void this.render();
  }

  // caseChanged records what the phone itself learnt or did (a verification, a reload).
  private async caseChanged(id: number, state: string, level: number, version: number): Promise<void> {
    let moved = false;
    for (const r of this.server) {
      if (r.case_id === id && (r.state !== state || r.version !== version)) {
        Object.assign(r, { state, level, version });
        moved = true;
      }
    }
    for (const it of await items(this.session.member.id)) {
      if (it.receipt?.case_id === id && (it.case_state !== state || it.case_version !== version)) {
        Object.assign(it, { case_state: state, case_level: level, case_version: version });
        await putItem(it);
        moved = true;
      }
    }
    const before = this.staff.length;
    if (state !== 'verifying') this.staff = this.staff.filter((c) => c.id !== id);
    if (moved || this.staff.length !== before) {
      this.summaries.delete(id);
      await this.render();
    }
  }

  // search asks the server for the worker's reports matching the box ("#12": case 12), and
  // looks through the ones still on the phone; an empty box shows the whole list again.
  private async search(): Promise<void> {
    const q = this.query.value.trim();
    if (!q) {
      this.found = null;
      await this.render();
      return;
    }
    this.searchNote.hidden = false;
    this.searchNote.textContent = t('searching');
    try {
      const res = await api<{ reports: ServerReport[]; next_before?: number }>('GET',
        `/api/my/reports?limit=${morePage}&q=${encodeURIComponent(q)}`, this.session.token);
      this.found = { q, reports: res.reports, next: res.next_before ?? null };
    } catch {
      this.found = { q, reports: [], next: null }; // offline: what the phone keeps is searched
    }
    await this.render();
  }

  // loadMore fetches the next page of older reports (or of the search's answer).
  private async loadMore(): Promise<void> {
    const f = this.found;
    const before = f ? f.next : this.nextBefore;
    if (!before) return;
    this.more.disabled = true;
    try {
      const q = f ? `&q=${encodeURIComponent(f.q)}` : '';
      const res = await api<{ reports: ServerReport[]; next_before?: number }>('GET',
        `/api/my/reports?limit=${morePage}&before=${before}${q}`, this.session.token);
      if (f) {
        f.reports.push(...res.reports);
        f.next = res.next_before ?? null;
      } else {
        this.older.push(...res.reports);
        this.nextBefore = res.next_before ?? null;
      }
    } catch {
      this.more.textContent = t('more_offline');
    } finally {
      this.more.disabled = false;
    }
    await this.render();
  }

  private matches(it: OutboxItem, q: string): boolean {
    const n = q.replace(/^#/, '');
    return it.report.description.toLowerCase().includes(q.toLowerCase()) || String(it.receipt?.case_id ?? '') === n ||
      this.categoryName(it.report.category).includes(q);
  }

  async render(): Promise<void> {
    let local = await items(this.session.member.id);
    const f = this.found;
    if (f) local = local.filter((it) => this.matches(it, f.q));
    const known = new Set(local.map((i) => i.client_id));
    const fromServer = f ? f.reports : [...this.server, ...this.older];
    const seen = new Set<string>();
    const rows = [...local, ...fromServer.filter((r) => !known.has(r.client_id) && !seen.has(r.client_id) && seen.add(r.client_id)).map((r) => this.fromServer(r))];
    this.searchNote.hidden = !f;
    if (f) this.searchNote.textContent = t('search_found', { q: f.q, n: rows.length });
    this.more.hidden = !(f ? f.next : this.nextBefore);
    this.more.textContent = t('more');
    const pending = local.filter((i) => i.state === 'queued' || i.state === 'sending').length;
    this.badge.hidden = pending === 0;
    this.badge.textContent = String(pending);
    this.badge.title = t('pending_count', { n: pending });
    const tasks = rows.filter((it) => it.state === 'acked' && it.case_state === 'verifying' && it.receipt?.case_id);
    const own = new Set(tasks.map((it) => it.receipt!.case_id));
    const staff = this.staff.filter((c) => !own.has(c.id));
    const n = tasks.length + staff.length;
    this.taskBadge.hidden = n === 0;
    this.taskBadge.textContent = t('task_badge', { n });
    clear(this.tasks);
    this.tasks.hidden = n === 0;
    this.tasks.append(h('h2', {}, t('tasks_title', { n })),
      h('ul', { class: 'reports' }, tasks.map((it) => this.task(it)), staff.map((c) => this.staffTask(c))));
    clear(this.list);
    for (const it of rows) this.list.append(this.row(it));
    if (!this.list.firstChild) this.list.append(h('li', { class: 'empty' }, f ? t('search_none') : t('no_reports')));
  }

  private fromServer(r: ServerReport): OutboxItem {
    return {
      client_id: r.client_id, member_id: this.session.member.id, state: 'acked', photos: [], created_at: Date.parse(r.happened_at), updated_at: 0,
      receipt: { event_id: r.event_id, case_id: r.case_id, located: r.located, duplicate: false, state: r.state, level: r.level },
      case_state: r.state, case_level: r.level, case_version: r.version,
      report: { client_id: r.client_id, category: r.category, happened_at: r.happened_at, description: r.description ?? '', severity: r.severity ?? 'normal', lon: 0, lat: 0, accuracy_m: 0, handled_on_spot: false, on_spot_note: '', photos: [] },
    };
  }

  private categoryName(code: string): string {
    return categoryName(this.categories.find((c) => c.code === code), code);
  }

  private openCase(id: number): void {
    this.listView.hidden = true;
    this.detail.open(id);
    this.el.scrollIntoView();
  }

  private closeCase(): void {
    this.detail.close();
    this.listView.hidden = false;
  }

  // task is a case waiting for the worker's verification, with what the centre reported.
  private task(it: OutboxItem): HTMLElement {
    const id = it.receipt!.case_id!;
    const s = this.summary(id);
    return h('li', { class: 'report-row task', 'data-case-id': id, ...clickable(() => this.openCase(id)) },
      h('div', { class: 'row-head' },
        h('strong', {}, this.categoryName(it.report.category)),
        h('span', { class: 'state state-case-verifying' }, caseStateText('verifying'))),
      s ? h('p', { class: 'settled' }, t('task_settled', { tier: tierText(s.level), outcome: outcomeText(s.outcome) })) : null,
      s?.notes ? h('p', { class: 'desc' }, s.notes) : null,
      h('div', { class: 'meta' },
        h('span', { class: 'case-no' }, t('case_no', { n: id })),
        s ? h('span', {}, formatTime(s.at)) : null,
        s?.verifyBy ? h('span', { class: 'verify-by', 'data-test': 'verify-by' }, t('verify_by', { at: formatTime(s.verifyBy) })) : null,
        h('span', { class: 'go' }, t('task_open'))));
  }

  // staffTask is someone else's case whose verification is overdue, for this member to check.
  private staffTask(c: StaffCase): HTMLElement {
    return h('li', { class: 'report-row task staff-task', 'data-case-id': c.id, 'data-test': 'staff-task', ...clickable(() => this.openCase(c.id)) },
      h('div', { class: 'row-head' },
        h('strong', {}, this.categoryName(c.category)),
        h('span', { class: 'state state-case-verifying' }, t('staff_task'))),
      c.summary ? h('p', { class: 'desc' }, c.summary) : null,
      h('div', { class: 'meta' },
        h('span', { class: 'case-no' }, t('case_no', { n: c.id })),
        h('span', {}, t('staff_task_meta', { reporter: c.reporter_name, place: c.unit_name })),
        c.verify_lapse_at ? h('span', { class: 'verify-by' }, t('staff_verify_by', { at: formatTime(c.verify_lapse_at) })) : null,
        h('span', { class: 'go' }, t('task_open'))));
  }

  // summary is the centre's latest settle of a case, loaded once per change of the case.
  private summary(id: number): Summary | undefined {
    const s = this.summaries.get(id);
    if (s !== undefined) return s instanceof Promise ? undefined : s;
    const p = loadCase(this.session.token, id);
    this.summaries.set(id, p);
    p.then((d) => {
      if (this.summaries.get(id) !== p) return;
      const r = latestSettle(d);
      this.summaries.set(id, r ? { outcome: r.outcome, notes: r.reason, level: r.level, at: r.at, verifyBy: d.case.verify_due_at } : null);
      void this.render();
    }, () => {
      if (this.summaries.get(id) === p) this.summaries.set(id, null); // retried at the next refresh
    });
    return undefined;
  }

  // mergedOf is the server's word that a report was merged (并单) into a main case, if it was.
  private mergedOf(clientID: string): ServerReport | undefined {
    const all = [...this.server, ...this.older, ...(this.found?.reports ?? [])];
    return all.find((r) => r.client_id === clientID && r.merged_into);
  }

  private row(it: OutboxItem): HTMLElement {
    const merged = this.mergedOf(it.client_id);
    const shown = merged ? 'merged' : shownState(it);
    const up = uploads.get(it.client_id);
    const caseID = it.receipt?.case_id;
    const open = caseID && it.state === 'acked' ? () => this.openCase(caseID) : null;
    return h('li', { class: 'report-row', 'data-client-id': it.client_id, 'data-state': shown, 'data-case-id': caseID ?? '',
      'data-case-state': it.case_state ?? '', ...(open ? clickable(open) : {}) },
      h('div', { class: 'row-head' },
        h('strong', {}, this.categoryName(it.report.category),
          it.report.severity === 'urgent' ? h('span', { class: 'urgent-mark', 'data-test': 'urgent' }, t('urgent_mark')) : null),
        shown === 'acked'
          ? h('span', { class: 'state state-acked state-case-' + (it.case_state ?? '') }, caseStateText(it.case_state))
          : h('span', { class: 'state state-' + shown }, t('state_' + shown))),
      it.report.description ? h('p', { class: 'desc' }, it.report.description) : null,
      merged ? mergedLine(merged) : null,
      up ? h('div', { class: 'upload', 'data-test': 'upload' },
        h('span', {}, t('uploading', { i: up.photo, n: up.total, pct: Math.round(up.fraction * 100) })),
        h('progress', { max: 100, value: Math.round(up.fraction * 100) })) : null,
      h('div', { class: 'meta' },
        h('span', {}, formatTime(it.report.happened_at)),
        caseID ? h('span', { class: 'case-no' }, t('case_no', { n: caseID })) : null,
        shown === 'acked' && it.case_level ? h('span', {}, tierText(it.case_level)) : null),
      it.state === 'rejected' && it.error ? h('div', { class: 'refusal', 'data-test': 'refusal' },
        h('p', { class: 'error' }, t('rejected_reason', { field: fieldLabel(it.error.field) })),
        h('p', { class: 'error-detail' }, it.error.message),
        h('button', { type: 'button', class: 'link', onclick: async () => { await deleteItem(it.client_id); await this.render(); this.resend(); } }, t('delete'))) : null,
    );
  }
}

// mergedLine says which case a merged report follows (并单) and where that case stands: its
// settle and verification outcome is the reporter's too.
function mergedLine(r: ServerReport): HTMLElement {
  const outcome = r.main_outcome ? ' · ' + outcomeText(r.main_outcome) : '';
  return h('p', { class: 'merged-into', 'data-test': 'merged-into', 'data-main': r.merged_into ?? '' },
    t('merged_into', { n: r.merged_into ?? 0 }), ' ',
    h('span', { class: 'main-state', 'data-test': 'main-state' }, t('main_case_state', { state: caseStateText(r.main_state) + outcome })));
}

// clickable makes a list row open something, by touch or keyboard.
function clickable(open: () => void) {
  return { role: 'button', tabindex: 0, onclick: open, onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === 'Enter') open(); } };
}

// fieldLabel names the report's field the server refused, in the worker's words.
function fieldLabel(field: string | undefined): string {
  const key = 'field_' + (field ?? '');
  const label = t(key);
  return label === key ? t('field_other') : label;
}

function shownState(it: OutboxItem): string {
  if (it.state !== 'acked') return it.state;
  if (it.receipt && !it.receipt.located) return 'unlocated';
  if (it.case_state === 'closed') return 'closed';
  return 'acked';
}
