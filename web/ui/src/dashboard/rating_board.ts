// 评星定级: the villages' ratings of a scope (docs/ratings.md). How many villages hold 0 … 5
// flags or stars, a map coloured by it, the ranking (exportable to Excel) and, for the village
// chosen on the map or in the ranking, its indicator sheet with the steps the member may take.
import { api, ApiError, type Session } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { RatingMap } from './rating_map';
import { SheetView, ratingQuery } from './rating_sheet';
import type { RatingOverview, RatingScheme } from './rating_types';
import { StatsAPI } from './stats_api';
import type { MapCollection, ScopeUnit } from './types';
import './rating.css';

export class RatingBoard {
  readonly el = h('main', { class: 'board ratings', 'data-loaded': 'false' });
  private schemeSel = h('select', { name: 'scheme', 'aria-label': t('r_scheme') });
  private unitSel = h('select', { name: 'unit', 'aria-label': t('scope') });
  private counts = h('section', { class: 'kpis rating-counts' });
  private map: RatingMap;
  private ranking = h('tbody');
  private sheet: SheetView;
  private notice = h('p', { class: 'error', role: 'alert' });
  private period = h('span', { class: 'muted small' });
  private schemes: RatingScheme[] = [];
  private overview: RatingOverview | null = null;
  private stats: StatsAPI;
  private seq = 0;

  private own: string[] = []; // a village's mediator without figures: their villages' sheets only

  constructor(private session: Session, scope: ScopeUnit[], start: ScopeUnit | undefined, villages: string[], private expired: () => void) {
    this.stats = new StatsAPI(session.token);
    for (const u of scope.filter((x) => x.level <= 3)) this.unitSel.append(h('option', { value: u.code }, u.name));
    if (start && scope.some((x) => x.code === start.code && x.level <= 3)) this.unitSel.value = start.code;
    if (this.unitSel.options.length === 0) {
      this.own = villages;
      for (const v of villages) this.unitSel.append(h('option', { value: v }, v));
    }
    this.map = new RatingMap((code) => void this.sheet.open(this.schemeSel.value, code));
    this.sheet = new SheetView(session.token, () => void this.load(), expired);
    this.schemeSel.addEventListener('change', () => {
      this.sheet.close();
      void this.load();
    });
    this.unitSel.addEventListener('change', () => void this.load());
    if (this.own.length) { // the village's own view: its sheet, with its entries and submission
      this.el.dataset.own = 'true';
      this.sheet.closable = false;
      this.el.append(h('section', { class: 'card rating-controls' }, h('h2', {}, t('r_title')),
        h('div', { class: 'tools' }, this.schemeSel, this.own.length > 1 ? this.unitSel : null)), this.notice, this.sheet.el);
      return;
    }
    const exportButton = h('button', { type: 'button', class: 'small-button', 'data-test': 'rating-export', onclick: () => {
      this.stats.download('/api/ratings/ranking?format=xlsx&' + ratingQuery(this.schemeSel.value, this.unitSel.value), 'ratings.xlsx')
        .catch((e: unknown) => this.fail(e));
    } }, t('export_xlsx'));
    this.el.append(
      h('section', { class: 'card rating-controls' },
        h('h2', {}, t('r_title')),
        h('div', { class: 'tools' }, this.schemeSel, this.unitSel, this.period)),
      this.notice, this.counts,
      h('div', { class: 'two' }, this.map.el, this.sheet.el),
      h('section', { class: 'card' },
        h('div', { class: 'card-head' }, h('h3', {}, t('r_ranking')), h('div', { class: 'tools' }, exportButton)),
        h('div', { class: 'scroll' }, h('table', { class: 'table', 'data-table': 'ratings' },
          h('thead', {}, h('tr', {}, ...['col_rank', 'r_village', 'r_township', 'r_held', 'r_warned', 'r_this_period']
            .map((k) => h('th', {}, t(k))))), this.ranking))));
  }

  async start(): Promise<void> {
    try {
      this.schemes = (await api<{ schemes: RatingScheme[] }>('GET', '/api/ratings/schemes', this.session.token)).schemes;
    } catch (e) {
      return this.fail(e);
    }
    for (const s of this.schemes) this.schemeSel.append(h('option', { value: s.code }, s.name));
    await this.load();
  }

  // word says "3 面红旗" or "3 星" for the scheme shown.
  private word(n: number): string {
    return t(this.overview?.kind === 'star' ? 'r_n_stars' : 'r_n_flags', { n });
  }

  private fail(e: unknown): void {
    if (e instanceof ApiError && e.status === 401) return this.expired();
    this.notice.textContent = e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
  }

  async load(): Promise<void> {
    if (this.own.length) {
      await this.sheet.open(this.schemeSel.value, this.unitSel.value);
      this.el.dataset.loaded = 'true';
      return;
    }
    const seq = ++this.seq;
    const q = ratingQuery(this.schemeSel.value, this.unitSel.value);
    let o: RatingOverview;
    let fc: MapCollection;
    try {
      [o, fc] = await Promise.all([
        api<RatingOverview>('GET', '/api/ratings/overview?' + q, this.session.token),
        api<MapCollection>('GET', '/api/ratings/map?' + new URLSearchParams({ unit: this.unitSel.value }).toString(), this.session.token,
          undefined, undefined, 'default'),
      ]);
    } catch (e) {
      return this.fail(e);
    }
    if (seq !== this.seq) return;
    this.notice.textContent = '';
    this.overview = o;
    this.period.textContent = t('r_period', { from: o.from, to: o.to });
    this.counts.replaceChildren(...o.counts.map((n, k) => h('div', { class: 'kpi', 'data-held': String(k), 'data-value': String(n) },
      h('span', { class: 'label' }, this.word(k)), h('strong', { class: 'value' }, t('r_villages', { n })))).reverse(),
    h('div', { class: 'kpi' + (o.warned ? ' warn' : ''), 'data-kpi': 'warned', 'data-value': String(o.warned) },
      h('span', { class: 'label' }, t('r_warned')), h('strong', { class: 'value' }, t('r_villages', { n: o.warned }))));
    this.map.show(fc, o, (n) => this.word(n));
    const names = (marks: number[]) => (marks.length ? marks.map((m) => o.marks[m - 1]).join('、') : '—');
    this.ranking.replaceChildren(...o.villages.map((v) => h('tr', { 'data-code': v.code, 'data-held': String(v.held.length),
      tabindex: 0, class: 'openable', onclick: () => void this.sheet.open(o.scheme, v.code),
      onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key === 'Enter') void this.sheet.open(o.scheme, v.code);
      } },
    h('td', { class: 'num' }, String(v.rank)), h('td', {}, v.name), h('td', {}, v.township),
    h('td', {}, String(v.held.length), ' ', h('span', { class: 'muted small' }, names(v.held))),
    h('td', {}, names(v.warned)), h('td', {}, t('r_state_' + (v.state || 'none'))))));
    this.el.dataset.loaded = 'true';
    this.el.dataset.scheme = o.scheme;
  }
}
