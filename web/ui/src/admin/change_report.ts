// A change set's report (a draft's preview, or what an apply did): the map with the retired,
// added, before and after polygons, the problems, and what happens to staff and open cases.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { scheduleNote } from './change_schedule';
import { levelName, num, roleName } from './format';
import { PolygonMap } from './map';
import { fromGrid, problemTable } from './problems';
import type { AssignmentMove, ChangeReport } from './types';

const changeStyles = {
  context: { fill: '#f3f4f6', border: '#b0b5bd' },
  retired: { fill: 'rgba(120,120,120,0.35)', border: '#6b6b70' },
  added: { fill: 'rgba(31,122,58,0.35)', border: '#1f7a3a' },
  before: { fill: 'rgba(239,108,0,0.2)', border: '#ef6c00' },
  after: { fill: 'rgba(31,79,184,0.3)', border: '#1f4fb8' },
  renamed: { fill: 'rgba(31,79,184,0.15)', border: '#1f4fb8' },
  other: { fill: '#ffffff', border: '#8a8f98' },
};

export function changeReport(r: ChangeReport, open: (code: string) => void): HTMLElement {
  const problems = (r.problems ?? []).map(fromGrid);
  const map = new PolygonMap(t('map_change'), {
    classOf: (f) => {
      const c = String(f.properties.change ?? '');
      return c in changeStyles ? c : 'other';
    },
    styles: changeStyles,
    // the new polygons on top of the old; the old ones unnamed under them
    rank: (f) => ({ context: 0, retired: 1, before: 2, added: 3, after: 3, renamed: 3 } as Record<string, number>)[String(f.properties.change)] ?? 0,
    label: (f) => (f.properties.change === 'retired' || f.properties.change === 'before' ? '' : String(f.properties.name ?? '')),
    legend: (c) => t('change_class_' + c),
    tip: (f) => [t('change_class_' + String(f.properties.change ?? 'other'))],
    pick: (f) => f.properties.code && open(String(f.properties.code)),
  });
  const moves = (list: AssignmentMove[] | null, flagged: boolean) => h('ul', { class: flagged ? 'flagged-list' : 'moved-list' },
    (list ?? []).map((m) => h('li', { 'data-member': m.member_id },
      m.name, ' · ', roleName(m.role), ' · ', m.from, flagged ? ' ' + t('flagged_stays') : ' → ' + (m.to ?? ''))));
  const state = r.applied ? t('change_applied') : t('state_' + r.change.state);
  const el = h('section', { class: 'report change-report', 'data-change': r.change.id, 'data-state': r.applied ? 'applied' : r.change.state,
    'data-problems': problems.length },
  h('h4', {}, '#' + r.change.id + ' ' + r.change.title),
  h('p', { class: 'muted small' }, state, ' · ', t('effective_on', { date: r.change.effective_on || '—' }), ' ', scheduleNote(r.change)),
  h('ul', { class: 'change-facts' },
    h('li', { 'data-fact': 'open-cases-kept' }, t('open_cases_kept', { n: num(r.open_cases_kept) })),
    h('li', {}, t('earlier_problems', { n: num(r.earlier_problems) }))),
  map.el,
  h('h4', {}, t('problems_n', { n: problems.length })),
  problemTable(problems),
  (r.retired ?? []).length ? h('div', {}, h('h4', {}, t('retired_units')), h('ul', { class: 'retired-list' },
    (r.retired ?? []).map((u) => h('li', { 'data-code': u.code },
      h('button', { type: 'button', class: 'link', onclick: () => open(u.code) }, u.name), ' ',
      h('small', { class: 'muted' }, u.code + ' · ' + levelName(u.level)),
      u.successors?.length ? ' → ' + u.successors.join('、') : null)))) : null,
  (r.added ?? []).length ? h('div', {}, h('h4', {}, t('added_units')), h('p', { class: 'codes-line' }, (r.added ?? []).join('、'))) : null,
  (r.redrawn ?? []).length ? h('div', {}, h('h4', {}, t('redrawn_units')), h('p', {}, (r.redrawn ?? []).join('、'))) : null,
  (r.renamed ?? []).length ? h('div', {}, h('h4', {}, t('renamed_units')), h('ul', {},
    (r.renamed ?? []).map((x) => h('li', {}, x.code + ': ' + x.from + ' → ' + x.to)))) : null,
  (r.moved ?? []).length ? h('div', {}, h('h4', {}, t('moved_n', { n: r.moved!.length })), moves(r.moved, false)) : null,
  (r.flagged ?? []).length ? h('div', {}, h('h4', {}, t('flagged_n', { n: r.flagged!.length })), moves(r.flagged, true),
    h('p', { class: 'muted small' }, t('flagged_help'))) : null);
  map.show(r.map);
  return el;
}
