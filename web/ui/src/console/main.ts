// The mediation console (矛调中心工作台): a centre's live case queue, its cases, and the actions
// of the workflow (docs/cases.md, docs/cases-api.md).
import '../lib/desk.css';
import './style.css';
import { api, ApiError, type Category, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { currentLang, initLang, setDictionaries, setLang, t } from '../lib/i18n';
import { centrePicker } from './centres';
import { setCategories } from './format';
import { setCalendar, type WorkingCalendar } from './working_time';
import { messages } from './messages';
import { loadCentre, loadSession, saveCentre, saveSession } from './session';
import { signInForm } from '../lib/signin';
import type { MyCentres } from './types';
import { Workspace } from './workspace';

setDictionaries(messages);
initLang();
const root = document.getElementById('app')!;
let workspace: Workspace | null = null;

function langButton(): HTMLElement {
  return h('button', { type: 'button', class: 'link', 'data-test': 'lang', onclick: () => {
    setLang(currentLang() === 'en' ? 'zh-CN' : 'en');
    location.reload();
  } }, t('lang_switch'));
}

function showSignIn(notice = ''): void {
  workspace?.stop();
  workspace = null;
  document.title = t('app_title');
  clear(root);
  root.append(
    h('header', { class: 'bar' }, h('h1', {}, t('app_title')), langButton()),
    h('main', { class: 'narrow' }, signInForm(notice, (s) => {
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

// enter loads what every page needs, then opens the centre last used, the only one there is,
// or the picker.
async function enter(session: Session): Promise<void> {
  clear(root);
  root.append(h('p', { class: 'muted narrow' }, t('loading')));
  let mine: MyCentres;
  try {
    const [cats, centres, calendar] = await Promise.all([
      api<{ categories: Category[] }>('GET', '/api/categories', session.token),
      api<MyCentres>('GET', '/api/my/centres', session.token),
      // Without it (an older server), working-clock deadlines count down in calendar time.
      api<WorkingCalendar>('GET', '/api/calendar', session.token).catch(() => null),
    ]);
    setCategories(cats.categories);
    if (calendar) setCalendar(calendar);
    mine = centres;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return expired();
    clear(root);
    root.append(h('p', { class: 'error narrow', role: 'alert' }, e instanceof ApiError && e.status !== 0 ? e.message : t('err_network')),
      h('button', { type: 'button', class: 'primary narrow', onclick: () => void enter(session) }, t('loading').replace('…', '')));
    return;
  }
  const saved = loadCentre(session.member.id);
  if (saved) return openCentre(session, mine, saved);
  if (mine.centres.length === 1 && mine.subtrees.length === 0) return openCentre(session, mine, mine.centres[0].code);
  showPicker(session, mine);
}

function bar(session: Session, ...extra: (HTMLElement | null)[]): HTMLElement {
  return h('header', { class: 'bar' }, h('h1', {}, t('app_title')), ...extra,
    h('span', { class: 'who' }, session.member.name), langButton(),
    h('button', { type: 'button', class: 'link', 'data-test': 'sign-out', onclick: () => signOut(session) }, t('sign_out')));
}

function showPicker(session: Session, mine: MyCentres): void {
  workspace?.stop();
  workspace = null;
  document.title = t('app_title');
  clear(root);
  root.append(bar(session), h('main', { class: 'narrow' }, centrePicker(mine, (code) => {
    saveCentre(session.member.id, code);
    openCentre(session, mine, code);
  })));
}

function openCentre(session: Session, mine: MyCentres, code: string): void {
  workspace?.stop();
  const conn = h('span', { class: 'conn', 'data-conn': 'offline' }, t('conn_offline'));
  const name = h('span', { class: 'centre-name', 'data-centre': code }, code);
  const canSwitch = mine.centres.length + mine.subtrees.length > 1 || !mine.centres.some((c) => c.code === code);
  const switcher = canSwitch ? h('button', { type: 'button', class: 'link', 'data-test': 'switch-centre', onclick: () => {
    saveCentre(session.member.id, null);
    history.replaceState(null, '', location.pathname + location.search);
    showPicker(session, mine);
  } }, t('switch_centre')) : null;
  let titled = t('app_title');
  let arrived = 0;
  // The tab's title counts the cases that arrived live and were not looked at: (3) 东阜村 - 矛调中心工作台.
  const title = () => {
    document.title = (arrived > 0 ? `(${arrived}) ` : '') + titled;
  };
  workspace = new Workspace(session, code, {
    expired,
    centre: (c) => {
      name.replaceChildren(c.name, h('span', { class: 'centre-level' }, ' · ' + t('level_' + c.level)));
      name.title = name.textContent ?? '';
      titled = c.name + ' - ' + t('app_title');
      title();
    },
    arrivals: (n) => {
      arrived = n;
      title();
    },
    conn: (s) => {
      conn.dataset.conn = s;
      conn.textContent = t('conn_' + s);
    },
  }, { supervisor: mine.subtrees.some((s) => s.role === 'supervisor') });
  clear(root);
  root.append(bar(session, name, conn, switcher), workspace.el);
  workspace.start();
}

const session = loadSession();
if (session) void enter(session);
else showSignIn();
