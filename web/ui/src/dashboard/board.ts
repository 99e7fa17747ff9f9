// The dashboard of one scope: filters, where we are, the KPI tiles, the map, the trend, the
// ranking, the breakdowns and the backlog by age of the unit shown, kept live by the websocket (and every minute
// besides); and the weekly bulletin (#bulletin) of the same unit.
import { ApiError, type Category, type Session } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { BacklogView } from './backlog';
import { DeclinesView } from './declines';
import { Breadcrumb } from './breadcrumb';
import { CategoryBreakdown, TierBreakdown } from './breakdown';
import { Bulletin } from './bulletin';
import { FilterBar } from './filters';
import { KpiTiles } from './kpis';
import { LiveSocket, Refresher, type ConnState } from './live';
import { MapView } from './map_view';
import { PointsRankView } from './points_rank';
import { PointsAuditView } from './points_audit';
import { Ranking } from './ranking';
import { StatsAPI, statsPath } from './stats_api';
import { TrendView } from './trend';
import type { FiguresOptions, ScopeUnit, UnitRow } from './types';

export interface BoardEvents {
  expired(): void; // the session is gone: sign in again
  conn(s: ConnState): void;
  scope(u: ScopeUnit): void; // the scope unit chosen, to reopen next time
}

const fallbackMs = 60_000;

export class Board {
  readonly el = h('main', { class: 'board', 'data-loaded': 'false' });
  private api: StatsAPI;
  private filters: FilterBar;
  private crumbs: Breadcrumb;
  private kpis = new KpiTiles();
  private map: MapView;
  private trend: TrendView;
  private ranking: Ranking;
  private cats: CategoryBreakdown;
  private tiers: TierBreakdown;
  private backlog = new BacklogView();
  private declines: DeclinesView; // 反复退单 (issue 16)
  private bulletin: Bulletin;
  private points: PointsRankView; // 积分排名 (#points, issue 17)
  private audit: PointsAuditView; // 积分月度审核 (#audit, issue 17)
  private live: LiveSocket;
  private refresher = new Refresher(() => this.load());
  private notice = h('p', { class: 'error', role: 'alert' });
  private dash: HTMLElement;
  private seq = 0;
  private mapFor = ''; // the unit whose map is drawn
  private loads = 0;
  private interval: number | undefined;
  private readonly onHash = () => this.route();

  constructor(session: Session, scope: ScopeUnit[], start: ScopeUnit, categories: Category[], figures: FiguresOptions,
    private on: BoardEvents) {
    this.api = new StatsAPI(session.token);
    this.declines = new DeclinesView(session.token, categories);
    this.filters = new FilterBar(categories, () => void this.load());
    this.crumbs = new Breadcrumb(scope, (u, trail) => this.open(u, trail));
    this.crumbs.set([start]);
    const path = (route: string, extra: Record<string, string> = {}) => () =>
      statsPath(route, this.unit.code, this.filters.value, extra);
    this.map = new MapView((code, name) => this.drill({ code, name, level: this.unit.level + 1 }), figures.map_bands);
    this.trend = new TrendView(this.api, () => path('trend', { by: this.filters.value.by })());
    this.ranking = new Ranking(this.api, path('units'), (r) => this.drill(r),
      (r) => r.code !== this.unit.code && this.unit.level < 4);
    this.cats = new CategoryBreakdown(this.api, () => statsPath('categories', this.unit.code, { ...this.filters.value, category: '' }), categories);
    this.tiers = new TierBreakdown(this.api, path('tiers'));
    this.bulletin = new Bulletin(this.api, categories, () => {
      location.hash = '';
    });
    this.points = new PointsRankView(this.api, session.token, () => {
      location.hash = '';
    });
    this.audit = new PointsAuditView(session.token, () => on.expired(), () => {
      location.hash = '';
    });
    this.live = new LiveSocket(session.token, start.code, {
      state: (s) => on.conn(s),
      subscribed: () => {
        this.notice.textContent = '';
        this.refresher.poke(); // frames sent while disconnected are not replayed
      },
      changed: () => this.refresher.poke(),
      failed: (m) => {
        this.notice.textContent = m || t('err_forbidden');
      },
      refused: () => void this.checkSession(),
    });
    this.dash = h('div', { class: 'dash' },
      h('div', { class: 'where' }, this.crumbs.el,
        h('button', { type: 'button', class: 'small-button controls', 'data-test': 'bulletin', onclick: () => {
          location.hash = '#bulletin';
        } }, t('bulletin')),
        h('button', { type: 'button', class: 'small-button controls', 'data-test': 'points', onclick: () => {
          location.hash = '#points';
        } }, t('points_button')),
        h('button', { type: 'button', class: 'small-button controls', 'data-test': 'audit', onclick: () => {
          location.hash = '#audit';
        } }, t('audit_button'))),
      this.filters.el, this.notice, this.kpis.el,
      h('div', { class: 'two' }, this.map.el, this.trend.el),
      this.ranking.el, this.declines.el,
      h('div', { class: 'two' }, this.cats.el, h('div', { class: 'stack' }, this.tiers.el, this.backlog.el)));
    this.el.append(this.dash, this.bulletin.el, this.points.el, this.audit.el);
  }

