// The supervisors' dashboard (督导驾驶舱): closure-rate figures by area, tier, category and
// period, a map of the grid coloured by performance, rankings and the weekly bulletin
// (docs/dashboard.md, docs/stats-api.md). The board, and ECharts with it, is loaded by a
// dynamic import() once signed in, so the sign-in form does not wait for the charts chunk.
import '../lib/desk.css';
import './style.css';
import { api, ApiError, type Category, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { currentLang, initLang, setDictionaries, setLang, t } from '../lib/i18n';
import { signInForm } from '../lib/signin';
import type { Board } from './board';
import { messages } from './messages';
import { loadScopeUnit, loadSession, saveScopeUnit, saveSession } from './session';
import type { FiguresOptions, ScopeUnit } from './types';

// defaultFigures: what an older server that does not send its FiguresOptions is taken to use.
const defaultFigures: FiguresOptions = { ranking_min_cases: 5, map_bands: [85, 92, 97], aged_days: 30 };

setDictionaries(messages);
initLang();
document.title = t('app_title');
const root = document.getElementById('app')!;
let board: Board | null = null;

function langButton(): HTMLElement {
  return h('button', { type: 'button', class: 'link', 'data-test': 'lang', onclick: () => {
    setLang(currentLang() === 'en' ? 'zh-CN' : 'en');
    location.reload();
  } }, t('lang_switch'));
}

// ratingsView: the 评星定级 view (#ratings, rating_board.ts) instead of the figures.
const ratingsView = () => location.hash.startsWith('#ratings');

function viewSwitch(): HTMLElement {
  return h('button', { type: 'button', class: 'link', 'data-test': 'view-switch', onclick: () => {
    location.hash = ratingsView() ? '' : '#ratings';
    location.reload();
  } }, t(ratingsView() ? 'view_figures' : 'view_ratings'));
}

function bar(session: Session | null, ...extra: HTMLElement[]): HTMLElement {
  return h('header', { class: 'bar controls' }, h('h1', {}, t('app_title')), ...extra, session ? viewSwitch() : null,
    session ? h('span', { class: 'who' }, session.member.name) : null, langButton(),
    session ? h('button', { type: 'button', class: 'link', 'data-test': 'sign-out', onclick: () => signOut(session) }, t('sign_out')) : null);
}

function showSignIn(notice = ''): void {
  board?.stop();
  board = null;
  clear(root);
  root.append(bar(null), h('main', { class: 'narrow' }, signInForm(notice, (s) => {
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

// enter loads the member's scope and the categories, then opens the scope unit last used, or
// the most senior.
async function enter(session: Session): Promise<void> {
  clear(root);
  root.append(bar(session), h('p', { class: 'muted narrow' }, t('loading')));
  let scope: ScopeUnit[];
  let cats: Category[];
  let figures: FiguresOptions;
  let Board: typeof import('./board').Board;
  try {
    const [s, c, b] = await Promise.all([
      api<{ units: ScopeUnit[]; figures?: FiguresOptions }>('GET', '/api/stats/scope', session.token),
      api<{ categories: Category[] }>('GET', '/api/categories', session.token),
      import('./board').catch(() => {
        throw new ApiError(0, 'network', 'the board did not load');
      }),
    ]);
    scope = s.units ?? [];
    cats = c.categories ?? [];
    figures = s.figures ?? defaultFigures;
    Board = b.Board;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return expired();
    clear(root);
    root.append(bar(session), h('main', { class: 'narrow' },
      h('p', { class: 'error', role: 'alert' }, e instanceof ApiError && e.status === 403 ? t('no_scope')
        : e instanceof ApiError && e.status !== 0 ? e.message : t('err_network')),
      h('button', { type: 'button', class: 'primary', onclick: () => void enter(session) }, t('retry'))));
    return;
  }
  // 评星定级 is also the villages' own: their mediators assess themselves there (no figures)
  const villages = session.member.assignments.filter((a) => a.role === 'mediator' && a.unit_code.length === 12).map((a) => a.unit_code);
  if (ratingsView() && (scope.length > 0 || villages.length > 0)) {
    const { RatingBoard } = await import('./rating_board');
    const saved = loadScopeUnit(session.member.id);
    const rb = new RatingBoard(session, scope, scope.find((u) => u.code === saved) ?? scope[0], villages, expired);
    clear(root);
    root.append(bar(session), rb.el);
    void rb.start();
    return;
  }
  if (scope.length === 0) {
    clear(root);
    root.append(bar(session), h('main', { class: 'narrow' }, h('p', { class: 'error', role: 'alert' }, t('no_scope'))));
    return;
  }
  const saved = loadScopeUnit(session.member.id);
  const start = scope.find((u) => u.code === saved) ?? scope[0];
  const conn = h('span', { class: 'conn', 'data-conn': 'offline' }, t('conn_offline'));
  board = new Board(session, scope, start, cats, figures, {
    expired,
    conn: (s) => {
      conn.dataset.conn = s;
      conn.textContent = t('conn_' + s);
    },
    scope: (u) => {
      saveScopeUnit(session.member.id, u.code);
      document.title = u.name + ' - ' + t('app_title');
    },
  });
  clear(root);
  root.append(bar(session, conn), board.el);
  board.start();
}

const session = loadSession();
if (session) void enter(session);
else showSignIn();
