// "Choose a new password" (POST /api/me/password), for whoever signed in with a one-time code
// and is answered 403 password_change_required until they do. Shared by the apps; it needs
// the app's words pw_title, pw_intro, pw_current, pw_new, pw_repeat, pw_mismatch, pw_submit,
// pw_bad_current, pw_saving, signin_offline.
import { api, ApiError } from './api';
import { h } from './dom';
import { t } from './i18n';

export function newPasswordForm(token: string, current: string, done: () => void): HTMLElement {
  const cur = h('input', { name: 'current', type: 'password', autocomplete: 'current-password', required: true, maxlength: 72 });
  cur.value = current;
  const next = h('input', { name: 'new', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 72 });
  const again = h('input', { name: 'repeat', type: 'password', autocomplete: 'new-password', required: true, maxlength: 72 });
  const message = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('pw_submit'));
  return h('form', { class: 'signin card new-password', onsubmit: async (e: Event) => {
    e.preventDefault();
    message.textContent = '';
    if (next.value !== again.value) {
      message.textContent = t('pw_mismatch');
      return;
    }
    submit.disabled = true;
    submit.textContent = t('pw_saving');
    try {
      await api('POST', '/api/me/password', token, JSON.stringify({ current: cur.value, new: next.value }));
      done();
      return;
    } catch (err) {
      const e2 = err as ApiError;
      const field = (e2.data as { field?: string } | undefined)?.field;
      message.textContent = e2.status === 0 ? t('signin_offline') : field === 'current' ? t('pw_bad_current') : e2.message;
    }
    submit.disabled = false;
    submit.textContent = t('pw_submit');
  } },
  h('h2', {}, t('pw_title')),
  h('p', { class: 'muted' }, t('pw_intro')),
  h('label', {}, t('pw_current'), cur),
  h('label', {}, t('pw_new'), next),
  h('label', {}, t('pw_repeat'), again),
  message, submit);
}
