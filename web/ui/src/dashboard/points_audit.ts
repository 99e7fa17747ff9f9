// 积分月度审核 (#audit): a township's month of points as its supervisor audits it (docs/points.md,
// "The monthly audit on the dashboard"): the months of the year with their state, the month's
// totals per worker and grid, its rows, a row cancelled by a counter-entry with a reason, and
// 确认本月积分, which freezes a past month (GET /api/points/months, GET /api/points/rows,
// POST /api/points/rows/{id}/cancel, POST /api/points/months).
import { ApiError, api } from '../lib/api';
import { clear, h } from '../lib/dom';
import { currentLang, t } from '../lib/i18n';
import { num } from './format';
import { DataTable } from './table';
import type { ScopeUnit } from './types';

interface AuditMonth {
  month: string;
  when: 'past' | 'current' | 'future';
  confirmed: boolean;
  confirmed_by_name?: string;
  confirmed_at?: string;
  earned: number;
  lost: number;
  rows: number;
}
interface AuditYear { township: string; name: string; year: number; can_confirm: boolean; months: AuditMonth[] }
interface AuditWorker { member_id: number; name: string; grid: string; grid_name: string; earned: number; lost: number; rows: number }
interface AuditRow {
  id: number;
  points: number;
  kind: string;
  member_id: number;
  worker: string;
  grid: string;
  grid_name: string;
  category?: string;
  indicator?: string;
  case_id?: number;
  day?: string;
  note?: string;
  reverses?: number;
  cancelled: boolean;
  cancelled_in?: string;
}
interface AuditRows {
  month: AuditMonth;
  township_name: string;
  workers: AuditWorker[];
  more_workers: boolean;
  rows: AuditRow[];
  more: boolean;
  can_cancel: boolean;
  can_confirm: boolean;
}

