// The grid's problems as one list and one colour each, shared by the import's and the change
// set's reports.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { area, kindName, levelName } from './format';
import type { GridProblem } from './types';
import type { Style } from './map';

export const problemStyles: Record<string, Style> = {
  ok: { fill: '#e4f5e9', border: '#1f7a3a' },
  invalid_geometry: { fill: 'rgba(198,40,40,0.55)', border: '#c62828' },
  outside_parent: { fill: 'rgba(239,108,0,0.5)', border: '#ef6c00' },
  overlap: { fill: 'rgba(123,31,162,0.45)', border: '#7b1fa2' },
  gap: { fill: 'rgba(249,168,37,0.5)', border: '#f9a825' },
  unknown_parent: { fill: 'rgba(0,131,143,0.45)', border: '#00838f' },
  far_from_rest: { fill: 'rgba(93,64,55,0.45)', border: '#5d4037' },
  retired_code: { fill: 'rgba(96,96,96,0.45)', border: '#424242' },
  other: { fill: 'rgba(198,40,40,0.3)', border: '#c62828' },
};

// problemClass: the colour of a unit with these problems, the most serious first.
export function problemClass(kinds: unknown): string {
  const list = Array.isArray(kinds) ? (kinds as string[]) : [];
  if (list.length === 0) return 'ok';
  for (const k of ['invalid_geometry', 'unknown_parent', 'retired_code', 'outside_parent', 'overlap', 'gap', 'far_from_rest']) {
    if (list.includes(k)) return k;
  }
  return 'other';
}

export interface ListedProblem {
  kind: string;
  code: string;
  name: string;
  level: string;
  detail: string;
  area: string;
}

export function fromGrid(p: GridProblem): ListedProblem {
  const other = p.other ? t('with_other', { code: p.other }) + ' ' : '';
  return { kind: p.kind, code: p.code, name: p.name, level: p.level === undefined || p.level === '' ? '' : levelName(p.level),
    detail: other + (p.detail ?? ''), area: area(p.area_m2) };
}

function kindTag(kind: string): HTMLElement {
  const el = h('span', { class: 'kind' }, kindName(kind));
  el.style.borderColor = (problemStyles[kind] ?? problemStyles.other).border;
  return el;
}

// problemTable: every problem in one table (cards at 360 px), kind in words first.
export function problemTable(list: ListedProblem[]): HTMLElement {
  if (list.length === 0) return h('p', { class: 'ok-note' }, t('no_problems'));
  const head = [t('col_kind'), t('col_unit'), t('col_detail'), t('col_area')];
  return h('div', { class: 'scroll' }, h('table', { class: 'problems responsive' },
    h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))),
    h('tbody', {}, list.map((p) => h('tr', { 'data-kind': p.kind, 'data-code': p.code },
      h('td', { 'data-label': head[0] }, kindTag(p.kind)),
      h('td', { 'data-label': head[1] }, h('span', {}, p.name || '—'), h('br', {}), h('small', { class: 'muted' }, [p.code, p.level].filter(Boolean).join(' · '))),
      h('td', { 'data-label': head[2], class: 'detail' }, p.detail),
      h('td', { 'data-label': head[3], class: 'num' }, p.area))))));
}
