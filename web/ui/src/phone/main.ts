// The grid worker's phone app: sign in, report events (kept in an IndexedDB outbox until the
// server acknowledges them), and follow what became of them.
import './style.css';
import { api, ApiError, type Category, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { currentLang, initLang, setDictionaries, setLang, t } from '../lib/i18n';
import { messages } from './messages';
import { MyReports } from './my_reports';
import { OutboxSender } from './outbox';
import { MyPoints } from './points';
import { ReportForm } from './report_form';
import { PhoneSocket, type ConnState } from './socket';
import { getCategories, getSession, items, putCategories, putSession } from './store';

setDictionaries(messages);
initLang();
const root = document.getElementById('app')!;

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('/phone/sw.js', { scope: '/phone/' }).catch(() => {});
}

async function start(): Promise<void> {
  const session = await getSession();
  if (session && new Date(session.expires_at).getTime() > Date.now()) {
    showApp(session);
  } else {
    showSignIn();
  }
}

function langButton(onSwitch: () => void): HTMLElement {
  return h('button', {
    type: 'button', class: 'link', 'data-test': 'lang',
    onclick: () => {
      setLang(currentLang() === 'en' ? 'zh-CN' : 'en');
      onSwitch();
    },
  }, t('lang_switch'));
}

function showSignIn(notice = ''): void {
  document.title = t('app_title');
  clear(root);
  const phone = h('input', { name: 'phone', type: 'tel', inputmode: 'numeric', autocomplete: 'username', required: true, maxlength: 20 });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 72 });
  const message = h('p', { class: 'error', role: 'alert' }, notice);
  const submit = h('button', { type: 'submit', class: 'primary' }, t('sign_in'));
  const form = h('form', { class: 'signin', onsubmit: async (e: Event) => {
    e.preventDefault();
    submit.disabled = true;
    submit.textContent = t('signing_in');
    message.textContent = '';
    try {
      const s = await api<Session>('POST', '/api/sessions', null, JSON.stringify({ phone: phone.value.trim(), password: password.value }));
      await putSession(s);
      showApp(s);
    } catch (err) {
      const e2 = err as ApiError;
      message.textContent = e2.status === 429 ? t('signin_limited', { s: e2.retryAfterS || 60 }) : e2.status === 0 ? t('signin_offline') : e2.status === 401 ? t('signin_failed') : e2.message;
      submit.disabled = false;
      submit.textContent = t('sign_in');
    }
  } },
  h('label', {}, t('phone'), phone),
  h('label', {}, t('password'), password),
  message, submit);
  root.append(h('header', { class: 'bar' }, h('h1', {}, t('app_title')), langButton(() => showSignIn(notice))), h('main', {}, form));
}

async function loadCategories(token: string): Promise<Category[]> {
  try {
    const res = await api<{ categories: Category[] }>('GET', '/api/categories', token);
    await putCategories(res.categories);
    return res.categories;
  } catch {
    return (await getCategories()) ?? []; // offline: the copy from last time
  }
}

function showApp(session: Session): void {
  document.title = t('app_title');
  let connState: ConnState = 'offline';
  const conn = h('span', { class: 'conn', 'data-conn': connState });
  const renderConn = () => {
    conn.dataset.conn = connState;
    conn.textContent = t('conn_' + connState);
  };
  renderConn();

  let sender: OutboxSender;
  const socket = new PhoneSocket(session.token, {
    frame: (f) => {
      void sender.onFrame(f);
      if (f.type === 'status') mine.onStatus(f);
    },
    state: (s) => {
      connState = s;
      renderConn();
      mine.setOnline(s !== 'offline');
      if (s === 'online') {
        void sender.flush();
        void mine.refresh();
        void form.relocate(false);
        void form.refreshOutlines();
      } else {
        void sender.disconnected();
      }
    },
    refused: () => void checkSession(),
  });
  const mine = new MyReports(session, () => void sender.flush(), () => connState !== 'offline' && navigator.onLine);
  sender = new OutboxSender(session.member.id, session.token, socket, () => {
    void mine.render();
    void form.showReceipt();
  });
  const form = new ReportForm(session, () => connState === 'online', () => {
    void mine.render();
    void sender.flush();
  });

  const checkSession = async () => {
    try {
      await api('GET', '/api/me', session.token);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) signOut(false, t('session_expired'));
    }
  };

  const signOut = (tellServer: boolean, notice = '') => {
    socket.stop();
    if (tellServer) api('DELETE', '/api/sessions/current', session.token).catch(() => {});
    void putSession(undefined).then(() => location.replace('/phone/' + (notice ? '#expired' : '')));
  };

  const points = new MyPoints(session); // 我的积分
  const tabs = { report: form.el, mine: mine.el, points: points.el };
  const tabButtons = Object.keys(tabs).map((k) => h('button', { type: 'button', role: 'tab', 'data-tab': k, onclick: () => select(k as keyof typeof tabs) },
    t('tab_' + k), k === 'mine' ? [mine.badge, mine.taskBadge] : null));
  const select = (k: keyof typeof tabs) => {
    for (const b of tabButtons) b.setAttribute('aria-selected', String(b.dataset.tab === k));
    for (const [name, el] of Object.entries(tabs)) el.hidden = name !== k;
    if (k === 'report') form.shown();
    if (k === 'points') void points.refresh();
  };

  // 退出 asks first: signing out by a slip of the thumb in the field means typing the password
  // again, maybe with no signal; reports not yet sent stay on the phone either way.
  const confirmBox = h('div', { class: 'confirm-out', role: 'alertdialog', 'aria-modal': 'false', 'data-test': 'confirm-sign-out', hidden: true });
  const askSignOut = async () => {
    const waiting = (await items(session.member.id)).filter((i) => i.state === 'queued' || i.state === 'sending').length;
    clear(confirmBox);
    confirmBox.append(
      h('p', {}, t('sign_out_confirm')),
      waiting ? h('p', { class: 'warn' }, t('sign_out_pending', { n: waiting })) : '',
      h('div', { class: 'confirm-buttons' },
        h('button', { type: 'button', class: 'secondary', 'data-test': 'sign-out-cancel', onclick: () => { confirmBox.hidden = true; } }, t('cancel')),
        h('button', { type: 'button', class: 'primary', 'data-test': 'sign-out-yes', onclick: () => signOut(true) }, t('sign_out'))));
    confirmBox.hidden = false;
    (confirmBox.querySelector('[data-test=sign-out-cancel]') as HTMLElement).focus();
  };

  clear(root);
  root.append(
    h('header', { class: 'bar' }, h('h1', {}, t('app_title')), conn,
      h('span', { class: 'who' }, session.member.name),
      langButton(() => location.reload()),
      h('button', { type: 'button', class: 'link', 'data-test': 'sign-out', onclick: () => void askSignOut() }, t('sign_out'))),
    confirmBox,
    h('nav', { class: 'tabs', role: 'tablist' }, tabButtons),
    h('main', {}, form.el, mine.el, points.el),
  );
  select('report');
  void loadCategories(session.token).then((c) => form.setCategories(c)).then(() => mine.setCategories(form.categories));
  void mine.render();
  socket.start();
}

if (location.hash === '#expired') {
  history.replaceState(null, '', location.pathname);
  showSignIn(t('session_expired'));
} else {
  void start();
}
