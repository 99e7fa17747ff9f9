// A case's history as a timeline: who acted (or the system), when, what, between which states
// and tiers, and the words and photos they left.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { fullTime, stateName, tierName } from './format';
import { gradeTags } from './grade';
import { toLeaderLine } from './leader';
import type { Photos } from './photos';
import type { HistoryEntry } from './types';

export function timeline(entries: HistoryEntry[], photos: Photos): HTMLElement {
  return h('ol', { class: 'timeline' }, entries.map((e) => entry(e, photos)));
}

function entry(e: HistoryEntry, photos: Photos): HTMLElement {
  const moved = e.from_level !== null && e.from_level !== e.level;
  const states = e.from_state && e.from_state !== e.to_state
    ? stateName(e.from_state) + ' → ' + stateName(e.to_state) : stateName(e.to_state);
  return h('li', { class: 'entry', 'data-transition': e.transition, 'data-actor': e.actor?.id ?? 'system' },
    h('div', { class: 'entry-head' },
      h('strong', { class: 'tr' }, t('tr_' + e.transition)),
      h('span', { class: 'who' }, e.actor ? e.actor.name : t('system')),
      h('time', { datetime: e.at }, fullTime(e.at))),
    h('div', { class: 'meta' },
      h('span', {}, states),
      moved ? h('span', { class: 'tiers' }, tierName(e.from_level) + ' → ' + tierName(e.level)) : h('span', {}, tierName(e.level)),
      ...gradeTags({ grade: e.grade, major: e.major ?? false })),
    e.reason ? h('p', { class: 'reason' }, e.reason) : null,
    e.outcome ? h('p', {}, h('span', { class: 'k' }, t('outcome')), t('outcome_' + e.outcome)) : null,
    e.callback_result ? h('p', { 'data-test': 'callback-result' }, h('span', { class: 'k' }, t('cb_result')), t('cb_result_' + e.callback_result)) : null,
    e.parties ? h('p', {}, h('span', { class: 'k' }, t('parties')), e.parties) : null,
    toLeaderLine(e),
    e.reason_code ? h('p', { class: 'reason-code' }, h('span', { class: 'k' }, t('reason_code')), t('decline_' + e.reason_code)) : null,
    e.until_at ? h('p', { class: 'until' }, h('span', { class: 'k' }, t(e.transition === 'park' || e.transition === 'park_review_due' ? 'until_park' : 'until_extend')), fullTime(e.until_at)) : null,
    photos.strip(e.photos));
}
