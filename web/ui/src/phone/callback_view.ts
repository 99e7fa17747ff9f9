// 回访 on the reporter's case page: once the case is verified, the centre calls the party back;
// the worker sees that it will, and then what the party said (or that nobody was reached). A
// 不满意 shows on a case being handled again.
import { h } from '../lib/dom';
import { formatTime, t } from '../lib/i18n';
import type { CaseDetail } from './case_api';

export function callbackBox(d: CaseDetail): HTMLElement | null {
  const status = d.case.callback;
  if (!status) return null;
  const ended = [...(d.history ?? [])].reverse().find((r) => r.callback_result);
  return h('section', { class: 'callback callback-' + status, 'data-test': 'callback', 'data-callback': status },
    h('h3', {}, t('callback_title')),
    h('p', { class: 'callback-result' }, t('callback_' + status)),
    status !== 'pending' && ended ? h('div', { class: 'meta' }, h('span', {}, ended.actor?.name ?? t('system')), h('span', {}, formatTime(ended.at))) : null);
}
