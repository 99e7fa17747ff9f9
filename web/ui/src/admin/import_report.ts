// An import's report (POST /api/admin/grid/imports): every problem in one list and on the map
// (units coloured by their worst problem), the repairs, and what was or would be written.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { area, kindName, levelName, num } from './format';
import { PolygonMap } from './map';
import { fromGrid, problemClass, problemStyles, problemTable, type ListedProblem } from './problems';
import type { ImportReport } from './types';

export function importReport(r: ImportReport): HTMLElement {
  const refused = !r.dry_run && !r.committed;
  const listed: ListedProblem[] = [
    ...(r.feature_problems ?? []).map((p) => ({ kind: 'feature', code: p.code, name: t('feature_n', { n: p.index }), level: '',
      detail: p.message, area: '—' })),
    ...(r.problems ?? []).map(fromGrid),
  ];
  const repairs = r.repairs ?? [];
  const inserted = r.result?.inserted ?? r.result?.Inserted ?? 0;
  const updated = r.result?.updated ?? r.result?.Updated ?? 0;
  const summary = r.committed ? t('import_done', { n: num(r.units), inserted: num(inserted), updated: num(updated) })
    : refused ? t('import_refused', { n: num(r.units), p: num(listed.length) })
      : t('import_dry', { n: num(r.units), p: num(listed.length), r: num(repairs.length) });
  // only the units with nothing below them in the file are named, or a county's names pile up
  const parents = new Set<string>();
  for (const f of r.map?.features ?? []) {
    const c = String(f.properties.code ?? '');
    for (const n of [6, 9, 12, 15]) if (c.length > n) parents.add(c.slice(0, n));
  }
  const map = new PolygonMap(t('map_import'), {
    classOf: (f) => problemClass(f.properties.problems),
    styles: problemStyles,
    rank: (f) => Number(f.properties.level) || 0,
    label: (f) => (parents.has(String(f.properties.code ?? '')) ? '' : String(f.properties.name ?? '')),
    legend: (c) => (c === 'ok' ? t('map_class_ok') : kindName(c)),
    tip: (f) => [levelName(Number(f.properties.level)), ...((f.properties.problems as string[] | undefined) ?? []).map(kindName)],
  });
  const el = h('section', { class: 'report import-report', 'data-committed': String(r.committed), 'data-refused': String(refused),
    'data-problems': String(listed.length), 'data-repairs': String(repairs.length) },
  h('p', { class: r.committed ? 'notice' : listed.length ? 'error' : 'notice', role: 'status' }, summary),
  r.crs ? h('p', { class: 'muted small' }, t('crs_used', { crs: t('crs_' + r.crs) })) : null,
  h('h4', {}, t('problems_n', { n: listed.length })),
  problemTable(listed),
  r.more_feature_problems ? h('p', { class: 'muted small' }, t('more_problems', { n: num(r.more_feature_problems) })) : null,
  repairs.length ? h('h4', {}, t('repairs_n', { n: repairs.length })) : null,
  repairs.length ? h('ul', { class: 'repairs' }, repairs.map((x) => h('li', { 'data-code': x.code },
    h('strong', {}, x.name), ' ', h('small', { class: 'muted' }, x.code), h('br', {}),
    t('repair_line', { reason: x.reason, vb: x.vertices_before, va: x.vertices_after, ab: area(x.area_before_m2),
      aa: area(x.area_after_m2), parts: x.parts_after })))) : null,
  h('h4', {}, t('map_import')),
  map.el,
  unitList(r));
  map.show(r.map);
  return el;
}

// unitList: the file's units as read (names in their encoding), folded away.
function unitList(r: ImportReport): HTMLElement | null {
  const fs = r.map?.features ?? [];
  if (fs.length === 0) return null;
  const shown = fs.slice(0, 300);
  return h('details', { class: 'unit-list' }, h('summary', {}, t('file_units', { n: fs.length })),
    h('ul', {}, shown.map((f) => h('li', { 'data-code': String(f.properties.code ?? '') },
      String(f.properties.name ?? ''), ' ', h('small', { class: 'muted' }, String(f.properties.code ?? '') + ' · ' + levelName(Number(f.properties.level)))))),
    fs.length > shown.length ? h('p', { class: 'muted small' }, t('more_units', { n: fs.length - shown.length })) : null);
}
