// One-time codes, shown once: each with a copy button, and for a roster's new members a CSV
// made in the browser (nothing is kept: a code lost is reset again).
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { dateTime } from './format';
import { saveBlob } from './http';
import type { OneTimeCode } from './types';

async function copy(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = t('copied');
  } catch {
    // without a secure context there is no clipboard: select the text for the user to copy
    const sel = window.getSelection();
    const target = button.previousElementSibling;
    if (sel && target) {
      sel.selectAllChildren(target);
      button.textContent = t('copy_selected');
    }
  }
}

export function codeBox(c: OneTimeCode, who: string): HTMLElement {
  const b = h('button', { type: 'button', class: 'secondary' }, t('copy'));
  b.addEventListener('click', () => void copy(c.code, b));
  return h('div', { class: 'code-box', role: 'status' },
    h('p', {}, t('code_for', { who })),
    h('div', { class: 'code-line' }, h('code', { class: 'one-time-code', 'data-code': c.code }, c.code), b),
    h('p', { class: 'muted small' }, t('code_once', { at: dateTime(c.expires_at) })));
}

export function codesTable(codes: OneTimeCode[]): HTMLElement {
  const head = [t('col_name'), t('col_phone'), t('col_code'), t('col_expires')];
  const all = h('button', { type: 'button', class: 'secondary', 'data-test': 'codes-csv', onclick: () => saveBlob(codesCSV(codes), 'one-time-codes.csv') },
    t('codes_csv'));
  return h('div', { class: 'codes' },
    h('p', { class: 'notice' }, t('codes_once', { n: codes.length })),
    h('div', { class: 'scroll' }, h('table', { class: 'responsive codes-table' },
      h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))),
      h('tbody', {}, codes.map((c) => h('tr', { 'data-phone': c.phone ?? '' },
        h('td', { 'data-label': head[0] }, c.name ?? ''), h('td', { 'data-label': head[1] }, c.phone ?? ''),
        h('td', { 'data-label': head[2] }, h('code', { class: 'one-time-code' }, c.code)),
        h('td', { 'data-label': head[3] }, dateTime(c.expires_at))))))),
    h('div', { class: 'buttons' }, all));
}

// codesCSV: UTF-8 with a byte order mark so Excel reads the names; a cell that a spreadsheet
// would take for a formula is prefixed with an apostrophe.
export function codesCSV(codes: OneTimeCode[]): Blob {
  const cell = (s: string) => {
    const v = /^[=+\-@\t\r]/.test(s) ? "'" + s : s;
    return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  };
  const lines = [['phone', 'name', 'code', 'expires_at'].join(','),
    ...codes.map((c) => [c.phone ?? '', c.name ?? '', c.code, c.expires_at].map(cell).join(','))];
  return new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
}
