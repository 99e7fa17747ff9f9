// 并单 on the case page (docs/console.md): a main case's card 已并入的上报 (N) lists the reports
// merged into it (who reported, when, what they wrote, how far away), each linking to its page;
// a merged report's page says which case it follows, with a link to it.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { fullTime } from './format';
import type { CasePage, MergedReport } from './types';

// mergedCard is the card of the reports merged into the page's case, or null if there are none.
export function mergedCard(p: CasePage): HTMLElement | null {
  const list = p.merged_reports ?? [];
  const total = p.merged_total ?? list.length;
  if (total === 0) return null;
  return h('section', { class: 'merged card', 'data-test': 'merged-reports', 'data-count': total },
    h('h3', {}, t('merged_title', { n: total })),
    h('p', { class: 'muted' }, t('merged_note')),
    h('ul', { class: 'merged-list' }, list.map(item)),
    total > list.length ? h('p', { class: 'muted', 'data-test': 'merged-more' }, t('merged_more', { n: total - list.length })) : null);
}

function item(r: MergedReport): HTMLElement {
  return h('li', { class: 'merged-report', 'data-merged-id': r.id },
    h('div', { class: 'merged-head' },
      h('a', { href: '#/case/' + r.id }, t('case_no', { n: r.id })),
      h('span', {}, r.reporter_name),
      h('time', { datetime: r.received_at, class: 'muted' }, fullTime(r.received_at)),
      h('span', { class: 'muted', 'data-test': 'merged-metres' }, t('dup_metres', { m: Math.round(r.metres) }))),
    h('p', { class: 'merged-excerpt' }, r.excerpt));
}

// mergedIntoNote says, on a merged report's page, which case it follows; null otherwise.
export function mergedIntoNote(p: CasePage): HTMLElement | null {
  if (!p.merged_into) return null;
  return h('p', { class: 'merged-into', 'data-test': 'merged-into', 'data-main': p.merged_into },
    t('merged_into_case'), ' ',
    h('a', { href: '#/case/' + p.merged_into, 'data-test': 'main-case-link' }, t('case_no', { n: p.merged_into })),
    t('merged_into_follows'));
}
