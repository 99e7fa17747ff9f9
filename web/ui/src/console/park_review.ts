// 复核到期 (docs/console.md): a parked case whose review date has passed, as the timer recorded
// it (park_review_due), is tagged in the queue row and the case page's head until its centre
// unparks it or parks it again with a new review date.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { fullTime } from './format';
import type { CaseFrame, QueueCase } from './types';

// reviewDueTag is the tag of a parked case due for review; null otherwise.
export function reviewDueTag(c: { state: string; review_due_at?: string | null }): HTMLElement | null {
  if (c.state !== 'parked' || !c.review_due_at) return null;
  return h('span', { class: 'tag review-due', 'data-test': 'review-due', title: t('review_due_since', { at: fullTime(c.review_due_at) }) },
    t('review_due'));
}

// reviewDueOf is the mark a case frame leaves on a queue row: set by the timer's
// park_review_due, cleared by parking again or by leaving the parked state, kept otherwise.
export function reviewDueOf(f: CaseFrame, old?: QueueCase): string | null {
  if (f.state !== 'parked' || f.action === 'park') return null;
  if (f.action === 'park_review_due') return new Date().toISOString();
  return old?.review_due_at ?? null;
}

// actionLabel is the key of an action's button: parking a parked case is 继续挂账 (a new review
// date), every other action its own name.
export function actionLabel(action: string, state: string): string {
  return action === 'park' && state === 'parked' ? 'act_park_again' : 'act_' + action;
}
