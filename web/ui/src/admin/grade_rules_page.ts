// The grade rules (定级规则, docs/admin-app.md): GET/PUT /api/admin/grade-rules as a table, one
// row a grade: the tier a case of that grade must be at least at and its share of the
// category's deadline. 重大 is listed as what it is, a mark without a rule of its own.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { errorText, type Http } from './http';
import { rulesCard } from './rules_card';

interface GradeRule { grade: string; tier: '' | 'village' | 'township' | 'county'; deadline_pct: number }

const tiers = [['', 'grade_tier_none'], ['village', 'tier_3'], ['township', 'tier_2'], ['county', 'tier_1']] as const;

export class GradeRulesPage {
  readonly el: HTMLElement;
  private body = h('tbody');
  private status = h('p', { class: 'error', role: 'alert' });
  private started = false;
  private min = 10;
  private max = 1000;

  constructor(private http: Http, private canEdit: boolean) {
    this.el = rulesCard({ page: 'grades-page', table: 'grades', title: t('grades_title'), help: t('grades_help'),
      readOnly: t('grades_read_only'), canEdit, status: this.status, body: this.body,
      head: [t('col_grade'), t('col_grade_tier'), t('col_grade_pct'), ''] });
  }

  show(): void {
    if (this.started) return;
    this.started = true;
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const r = await this.http.get<{ rules: GradeRule[]; min_pct: number; max_pct: number }>('/api/admin/grade-rules');
      this.min = r.min_pct;
      this.max = r.max_pct;
      clear(this.body);
      for (const g of r.rules ?? []) this.body.append(this.row(g));
      this.body.append(h('tr', { 'data-grade': 'major' },
        h('td', { 'data-label': t('col_grade') }, h('strong', {}, t('grade_major'))),
        h('td', { colspan: 3, class: 'muted' }, t('grade_major_rule'))));
      this.body.dataset.loaded = 'true';
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  private row(g: GradeRule): HTMLElement {
    const tier = h('select', { name: 'tier', 'aria-label': t('col_grade_tier'), disabled: !this.canEdit },
      tiers.map(([v, k]) => h('option', { value: v }, t(k))));
    tier.value = g.tier;
    const pct = h('input', { type: 'number', name: 'deadline_pct', min: this.min, max: this.max, step: 1, inputmode: 'numeric',
      value: g.deadline_pct, 'aria-label': t('col_grade_pct'), readonly: !this.canEdit });
    const note = h('span', { class: 'row-note', role: 'status' });
    const cells = [h('td', { 'data-label': t('col_grade') }, h('strong', {}, t('grade_' + g.grade))),
      h('td', { 'data-label': t('col_grade_tier') }, tier),
      h('td', { 'data-label': t('col_grade_pct') }, h('span', { class: 'pct' }, pct, '%'))];
    if (this.canEdit) {
      const save = h('button', { type: 'button', class: 'secondary', 'data-test': 'save' }, t('save'));
      save.addEventListener('click', async () => {
        const v = Number(pct.value);
        if (pct.value === '' || !Number.isInteger(v) || v < this.min || v > this.max) {
          note.textContent = t('grades_bad_pct', { min: this.min, max: this.max });
          note.className = 'row-note error';
          return;
        }
        save.disabled = true;
        try {
          g = await this.http.send<GradeRule>('PUT', '/api/admin/grade-rules/' + g.grade, { tier: tier.value, deadline_pct: v });
          note.textContent = t('saved');
          note.className = 'row-note notice';
        } catch (e) {
          note.textContent = errorText(e);
          note.className = 'row-note error';
        } finally {
          save.disabled = false;
        }
      });
      cells.push(h('td', {}, save, note));
    } else {
      cells.push(h('td', {}));
    }
    return h('tr', { 'data-grade': g.grade }, cells);
  }
}
