// Choosing a centre: those where the member mediates, and for supervisors and admins any centre
// in their subtrees, by code (their subtree's own code is offered).
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import type { MyCentres } from './types';

export function centrePicker(mine: MyCentres, pick: (code: string) => void): HTMLElement {
  const el = h('section', { class: 'picker card' }, h('h2', {}, t('pick_centre')));
  if (mine.centres.length === 0 && mine.subtrees.length === 0) {
    el.append(h('p', { class: 'muted' }, t('no_centres')));
    return el;
  }
  if (mine.centres.length > 0) {
    el.append(h('h3', {}, t('my_centres')), h('div', { class: 'choices' }, mine.centres.map((c) =>
      h('button', { type: 'button', class: 'choice', 'data-centre': c.code, onclick: () => pick(c.code) },
        h('strong', {}, c.name), h('span', { class: 'muted' }, t('level_' + c.level)), h('code', {}, c.code)))));
  }
  if (mine.subtrees.length > 0) {
    const code = h('input', { name: 'centre', inputmode: 'numeric', pattern: '[0-9]{6,12}', maxlength: 12, required: true, value: mine.subtrees[0].code });
    el.append(h('h3', {}, t('my_subtrees')),
      h('div', { class: 'choices' }, mine.subtrees.map((c) =>
        h('button', { type: 'button', class: 'choice', 'data-centre': c.code, onclick: () => pick(c.code) },
          h('strong', {}, c.name), h('span', { class: 'muted' }, t('level_' + c.level)), h('code', {}, c.code)))),
      h('form', { class: 'code-form', onsubmit: (e: Event) => {
        e.preventDefault();
        if (code.value.trim()) pick(code.value.trim());
      } }, h('label', {}, t('centre_code'), code), h('button', { type: 'submit', class: 'primary' }, t('open_centre'))));
  }
  return el;
}
