// 领导包案 handed over or given up (docs/console.md "Risk grading"): the member picker of 移交
// (the county's other leaders, from the case page's lead_to) and the history's 移交给 line.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import type { CasePage, HistoryEntry } from './types';

// leaderPicker is 移交's select of the leaders the case may be handed to; the pick is kept in
// draft.to_member.
export function leaderPicker(draft: Record<string, string>, page: CasePage): HTMLElement {
  const sel = h('select', { name: 'to_member', required: true, onchange: (e: Event) => {
    draft.to_member = (e.target as HTMLSelectElement).value;
  } }, h('option', { value: '' }, t('choose')), (page.lead_to ?? []).map((m) => h('option', { value: m.id }, m.name)));
  sel.value = draft.to_member ?? '';
  return h('label', {}, t('handover_to'), sel);
}

// toLeaderLine: on a lead or lead_handover row, the leader it made owner.
export function toLeaderLine(e: HistoryEntry): HTMLElement | null {
  if (!e.to_leader || e.transition !== 'lead_handover') return null;
  return h('p', { class: 'to-leader', 'data-test': 'to-leader' }, h('span', { class: 'k' }, t('handed_to')), e.to_leader.name);
}
