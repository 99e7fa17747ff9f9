// Risk grading and leader ownership (docs/console.md "Risk grading"): the grade picked beside
// 受理 and in 改定等级's form, and the tags a graded or leader-owned case carries in the queue
// and on its page.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';

export const grades = ['simple', 'complex', 'difficult'];

export interface Graded {
  grade?: string | null;
  major?: boolean;
  leader?: { id: number; name: string } | null;
}

// gradeTags: 简单/复杂/疑难, 重大, and 领导包案 with the leader's name.
export function gradeTags(c: Graded): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (c.grade) out.push(h('span', { class: 'tag grade grade-' + c.grade, 'data-test': 'grade' }, t('grade_' + c.grade)));
  if (c.major) out.push(h('span', { class: 'tag major', 'data-test': 'major' }, t('major')));
  const led = leaderTag(c);
  if (led) out.push(led);
  return out;
}

// leaderTag: 领导包案 with the leader's name, or null.
export function leaderTag(c: Graded): HTMLElement | null {
  if (!c.leader) return null;
  return h('span', { class: 'tag led', 'data-test': 'led', title: t('led_by', { name: c.leader.name }) },
    c.leader.name ? t('led_by', { name: c.leader.name }) : t('led'));
}

// gradeFields are the grade's select and the 重大 box, writing into draft (grade, major '1'/'').
// optional: the select offers 不定级 (an accept may leave the case ungraded).
export function gradeFields(draft: Record<string, string>, optional: boolean): HTMLElement {
  const sel = h('select', { name: 'grade', 'data-test': 'grade-select', required: !optional,
    onchange: (e: Event) => { draft.grade = (e.target as HTMLSelectElement).value; } },
  h('option', { value: '' }, t(optional ? 'grade_none' : 'choose')), grades.map((g) => h('option', { value: g }, t('grade_' + g))));
  sel.value = draft.grade ?? '';
  const box = h('input', { type: 'checkbox', name: 'major', 'data-test': 'major-box',
    onchange: (e: Event) => { draft.major = (e.target as HTMLInputElement).checked ? '1' : ''; } });
  box.checked = draft.major === '1';
  return h('div', { class: 'grade-fields' },
    h('label', {}, t('grade'), sel),
    h('label', { class: 'check' }, box, t('major')));
}
