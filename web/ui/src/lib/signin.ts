// The sign-in form (POST /api/sessions), shared by the desk apps. It needs the app's words
// app_title, phone, password, sign_in, signing_in, signin_failed, signin_limited, signin_offline.
import { api, ApiError, type Session } from './api';
import { h } from './dom';
import { t } from './i18n';

export function signInForm(notice: string, signedIn: (s: Session) => void): HTMLElement {
  const phone = h('input', { name: 'phone', type: 'tel', inputmode: 'numeric', autocomplete: 'username', required: true, maxlength: 20 });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 72 });
  const message = h('p', { class: 'error', role: 'alert' }, notice);
  const submit = h('button', { type: 'submit', class: 'primary' }, t('sign_in'));
  return h('form', { class: 'signin card', onsubmit: async (e: Event) => {
    e.preventDefault();
    submit.disabled = true;
    submit.textContent = t('signing_in');
    message.textContent = '';
    try {
      signedIn(await api<Session>('POST', '/api/sessions', null, JSON.stringify({ phone: phone.value.trim(), password: password.value })));
    } catch (err) {
      const e2 = err as ApiError;
      message.textContent = e2.status === 429 ? t('signin_limited', { s: e2.retryAfterS || 60 })
        : e2.status === 0 ? t('signin_offline') : e2.status === 401 ? t('signin_failed') : e2.message;
      submit.disabled = false;
      submit.textContent = t('sign_in');
    }
  } },
  h('h2', {}, t('app_title')),
  h('label', {}, t('phone'), phone),
  h('label', {}, t('password'), password),
  message, submit);
}
