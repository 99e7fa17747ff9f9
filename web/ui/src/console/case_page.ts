// The case page: the report, its photos, its place on a map, the history, and what this member
// may do now. It reloads when a frame says the case changed.
import { api, ApiError, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { ActionPanel, errorText } from './actions';
import { caseMap, type FeatureCollection } from './case_map';
import { DuplicatePanel } from './duplicates';
import { categoryName, deadline, fullTime, stateName, tierName } from './format';
import { callbackTag } from './callback_form';
import { timeline } from './history';
import { gradeTags } from './grade';
import { reviewDueTag } from './park_review';
import { mergedCard, mergedIntoNote } from './merged_reports';
import { Photos } from './photos';
import { MediationPanel } from './mediation';
import type { CasePage, TransitionResult } from './types';

export class CaseView {
  readonly el = h('section', { class: 'case-view' });
  id: number | null = null;
  page: CasePage | null = null;
  private panel: ActionPanel | null = null;
  private dups: DuplicatePanel;
  private photos: Photos;
  private mapBox = h('div', { class: 'map-box' });
  private head = h('div', { class: 'case-head' });
  // The layout stays put across reloads, so a form being typed in keeps its focus.
  private report = h('section', { class: 'report card' });
  private hist = h('section', { class: 'history card' });
  private mediation: MediationPanel; // 调解记录 (mediation.ts)
  private mapCard = h('section', { class: 'card map-card' }, h('h3', {}, t('map')), this.mapBox);
  private sideCol = h('div', { class: 'col side-col' });
  private body = h('div', { class: 'case-body' }, h('div', { class: 'col main-col' }, this.report, this.hist), this.sideCol);
  private loading = 0;
  private pending = '';
  private reloadTimer: number | undefined;

  constructor(private session: Session, private back: () => void, private acted: (res: TransitionResult) => void) {
    this.photos = new Photos(session.token);
    this.dups = new DuplicatePanel(session, () => void this.load());
    this.mediation = new MediationPanel(session);
    this.hist.before(this.mediation.el);
    this.el.append(this.head, this.body);
  }

  // open shows a case; action, if given, is taken (or its form opened) once the case is loaded.
  open(id: number, action = ''): void {
    this.close();
    this.id = id;
    this.pending = action;
    this.el.dataset.caseId = String(id);
    this.panel = new ActionPanel(this.session, {
      done: (_a, res) => {
        this.acted(res);
        void this.load();
      },
      stale: () => void this.load(),
    });
    clear(this.head);
    this.head.append(this.backButton(), h('h2', {}, t('case_no', { n: id })));
    this.report.replaceChildren(h('p', { class: 'muted' }, t('loading')));
    clear(this.hist);
    this.sideCol.replaceChildren(this.panel.el, this.dups.el, this.mapCard);
    void this.load();
    void this.loadMap(id);
  }

  close(): void {
    clearTimeout(this.reloadTimer);
    this.photos.release();
    this.mediation.release();
    this.panel?.release();
    this.id = null;
    this.page = null;
    this.panel = null;
    this.loading++;
    clear(this.mapBox);
    delete this.el.dataset.caseId;
  }

  // changed is a frame about this case: reload, gathering bursts.
  changed(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = window.setTimeout(() => void this.load(), 150);
  }

  trigger(action: string): boolean {
    return this.panel?.trigger(action) ?? false;
  }

  private backButton(): HTMLElement {
    return h('button', { type: 'button', class: 'link back', onclick: this.back }, '← ' + t('back'));
  }

  async load(): Promise<void> {
    const id = this.id;
    const n = ++this.loading;
    if (id === null) return;
    try {
      const page = await api<CasePage>('GET', `/api/cases/${id}`, this.session.token);
      if (n !== this.loading) return;
      this.page = page;
      this.render(page);
      if (this.pending) this.trigger(this.pending);
      this.pending = '';
    } catch (e) {
      if (n !== this.loading) return;
      this.report.replaceChildren(h('p', { class: 'error', role: 'alert' }, errorText(e as ApiError)));
    }
  }

  private async loadMap(id: number): Promise<void> {
    try {
      const fc = await api<FeatureCollection>('GET', `/api/cases/${id}/map`, this.session.token);
      const page = await this.waitForPage(id);
      if (this.id !== id || !page) return;
      clear(this.mapBox);
      this.mapBox.append(caseMap(fc, page.case.unit, page.case.lon, page.case.lat));
    } catch {
      if (this.id === id) this.mapBox.replaceChildren(h('p', { class: 'muted' }, t('map_unavailable')));
    }
  }

  private async waitForPage(id: number): Promise<CasePage | null> {
    for (let i = 0; i < 100 && this.id === id && !this.page; i++) await new Promise((r) => setTimeout(r, 100));
    return this.id === id ? this.page : null;
  }

  private render(p: CasePage): void {
    const c = p.case;
    const dl = deadline(c.deadline_at, c.overdue, c.deadline_clock);
    this.el.dataset.state = c.state;
    this.el.dataset.version = String(c.version);
    this.el.dataset.centre = c.centre;
    clear(this.head);
    this.head.append(...[this.backButton(),
      h('h2', {}, t('case_no', { n: c.id }), ' ', categoryName(c.category)),
      h('span', { class: 'state state-' + c.state }, stateName(c.state)),
      h('span', { class: 'muted' }, tierName(c.level)),
      c.state === 'verifying' ? verifyClock(c) : c.state === 'parked' || c.state === 'declined'
        ? h('span', { class: 'deadline' }, t(c.state === 'parked' ? 'clock_stopped' : 'awaiting_ruling')) : h('span', { class: 'deadline' + (dl.overdue ? ' late' : '') }, dl.text),
      c.severity === 'urgent' ? h('span', { class: 'tag urgent' }, t('urgent')) : null,
      c.urged_at ? h('span', { class: 'tag urged' }, t('urged')) : null, ...gradeTags(c),
      callbackTag(c), reviewDueTag(c)].filter((x) => x !== null));
    const place = p.units.map((u) => u.name).join(' › ') || c.unit_name;
    const facts: [string, string | Node | null][] = [
      [t('category'), categoryName(c.category)],
      [t('severity'), t('severity_' + c.severity)],
      [t('happened_at'), fullTime(c.happened_at)],
      [t('received_at'), fullTime(c.received_at)],
      [t('reporter'), c.reporter ? h('span', {}, c.reporter.name, ' ',
        h('a', { href: 'tel:' + c.reporter.phone, class: 'phone' }, c.reporter.phone)) : (c.reporter_name ?? '')],
      [t('place'), place],
      [t('outcome'), c.outcome ? t('outcome_' + c.outcome) : null],
    ];
    this.report.replaceChildren(
      h('h3', {}, t('report')),
      h('p', { class: 'description', 'data-test': 'description' }, c.description),
      h('dl', { class: 'facts' }, facts.filter(([, v]) => v !== null && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      ...[c.rework_count > 0 ? h('p', { class: 'muted' }, t('reworks', { n: c.rework_count })) : null,
        mergedIntoNote(p), this.photos.strip(c.photos)].filter((x) => x !== null));
    this.report.parentElement?.querySelector(':scope > [data-test=merged-reports]')?.remove();
    const merged = mergedCard(p); // 已并入的上报 (N), under the report
    if (merged) this.report.after(merged);
    this.hist.replaceChildren(h('h3', {}, t('history')), timeline(p.history, this.photos));
    this.panel?.show(p);
    this.mediation.show(c.id);
    void this.dups.show(p, this.head);
  }
}

// verifyClock says, while the reporter verifies, until when; once that has passed, that the
// centre may verify instead, and when the case closes as not verified (docs/cases.md).
function verifyClock(c: CasePage['case']): HTMLElement | null {
  if (!c.verify_due_at || !c.verify_lapse_at) return null;
  const staff = Date.parse(c.verify_due_at) <= Date.now();
  return h('span', { class: 'deadline verify-clock' + (staff ? ' late' : ''), 'data-test': 'verify-clock' },
    staff ? t('verify_staff', { at: fullTime(c.verify_lapse_at) }) : t('verify_due', { at: fullTime(c.verify_due_at) }));
}