// lastMonth is the month before this one in the county (Asia/Shanghai): the one to audit.
function lastMonth(): string {
  const d = new Date(Date.now() + 8 * 3600_000);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

// at writes a time as the county reads it: 2026-12-01 09:30.
function at(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

// monthName is a month's short name in the page's language: 11月, Nov.
function monthName(m: string): string {
  return new Date(Date.UTC(2000, Number(m.slice(5)) - 1, 1)).toLocaleString(currentLang(), { month: 'short', timeZone: 'UTC' });
}

const signed = (n: number) => (n > 0 ? '+' : n < 0 ? '−' : '') + num(Math.abs(n));

export class PointsAuditView {
  readonly el: HTMLElement;
  private unit: ScopeUnit | null = null;
  private title = h('h2', {});
  private township = h('select', { name: 'township', 'aria-label': t('audit_township') });
  private townshipField = h('label', { class: 'field', hidden: true }, t('audit_township'), this.township);
  private month = h('input', { type: 'month', name: 'month', value: lastMonth(), 'aria-label': t('audit_month') });
  private note = h('p', { class: 'error', role: 'alert' });
  private done = h('p', { class: 'notice', role: 'status', 'data-test': 'audit-done' });
  private months = h('div', { class: 'audit-months', 'data-test': 'audit-months' });
  private state = h('section', { class: 'card audit-state', 'data-test': 'audit-state' });
  private workers: DataTable<AuditWorker>;
  private rows = h('section', { class: 'card audit-rows', 'data-test': 'audit-rows' });
  private dialog = h('dialog', { class: 'audit-dialog' });
  private seq = 0;
  private member = 0; // the worker whose rows are shown (a row of the totals clicked), or 0 for all
  private all = h('button', { type: 'button', class: 'small-button', 'data-test': 'audit-all', hidden: true, onclick: () => {
    this.member = 0;
    void this.load();
  } }, t('audit_all_workers'));

  constructor(private token: string, private expired: () => void, back: () => void) {
    this.month.addEventListener('change', () => this.reload());
    this.township.addEventListener('change', () => this.reload());
    this.workers = new DataTable<AuditWorker>({ name: 'audit-workers', title: t('audit_workers'), columns: [
      { label: t('audit_col_worker'), cell: (r) => r.name },
      { label: t('audit_col_grid'), cell: (r) => r.grid_name },
      { label: t('audit_col_earned'), cell: (r) => num(r.earned), num: true },
      { label: t('audit_col_lost'), cell: (r) => num(r.lost), num: true },
      { label: t('audit_col_rows'), cell: (r) => num(r.rows), num: true },
    ], key: (r) => r.grid + ':' + r.member_id, empty: t('audit_none'), open: (r) => {
      this.member = this.member === r.member_id ? 0 : r.member_id;
      void this.load();
    } });
    this.el = h('section', { class: 'points-audit', 'data-test': 'points-audit', hidden: true },
      h('div', { class: 'points-head' }, this.title,
        h('button', { type: 'button', class: 'small-button controls', 'data-test': 'audit-back', onclick: back }, t('points_back'))),
      h('div', { class: 'filters points-filters' }, this.townshipField, h('label', { class: 'field' }, t('audit_month'), this.month)),
      this.months, this.note, this.done, this.state, this.workers.el, this.rows, this.dialog);
  }

  // show opens the audit of the unit shown: its township (or a village's or grid's rows within
  // it); at the county, of a township picked from its list.
  async show(unit: ScopeUnit): Promise<void> {
    const changed = this.unit?.code !== unit.code;
    this.unit = unit;
    if (changed) this.member = 0;
    this.title.textContent = t('audit_heading', { unit: unit.name });
    if (changed && unit.code.length < 9) {
      this.townshipField.hidden = false;
      try {
        const r = await api<{ units: { code: string; name: string }[] }>('GET', '/api/stats/units?unit=' + unit.code, this.token);
        this.township.replaceChildren(...r.units.filter((u) => u.code.length === 9).map((u) => h('option', { value: u.code }, u.name)));
      } catch (e) {
        return this.fail(e);
      }
    } else if (changed) this.townshipField.hidden = true;
    void this.load();
  }

  // reload shows another month or township, of every worker.
  private reload(): void {
    this.member = 0;
    this.done.textContent = '';
    void this.load();
  }

  // scope is the unit whose rows are read: the township picked at the county, else the unit.
  private scope(): string {
    const code = this.unit?.code ?? '';
    return code.length < 9 ? this.township.value : code;
  }

  private fail(e: unknown): void {
    if (e instanceof ApiError && e.status === 401) return this.expired();
    this.note.textContent = e instanceof ApiError && e.status === 403 ? t('err_forbidden')
      : e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
  }

  private async load(): Promise<void> {
    const unit = this.scope(), month = this.month.value || lastMonth();
    if (!unit) {
      this.note.textContent = t('audit_pick_township');
      return;
    }
    const seq = ++this.seq;
    this.el.dataset.loaded = 'false';
    try {
      const [year, rows] = await Promise.all([
        api<AuditYear>('GET', `/api/points/months?unit=${unit.slice(0, 9)}&year=${month.slice(0, 4)}`, this.token),
        api<AuditRows>('GET', `/api/points/rows?unit=${unit}&month=${month}${this.member ? '&member=' + this.member : ''}`, this.token)]);
      if (seq !== this.seq) return;
      this.note.textContent = '';
      this.drawMonths(year, month);
      this.drawState(rows, month);
      this.workers.render(rows.workers);
      this.drawRows(rows);
      this.el.dataset.loaded = 'true';
      this.el.dataset.month = month;
      this.el.dataset.confirmed = String(rows.month.confirmed);
    } catch (e) {
      if (seq === this.seq) this.fail(e);
    }
  }

  private drawMonths(year: AuditYear, current: string): void {
    this.months.replaceChildren(...year.months.map((m) => h('button', {
      type: 'button', class: 'audit-month' + (m.month === current ? ' on' : ''), 'data-month': m.month,
      'data-state': m.confirmed ? 'confirmed' : m.when, 'aria-pressed': String(m.month === current),
      title: m.confirmed ? t('audit_state_confirmed') : t('audit_when_' + m.when),
      onclick: () => {
        this.month.value = m.month;
        this.reload();
      } }, monthName(m.month), m.confirmed ? h('span', { class: 'tick', 'aria-hidden': 'true' }, '✓') : null)));
  }

  private drawState(r: AuditRows, month: string): void {
    const m = r.month;
    const state = m.confirmed
      ? h('p', { class: 'audit-confirmed', 'data-test': 'audit-confirmed' },
        t('audit_confirmed', { name: m.confirmed_by_name ?? '', at: m.confirmed_at ? at(m.confirmed_at) : '' }))
      : h('p', { class: 'audit-open', 'data-test': 'audit-open' }, t('audit_when_' + m.when));
    const canConfirm = r.can_confirm && !m.confirmed && m.when === 'past';
    clear(this.state);
    this.state.append(
      h('div', { class: 'card-head' }, h('h3', {}, t('audit_month_title', { township: r.township_name, month })),
        canConfirm ? h('button', { type: 'button', class: 'primary', 'data-test': 'audit-confirm', onclick: () => this.askConfirm(month) }, t('audit_confirm')) : null),
      state,
      h('p', { class: 'audit-totals', 'data-test': 'audit-totals' },
        t('audit_totals', { earned: num(m.earned), lost: num(m.lost), rows: num(m.rows) })));
    if (!r.can_confirm && !m.confirmed) this.state.append(h('p', { class: 'muted' }, t('audit_admin_reads')));
  }

  // drawRows lists the month's rows grid by grid (the server orders them by grid and worker).
  private drawRows(r: AuditRows): void {
    const cancellable = r.can_cancel && !r.month.confirmed;
    clear(this.rows);
    this.all.hidden = this.member === 0;
    this.rows.append(h('div', { class: 'card-head' }, h('h3', {}, t('audit_rows')), this.all));
    if (r.more) this.rows.append(h('p', { class: 'notice', 'data-test': 'audit-more' }, t('audit_more', { n: r.rows.length })));
    if (r.rows.length === 0) {
      this.rows.append(h('p', { class: 'muted' }, t('audit_none')));
      return;
    }
    let grid = '', list: HTMLElement | null = null;
    for (const row of r.rows) {
      if (row.grid !== grid || !list) {
        grid = row.grid;
        list = h('ul', { class: 'audit-list', 'data-grid': grid });
        this.rows.append(h('h4', { class: 'audit-grid' }, row.grid_name), list);
      }
      const what = row.kind === 'reversal' ? t('audit_counter', { id: row.reverses ?? '' }) : row.indicator ?? t('audit_kind_' + row.kind);
      const meta = [row.day, row.case_id ? t('audit_case', { n: row.case_id }) : '', row.category ?? '', t('audit_kind_' + row.kind)].filter(Boolean).join(' · ');
      const canCancel = cancellable && !row.cancelled && (row.kind === 'case' || row.kind === 'manual');
      list.append(h('li', { class: 'audit-row' + (row.cancelled ? ' cancelled' : ''), 'data-id': row.id, 'data-kind': row.kind, 'data-cancelled': String(row.cancelled) },
        h('div', { class: 'audit-what' },
          h('div', {}, h('strong', {}, row.worker), ' · ', what),
          h('div', { class: 'muted small' }, meta),
          row.note ? h('div', { class: 'small' }, row.note) : null,
          row.cancelled ? h('div', { class: 'small error' }, t('audit_cancelled', { month: row.cancelled_in ?? '' })) : null),
        h('span', { class: 'audit-points' + (row.points < 0 ? ' minus' : '') }, signed(row.points)),
        canCancel ? h('button', { type: 'button', class: 'small-button', 'data-test': 'audit-cancel', onclick: () => this.askCancel(row) }, t('audit_cancel_row')) : null));
    }
  }

  // ask shows a modal with text and a form of the given fields; submit runs act until it
  // succeeds (the dialog closes and the month reloads) or says why not.
  private ask(title: string, text: string, yes: string, fields: HTMLElement[], act: (f: HTMLFormElement) => Promise<string | null>): void {
    const note = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-test': 'dialog-yes' }, yes);
    const form = h('form', { method: 'dialog', class: 'audit-form' }, h('h3', {}, title), h('p', {}, text), ...fields, note,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'small-button', 'data-test': 'dialog-no', onclick: () => this.dialog.close() }, t('audit_dismiss')), submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      try {
        const problem = await act(form);
        if (problem) {
          note.textContent = problem;
          return;
        }
        this.dialog.close();
        void this.load();
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return this.expired();
        note.textContent = e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
      } finally {
        submit.disabled = false;
      }
    });
    this.dialog.replaceChildren(form);
    this.dialog.showModal();
  }

  private askCancel(row: AuditRow): void {
    const reason = h('textarea', { name: 'reason', maxlength: 500, rows: 3, 'aria-label': t('audit_reason'), placeholder: t('audit_reason') });
    this.ask(t('audit_cancel_title'), t('audit_cancel_text', { worker: row.worker, what: row.indicator ?? '', points: signed(-row.points) }),
      t('audit_cancel_yes'), [h('label', { class: 'field' }, t('audit_reason'), reason)], async () => {
        const why = reason.value.trim();
        if (!why) return t('audit_reason_needed');
        await api('POST', `/api/points/rows/${row.id}/cancel`, this.token, JSON.stringify({ reason: why }));
        this.done.textContent = t('audit_done_cancel', { worker: row.worker });
        return null;
      });
  }

  private askConfirm(month: string): void {
    const township = this.scope().slice(0, 9);
    this.ask(t('audit_confirm_title', { month }), t('audit_confirm_text', { month }), t('audit_confirm_yes'), [], async () => {
      await api('POST', '/api/points/months', this.token, JSON.stringify({ township, month }));
      this.done.textContent = t('audit_done_confirm', { month });
      return null;
    });
  }
}
