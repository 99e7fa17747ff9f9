// Extension (延期) and parking (挂账) on the case page: the pending request a supervisor decides,
// and a parked case's review date and the time it keeps (docs/console.md). The buttons and
// their forms are in actions.ts; this is what the case page says about them.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { duration, fullTime } from './format';
import type { CasePage } from './types';

// extensionNote is the notice under the case's head, or null when there is nothing to say.
export function extensionNote(p: CasePage): HTMLElement | null {
  const parts: HTMLElement[] = [];
  if (p.extension) {
    parts.push(h('p', { class: 'extension-pending', 'data-test': 'extension-pending' },
      h('strong', {}, t('extension_pending', { at: fullTime(p.extension.until) })), ' ',
      h('span', {}, t('extension_pending_reason', { reason: p.extension.reason }))));
  }
  if (p.parking && p.case.state === 'parked') {
    const passed = Date.parse(p.parking.review_at) <= Date.now();
    parts.push(h('p', { class: 'parking' + (passed ? ' late' : ''), 'data-test': 'parking' },
      h('strong', {}, t(passed ? 'parked_review_passed' : 'parked_until', { at: fullTime(p.parking.review_at) })), ' ',
      h('span', {}, t('parked_left', { d: duration(Math.max(p.parking.left_s, 0) * 1000) }))));
  }
  return parts.length ? h('div', { class: 'extension-note', 'data-test': 'extension-note' }, ...parts) : null;
}

// defaultUntil is what the date field of a request or a parking starts with: a day past the
// deadline for an extension, a week ahead for a review, as a datetime-local value.
export function defaultUntil(action: string, p: CasePage): string {
  const base = action === 'extend_request' && p.case.deadline_at ? Date.parse(p.case.deadline_at) + 86400e3 : Date.now() + 7 * 86400e3;
  const d = new Date(base);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
