// Referrals of a mediation (移交): to a court for judicial confirmation (司法确认, within 30 days
// of the agreement) or to another body of 三调联动; and, later, what became of one.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import type { Mediation, Referral } from './mediation_types';

const kinds: Referral['kind'][] = ['court', 'peoples', 'administrative', 'judicial', 'other'];
const results: Referral['result'][] = ['confirmed', 'refused', 'settled', 'unsettled', 'withdrawn'];

// today is the date in the browser's zone, as a date input's value.
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

type Send = (body: Record<string, unknown>) => Promise<void>;

function formOf(test: string, title: string, fields: HTMLElement[], submit: () => Record<string, unknown>, send: Send, cancel: () => void): HTMLFormElement {
  const message = h('p', { class: 'med-message error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary', 'data-test': test + '-save' }, t('med_save'));
  return h('form', { class: 'act-form', 'data-test': test, novalidate: true, onsubmit: async (e: Event) => {
    e.preventDefault();
    button.disabled = true;
    message.textContent = '';
    try {
      await send(submit());
    } catch (err) {
      message.textContent = String((err as Error).message);
    } finally {
      button.disabled = false;
    }
  } }, h('h4', {}, title), ...fields, message,
  h('div', { class: 'buttons' }, button, h('button', { type: 'button', class: 'link', onclick: cancel }, t('cancel'))));
}

// referralForm records a referral; a settled mediation proposes the court first.
export function referralForm(m: Mediation, send: Send, cancel: () => void): HTMLFormElement {
  const kind = h('select', { name: 'kind' }, kinds.map((k) => h('option', { value: k, selected: k === (m.outcome === 'settled' ? 'court' : 'peoples') }, t('med_kind_' + k))));
  const body = h('input', { name: 'body', maxlength: 100, placeholder: t('med_body_hint') });
  const on = h('input', { name: 'referred_on', type: 'date', value: today(), max: today() });
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 2000 });
  const note = m.confirm_by ? h('p', { class: 'muted' }, t('med_confirm_by', { at: m.confirm_by })) : null;
  return formOf('med-refer-form', t('med_refer'), [h('label', {}, t('med_kind'), kind), h('label', {}, t('med_body'), body),
    h('label', {}, t('med_referred_on'), on), h('label', {}, t('med_reason'), reason), ...(note ? [note] : [])],
  () => ({ kind: kind.value, body: body.value, referred_on: on.value, reason: reason.value }), send, cancel);
}

// resultForm records what became of a referral.
export function resultForm(r: Referral, send: Send, cancel: () => void): HTMLFormElement {
  const result = h('select', { name: 'result' }, results.map((x) => h('option', { value: x }, t('med_result_' + x))));
  const on = h('input', { name: 'result_on', type: 'date', value: today(), min: r.referred_on, max: today() });
  const note = h('textarea', { name: 'result_note', rows: 2, maxlength: 2000 });
  return formOf('med-result-form', t('med_record_result'), [h('label', {}, t('med_result'), result), h('label', {}, t('med_result_on'), on),
    h('label', {}, t('med_result_note'), note)],
  () => ({ version: r.version, result: result.value, result_on: on.value, result_note: note.value }), send, cancel);
}

// referralItem is one referral as the record lists it.
export function referralItem(r: Referral, owned: boolean, onResult: () => void): HTMLElement {
  return h('li', { class: 'med-referral', 'data-test': 'med-referral' },
    h('strong', {}, t('med_kind_' + r.kind)), ' → ', r.body, ' ', h('span', { class: 'muted' }, r.referred_on),
    h('div', {}, h('span', { class: 'k' }, t('med_reason')), r.reason),
    h('div', {}, h('span', { class: 'k' }, t('med_result')), h('span', { class: 'tag med-result-' + r.result }, t('med_result_' + r.result)),
      r.result_on ? ' ' + r.result_on : '', r.result_note ? ' · ' + r.result_note : ''),
    owned && r.result === 'pending' ? h('button', { type: 'button', class: 'act', 'data-test': 'med-result', onclick: onResult }, t('med_record_result')) : null);
}
