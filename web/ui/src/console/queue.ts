// The centre's live queue: filters, the rows (a table on a desk, cards on a phone), a movable
// selection for the keyboard, and the countdowns, which tick every 30 s.
import { api, ApiError, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { age, categoryList, categoryName, deadline, setServerNow, stateName } from './format';
import { QueueModel, type Filter } from './queue_model';
import { openStates, type CaseFrame, type Centre, type Queue, type QueueCase } from './types';

export interface QueueEvents {
  open(id: number): void;
  loaded(centre: Centre): void;
  failed(e: ApiError): void;
}

export class QueueView {
  readonly el = h('section', { class: 'queue-view' });
  readonly model: QueueModel;
  selected: number | null = null;
  private filter: Filter = { state: '', category: '', q: '' };
  private list = h('ol', { class: 'rows' });
  private box: HTMLElement;
  private count = h('span', { class: 'count' });
  private status = h('p', { class: 'status', role: 'status' });
  private stateSel = h('select', { name: 'state', 'aria-label': t('col_state') });
  private catSel = h('select', { name: 'category', 'aria-label': t('col_category') });
  readonly search = h('input', { name: 'q', type: 'search', maxlength: 100, placeholder: t('search'), 'aria-label': t('search') });
  private loading = 0;
  private reloadTimer: number | undefined;
  private searchTimer: number | undefined;
  private ticker: number | undefined;

  constructor(private session: Session, readonly centre: string, private on: QueueEvents) {
    this.model = new QueueModel(centre);
    this.box = h('div', { class: 'queue', 'data-centre': centre, 'data-count': 0, 'data-loaded': 'false' },
      h('div', { class: 'queue-head', 'aria-hidden': 'true' },
        ...['col_case', 'col_state', 'col_category', 'col_place', 'col_age', 'col_deadline'].map((k) => h('span', {}, t(k)))),
      this.list);
    this.stateSel.append(h('option', { value: '' }, t('all_states')), ...openStates.map((s) => h('option', { value: s }, stateName(s))));
    this.stateSel.addEventListener('change', () => this.setFilter({ state: this.stateSel.value }));
    this.catSel.addEventListener('change', () => this.setFilter({ category: this.catSel.value }));
    this.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => this.setFilter({ q: this.search.value.trim() }), 300);
    });
    this.fillCategories();
    this.el.append(
      h('div', { class: 'toolbar' }, this.stateSel, this.catSel, this.search, this.count),
      this.status, this.box,
      h('p', { class: 'help' }, t('help')));
  }

  fillCategories(): void {
    clear(this.catSel);
    this.catSel.append(h('option', { value: '' }, t('all_categories')),
      ...categoryList().map((c) => h('option', { value: c.code }, categoryName(c.code))));
    this.catSel.value = this.filter.category;
  }

  start(): void {
    this.ticker = window.setInterval(() => this.render(), 30_000);
  }

  stop(): void {
    clearInterval(this.ticker);
    clearTimeout(this.reloadTimer);
    clearTimeout(this.searchTimer);
  }

  private setFilter(f: Partial<Filter>): void {
    this.filter = { ...this.filter, ...f };
    void this.load();
  }

  // load asks the server for the queue; answers to superseded requests are dropped.
  async load(): Promise<void> {
    const n = ++this.loading;
    const mark = this.model.mark();
    const p = new URLSearchParams();
    if (this.filter.state) p.set('state', this.filter.state);
    if (this.filter.category) p.set('category', this.filter.category);
    if (this.filter.q) p.set('q', this.filter.q);
    p.set('limit', '500');
    try {
      const res = await api<Queue>('GET', `/api/centres/${encodeURIComponent(this.centre)}/queue?${p}`, this.session.token);
      if (n !== this.loading) return;
      setServerNow(res.now);
      this.model.load(res.cases, mark);
      this.status.textContent = '';
      this.box.dataset.loaded = 'true';
      this.render();
      this.on.loaded(res.centre);
    } catch (e) {
      if (n !== this.loading) return;
      const err = e as ApiError;
      this.status.textContent = err.status === 0 ? t('err_network') : err.status === 403 ? t('queue_forbidden') : err.message;
      this.on.failed(err);
    }
  }

  // reloadSoon gathers bursts of frames into one HTTP reload.
  reloadSoon(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = window.setTimeout(() => void this.load(), 250);
  }

  onFrame(f: CaseFrame): void {
    const r = this.model.apply(f, this.filter);
    if (r === 'ignored') return;
    this.render();
    if (r === 'reload') this.reloadSoon();
  }

  rows(): QueueCase[] {
    return this.model.sorted();
  }

  // move shifts the selection by delta rows.
  move(delta: number): void {
    const rows = this.rows();
    if (rows.length === 0) return;
    const i = rows.findIndex((r) => r.id === this.selected);
    const next = i < 0 ? (delta > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, i + delta));
    this.selected = rows[next].id;
    this.render();
    this.list.querySelector('[aria-selected=true]')?.scrollIntoView({ block: 'nearest' });
  }

  render(): void {
    const rows = this.rows();
    this.box.dataset.count = String(rows.length);
    this.count.textContent = t('queue_count', { n: rows.length });
    clear(this.list);
    if (rows.length === 0) {
      this.list.append(h('li', { class: 'empty' }, t('queue_empty')));
      return;
    }
    this.list.append(...rows.map((c) => this.row(c)));
  }

  private row(c: QueueCase): HTMLElement {
    const dl = deadline(c.deadline_at, c.overdue);
    return h('li', {
      class: 'case-row' + (dl.overdue ? ' overdue' : ''), 'data-case-id': c.id, 'data-state': c.state,
      'data-version': c.version, 'data-overdue': String(dl.overdue), 'aria-selected': String(c.id === this.selected),
      onclick: () => {
        this.selected = c.id;
        this.on.open(c.id);
      },
    },
    h('span', { class: 'c-no' }, h('a', { href: '#/case/' + c.id }, t('case_no', { n: c.id })),
      c.severity === 'urgent' ? h('span', { class: 'tag urgent' }, t('urgent')) : null,
      c.urged_at ? h('span', { class: 'tag urged' }, t('urged')) : null),
    h('span', { class: 'c-state' }, h('span', { class: 'state state-' + c.state }, stateName(c.state))),
    h('span', { class: 'c-cat' }, categoryName(c.category)),
    h('span', { class: 'c-place' }, c.unit_name),
    h('span', { class: 'c-age' }, age(c.opened_at)),
    h('span', { class: 'c-deadline' + (dl.overdue ? ' late' : '') }, dl.text),
    c.summary ? h('span', { class: 'c-summary' }, c.summary) : null);
  }
}
