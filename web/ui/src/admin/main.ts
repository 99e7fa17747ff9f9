// The administrators' app (网格管理): the grid and its changes, members and the roster, the
// categories and their routing, and the audit log (docs/admin-app.md, docs/admin-api.md).
import '../lib/desk.css';
import './style.css';
import { api, ApiError, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { currentLang, initLang, setDictionaries, setLang, t } from '../lib/i18n';
import { newPasswordForm } from '../lib/new_password';
import { signInForm } from '../lib/signin';
import type { AuditPage } from './audit_page';
import type { CalendarPage } from './calendar_page';
import type { CategoriesPage } from './categories_page';
import type { GradeRulesPage } from './grade_rules_page';
import type { AgreementTemplatePage } from './agreement_template_page';
import type { PointRulesPage } from './point_rules_page';
import type { RatingSchemesPage } from './rating_schemes_page';
import type { GridPage } from './grid_page';
import { errorText, Http } from './http';
import type { MembersPage } from './members_page';
import type { PointsMarketPage } from './points_market_page';
import { messages } from './messages';
import { loadSession, saveSession } from './session';
import type { AdminUnit } from './types';

setDictionaries(messages);
initLang();
document.title = t('app_title');
const root = document.getElementById('app')!;
const pages = ['grid', 'members', 'categories', 'calendar', 'grades', 'points', 'ratings', 'audit', 'agreement', 'market'] as const;
type PageName = (typeof pages)[number];
let onHash: (() => void) | null = null;

// loadPages imports the pages, and ECharts with them (the grid's maps), once signed in: the
// sign-in form does not wait for the charts chunk.
const loadPages = () => Promise.all([import('./grid_page'), import('./members_page'), import('./categories_page'), import('./audit_page'),
  import('./calendar_page'), import('./grade_rules_page'), import('./agreement_template_page'), import('./point_rules_page'),
  import('./points_market_page'), import('./rating_schemes_page')]);
type Pages = Awaited<ReturnType<typeof loadPages>>;

function langButton(): HTMLElement {
  return h('button', { type: 'button', class: 'link', 'data-test': 'lang', onclick: () => {
    setLang(currentLang() === 'en' ? 'zh-CN' : 'en');
    location.reload();
  } }, t('lang_switch'));
}

function bar(session: Session | null): HTMLElement {
  return h('header', { class: 'bar' }, h('h1', {}, t('app_title')),
    session ? h('span', { class: 'who' }, session.member.name) : null, langButton(),
    session ? h('button', { type: 'button', class: 'link', 'data-test': 'sign-out', onclick: () => signOut(session) }, t('sign_out')) : null);
}

function leave(): void {
  if (onHash) window.removeEventListener('hashchange', onHash);
  onHash = null;
}

function showSignIn(notice = ''): void {
  leave();
  clear(root);
  const form = signInForm(notice, (s) => {
    // kept only to fill in the password form if the server asks for a new one
    const typed = form.querySelector<HTMLInputElement>('input[name=password]')?.value ?? '';
    saveSession(s);
    if (s.member.must_change_password) showNewPassword(s, typed);
    else void enter(s);
  });
  root.append(bar(null), h('main', { class: 'narrow' }, form));
}

function showNewPassword(session: Session, typed = ''): void {
  leave();
  clear(root);
  root.append(bar(session), h('main', { class: 'narrow' }, newPasswordForm(session.token, typed, () => {
    const s = { ...session, member: { ...session.member, must_change_password: false } };
    saveSession(s);
    void enter(s);
  })));
}

function signOut(session: Session): void {
  api('DELETE', '/api/sessions/current', session.token).catch(() => {});
  saveSession(null);
  history.replaceState(null, '', location.pathname + location.search);
  showSignIn();
}

function expired(): void {
  saveSession(null);
  showSignIn(t('session_expired'));
}

// enter checks the member administers something (the roots of their subtree), then opens the
// page the address names.
async function enter(session: Session): Promise<void> {
  leave();
  clear(root);
  root.append(bar(session), h('p', { class: 'muted narrow' }, t('loading')));
  let pendingPassword = false;
  const http = new Http(session.token, { expired, passwordChange: () => { pendingPassword = true; } });
  let roots: AdminUnit[];
  let mods: Pages;
  try {
    const [units, loaded] = await Promise.all([http.get<{ units: AdminUnit[] }>('/api/admin/units'), loadPages()]);
    roots = units.units ?? [];
    mods = loaded;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    if (pendingPassword) return showNewPassword(session);
    clear(root);
    root.append(bar(session), h('main', { class: 'narrow' },
      h('p', { class: 'error', role: 'alert' }, e instanceof ApiError && e.status === 403 ? t('not_admin') : errorText(e)),
      h('button', { type: 'button', class: 'primary', onclick: () => void enter(session) }, t('retry'))));
    return;
  }
  if (roots.length === 0) {
    clear(root);
    root.append(bar(session), h('main', { class: 'narrow' }, h('p', { class: 'error', role: 'alert' }, t('not_admin'))));
    return;
  }
  // from here a pending password change (a reset by another administrator) interrupts any page
  const live = new Http(session.token, { expired, passwordChange: () => showNewPassword(session) });
  // the calendar and the grade rules are one for the county: its administrators edit them, others read
  const countyAdmin = roots.some((u) => u.level === 1);
  open(session, live, mods, countyAdmin, roots);
}

function open(session: Session, http: Http, [{ GridPage }, { MembersPage }, { CategoriesPage }, { AuditPage }, { CalendarPage }, { GradeRulesPage },
  { AgreementTemplatePage }, { PointRulesPage }, { PointsMarketPage }, { RatingSchemesPage }]: Pages, countyAdmin: boolean,
  roots: AdminUnit[]): void {
  const views: Record<PageName, GridPage | MembersPage | CategoriesPage | AuditPage | CalendarPage | GradeRulesPage | AgreementTemplatePage
    | PointRulesPage | PointsMarketPage | RatingSchemesPage> = {
    grid: new GridPage(http), members: new MembersPage(http), categories: new CategoriesPage(http), audit: new AuditPage(http),
    calendar: new CalendarPage(http, countyAdmin), grades: new GradeRulesPage(http, countyAdmin),
    agreement: new AgreementTemplatePage(http, countyAdmin), // 调解协议书模板 (docs/mediation.md)
    points: new PointRulesPage(http, countyAdmin), // 积分规则, one scheme for the county
    market: new PointsMarketPage(http, roots, countyAdmin), // 积分超市 (issue 17)
    ratings: new RatingSchemesPage(http, countyAdmin), // 评星定级方案 (docs/ratings.md)
  };
  const tabs = pages.map((p) => h('a', { href: '#' + p, class: 'tab', 'data-page': p }, t('page_' + p)));
  const main = h('main', { class: 'admin' });
  clear(root);
  root.append(bar(session), h('nav', { class: 'tabs', 'aria-label': t('pages') }, tabs), main);
  onHash = () => {
    const [name, query] = location.hash.slice(1).split('?');
    const page: PageName = (pages as readonly string[]).includes(name) ? (name as PageName) : 'grid';
    for (const a of tabs) a.setAttribute('aria-current', a.dataset.page === page ? 'page' : 'false');
    clear(main);
    main.dataset.page = page;
    main.append(views[page].el);
    const v = views[page];
    if (v instanceof AuditPage) v.show(new URLSearchParams(query ?? ''));
    else v.show();
    document.title = t('page_' + page) + ' - ' + t('app_title');
  };
  window.addEventListener('hashchange', onHash);
  onHash();
}

const session = loadSession();
if (!session) showSignIn();
else if (session.member.must_change_password) showNewPassword(session);
else void enter(session);
