// 回访 on the case page: the party's satisfaction in the callback form (满意 / 基本满意 /
// 不满意, which reopens the case at its tier), and the callback's standing beside the case's
// state (pending until when, tries that did not reach the party, or how it ended).
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { fullTime } from './format';
import type { QueueCase } from './types';

export const satisfactions = ['satisfied', 'basic', 'dissatisfied'];

// satisfactionField is three radio buttons, big enough to tap; the choice is kept in the draft.
export function satisfactionField(draft: Record<string, string>): HTMLElement {
  return h('fieldset', { class: 'satisfaction', 'data-test': 'satisfaction' },
    h('legend', {}, t('satisfaction')),
    satisfactions.map((s) => {
      const input = h('input', { type: 'radio', name: 'satisfaction', value: s, required: true,
        onchange: () => { draft.satisfaction = s; } });
      input.checked = draft.satisfaction === s;
      return h('label', { class: 'sat-choice sat-' + s }, input, t('sat_' + s));
    }));
}

// callbackTag is the callback's standing for the case page's head; null if it was never called back.
export function callbackTag(c: QueueCase): HTMLElement | null {
  if (!c.callback) return null;
  if (c.callback === 'pending') {
    const late = c.callback_due_at ? Date.parse(c.callback_due_at) <= Date.now() : false;
    return h('span', { class: 'tag callback pending' + (late ? ' late' : ''), 'data-test': 'callback-tag', 'data-callback': 'pending' },
      t('cb_pending'), c.callback_due_at ? ' · ' + t('cb_due', { at: fullTime(c.callback_due_at) }) : '',
      c.callback_tries ? ' · ' + t('cb_tries', { n: c.callback_tries }) : '');
  }
  return h('span', { class: 'tag callback ' + c.callback, 'data-test': 'callback-tag', 'data-callback': c.callback }, t('cb_' + c.callback));
}
