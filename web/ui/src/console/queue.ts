// The centre's live queue: filters, the rows (a table on a desk, cards on a phone), a movable
// selection for the keyboard, and the countdowns, which tick every 30 s.
import { api, ApiError, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { Arrivals } from './arrivals';
import { Chime } from './chime';
import { dupTag, loadDuplicateCounts } from './duplicates';
import { touchOnly } from './keys';
import { age, categoryList, categoryName, deadline, setServerNow, stateName } from './format';
import { QueueModel, type Filter } from './queue_model';
import { openStates, type CaseFrame, type Centre, type Queue, type QueueCase } from './types';
import { gradeTags, leaderTag } from './grade';
import { reviewDueTag } from './park_review';

export interface QueueEvents {
  open(id: number): void;
  loaded(centre: Centre): void;
  failed(e: ApiError): void;
  arrivals(n: number): void; // how many cases arrived live and were not looked at yet
}

export class QueueView {
  readonly el = h('section', { class: 'queue-view' });
  readonly model: QueueModel;
  readonly arrivals: Arrivals;
  selected: number | null = null;
  private onlyNew = false; // the 新案件 chip is on: only the arrivals are listed
  private chime = new Chime();
  private newChip = h('button', { type: 'button', class: 'new-chip', 'data-test': 'new-chip', hidden: true,
    'aria-pressed': 'false', onclick: () => this.showNew(!this.onlyNew) });
  private seenAll = h('button', { type: 'button', class: 'link seen-all', 'data-test': 'seen-all', hidden: true,
    onclick: () => this.arrivals.clear() }, t('new_seen'));
  private sound = h('button', { type: 'button', class: 'sound', 'data-test': 'sound', onclick: () => {
    this.chime.set(!this.chime.enabled);
    this.drawSound();
  } });
  private filter: Filter = { state: '', category: '', q: '' };
  private dupCounts = new Map<number, number>(); // 可能重复 N by case (duplicates.ts)
  private list = h('ol', { class: 'rows' });
  private box: HTMLElement;
  private count = h('span', { class: 'count' });
  private status = h('p', { class: 'status', role: 'status' });
  private stateSel = h('select', { name: 'state', 'aria-label': t('col_state') });
  private catSel = h('select', { name: 'category', 'aria-label': t('col_category') });
  readonly search = h('input', { name: 'q', type: 'search', maxlength: 100, placeholder: t('search'), 'aria-label': t('search') });
  private ledChip = h('button', { type: 'button', class: 'led-chip', 'data-test': 'led-filter', 'aria-pressed': 'false',
    onclick: () => {
      const on = !this.filter.led;
      this.ledChip.setAttribute('aria-pressed', String(on));
      this.setFilter({ led: on });
    } }, t('led_filter'));
  private loading = 0;
  private reloadTimer: number | undefined;
  private searchTimer: number | undefined;
  private ticker: number | undefined;

  constructor(private session: Session, readonly centre: string, private on: QueueEvents) {
    this.model = new QueueModel(centre);
    this.arrivals = new Arrivals(centre, (n) => {
      if (n === 0) this.onlyNew = false;
      this.render();
      this.on.arrivals(n);
    });
    this.drawSound();
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
      h('div', { class: 'toolbar' }, this.stateSel, this.catSel, this.search, this.ledChip, this.count, this.sound),
      h('div', { class: 'arrivals' }, this.newChip, this.seenAll),
      this.status, this.box,
      ...(touchOnly() ? [] : [h('p', { class: 'help' }, t('help'))]));
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

  // showNew lists only the cases that arrived live (whatever the filters and the order would
  // put first), or all again.
  private showNew(on: boolean): void {
    this.onlyNew = on && this.arrivals.size > 0;
    if (this.onlyNew && (this.filter.state || this.filter.category || this.filter.q)) {
      this.stateSel.value = this.catSel.value = this.search.value = '';
      this.setFilter({ state: '', category: '', q: '' });
    }
    this.render();
    if (this.onlyNew) this.list.querySelector('.case-row')?.scrollIntoView({ block: 'nearest' });
  }

  // seen marks a case looked at (opened).
  seen(id: number): void {
    this.arrivals.seen(id);
  }

  private drawSound(): void {
    const on = this.chime.enabled;
    this.sound.setAttribute('aria-pressed', String(on));
    this.sound.replaceChildren(speaker(on), t(on ? 'sound_on' : 'sound_off'));
    this.sound.title = t('sound_hint');
  }

  // load asks the server for the queue; answers to superseded requests are dropped.
  async load(): Promise<void> {
    const n = ++this.loading;
    const mark = this.model.mark();
    const p = new URLSearchParams();
    if (this.filter.state) p.set('state', this.filter.state);
    if (this.filter.category) p.set('category', this.filter.category);
    if (this.filter.q) p.set('q', this.filter.q);
    if (this.filter.led) p.set('led', '1');
    p.set('limit', '500');
    try {
      const res = await api<Queue>('GET', `/api/centres/${encodeURIComponent(this.centre)}/queue?${p}`, this.session.token);
      if (n !== this.loading) return;
      setServerNow(res.now);
      this.model.load(res.cases, mark);
      if (!p.has('state') && !p.has('category') && !p.has('q') && !p.has('led') && res.cases.length < 500) {
        this.arrivals.keep(new Set(this.model.sorted().map((c) => c.id)));
      }
      this.status.textContent = '';
      this.box.dataset.loaded = 'true';
      this.render();
      this.on.loaded(res.centre);
      void loadDuplicateCounts(this.session, this.centre).then((m) => {
        if (n !== this.loading) return;
        this.dupCounts = m;
        this.render();
      });
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
    if (this.model.isNew(f)) {
      const before = this.arrivals.size;
      this.arrivals.frame(f);
      if (this.arrivals.size > before) this.chime.play();
    }
    const r = this.model.apply(f, this.filter);
    if (r === 'ignored') return;
    this.render();
    if (r === 'reload') this.reloadSoon();
  }

  rows(): QueueCase[] {
    const all = this.model.sorted();
    return this.onlyNew ? all.filter((c) => this.arrivals.has(c.id)) : all;
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
    const n = this.arrivals.size;
    this.newChip.hidden = this.seenAll.hidden = n === 0;
    this.newChip.dataset.count = String(n);
    this.newChip.setAttribute('aria-pressed', String(this.onlyNew));
    this.newChip.textContent = t(this.onlyNew ? 'new_showing' : 'new_cases', { n });
    clear(this.list);
    if (rows.length === 0) {
      this.list.append(h('li', { class: 'empty' }, t('queue_empty')));
      return;
    }
    this.list.append(...rows.map((c) => this.row(c)));
  }

  private row(c: QueueCase): HTMLElement {
    const dl = deadline(c.deadline_at, c.overdue, c.deadline_clock);
    const fresh = this.arrivals.has(c.id);
    return h('li', {
      class: 'case-row' + (dl.overdue ? ' overdue' : '') + (fresh ? ' fresh' : ''), 'data-case-id': c.id, 'data-state': c.state,
      'data-fresh': String(fresh),
      'data-version': c.version, 'data-overdue': String(dl.overdue), 'aria-selected': String(c.id === this.selected),
      onclick: () => {
        this.selected = c.id;
        this.on.open(c.id);
      },
    },
    h('span', { class: 'c-no' }, h('a', { href: '#/case/' + c.id }, t('case_no', { n: c.id })),
      fresh ? h('span', { class: 'tag fresh' }, t('new_tag')) : null,
      c.severity === 'urgent' ? h('span', { class: 'tag urgent' }, t('urgent')) : null,
      c.urged_at ? h('span', { class: 'tag urged' }, t('urged')) : null, ...gradeTags({ grade: c.grade, major: c.major }),
      reviewDueTag(c),
      this.dupCounts.get(c.id) ? dupTag(this.dupCounts.get(c.id) ?? 0) : null),
    h('span', { class: 'c-state' }, h('span', { class: 'state state-' + c.state }, stateName(c.state))),
    h('span', { class: 'c-cat' }, categoryName(c.category)),
    h('span', { class: 'c-place' }, c.unit_name, leaderTag(c)), // the leader's name needs the wide column
    h('span', { class: 'c-age' }, age(c.opened_at)),
    h('span', { class: 'c-deadline' + (dl.overdue ? ' late' : '') }, dl.text),
    c.summary ? h('span', { class: 'c-summary' }, c.summary) : null);
  }
}

// speaker draws the sound switch's icon, with waves when on and a cross when off (no font has
// to carry an emoji for it).
function speaker(on: boolean): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const body = document.createElementNS(ns, 'path');
  body.setAttribute('d', 'M3 9h4l5-5v16l-5-5H3z');
  body.setAttribute('fill', 'currentColor');
  const mark = document.createElementNS(ns, 'path');
  mark.setAttribute('d', on ? 'M15.5 8.5a5 5 0 0 1 0 7M18 6a8.5 8.5 0 0 1 0 12' : 'M16 9l6 6M22 9l-6 6');
  mark.setAttribute('fill', 'none');
  mark.setAttribute('stroke', 'currentColor');
  mark.setAttribute('stroke-width', '2');
  mark.setAttribute('stroke-linecap', 'round');
  svg.append(body, mark);
  return svg;
}