  get unit(): ScopeUnit {
    return this.crumbs.current;
  }

  start(): void {
    this.live.start();
    this.interval = window.setInterval(() => this.refresher.poke(), fallbackMs);
    window.addEventListener('hashchange', this.onHash);
    this.on.scope(this.unit);
    this.el.dataset.unit = this.unit.code;
    this.route();
    void this.load();
  }

  stop(): void {
    this.live.stop();
    this.refresher.stop();
    clearInterval(this.interval);
    window.removeEventListener('hashchange', this.onHash);
    this.seq++;
  }

  private drill(r: Pick<UnitRow, 'code' | 'name'> & { level?: number }): void {
    if (r.code === this.unit.code || this.unit.level >= 4) return;
    this.crumbs.push({ code: r.code, name: r.name, level: r.level ?? this.unit.level + 1 });
    this.open(this.unit, this.crumbs.path);
  }

  private open(u: ScopeUnit, trail: ScopeUnit[]): void {
    if (trail.length === 1) this.on.scope(u);
    this.el.dataset.unit = u.code;
    this.live.watch(u.code);
    void this.load();
  }

  private route(): void {
    const bulletin = location.hash === '#bulletin', points = location.hash === '#points', audit = location.hash === '#audit';
    this.dash.hidden = bulletin || points || audit;
    this.bulletin.el.hidden = !bulletin;
    this.points.el.hidden = !points;
    this.audit.el.hidden = !audit;
    if (bulletin) this.bulletin.show(this.unit);
    if (points) this.points.show(this.unit);
    if (audit) void this.audit.show(this.unit);
    window.scrollTo(0, 0);
  }

  // load fetches the figures of the unit shown (and its map, if not drawn yet); an answer that
  // arrives after a newer load started is dropped.
  private async load(): Promise<void> {
    const unit = this.unit.code, f = this.filters.current(), seq = ++this.seq;
    const withMap = this.mapFor !== unit;
    this.el.dataset.loaded = 'false';
    try {
      const [summary, units, trend, cats, map] = await Promise.all([
        this.api.summary(unit, f), this.api.units(unit, f), this.api.trend(unit, f), this.api.categories(unit, f),
        withMap ? this.api.map(unit) : Promise.resolve(null)]);
      if (seq !== this.seq) return;
      this.notice.textContent = '';
      this.kpis.render(summary);
      this.tiers.render(summary.tiers ?? []);
      this.backlog.render(summary.backlog ?? []);
      void this.declines.load(unit, f).catch(() => {}); // its own card: a failure leaves it as it was
      this.ranking.render(units.units, units.ranking_min_cases);
      this.trend.render(trend);
      this.cats.render(cats.categories);
      if (map) {
        this.map.show(unit, map, units.units);
        this.mapFor = unit;
      } else this.map.update(units.units);
      this.el.dataset.loaded = 'true';
      this.el.dataset.loads = String(++this.loads);
    } catch (e) {
      if (seq !== this.seq) return;
      if (e instanceof ApiError && e.status === 401) return this.on.expired();
      this.notice.textContent = e instanceof ApiError && e.status === 403 ? t('err_forbidden')
        : e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
    }
  }

  private async checkSession(): Promise<void> {
    try {
      await this.api.scope();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.on.expired();
    }
  }
}
