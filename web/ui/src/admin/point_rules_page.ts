// The point rules (积分规则, docs/points.md): GET /api/admin/point-rules as a table, one row an
// indicator of the county's scheme: its category, indicator, points (negative: a deduction),
// what books it, the cap per period, and for a manual item the tier that approves it. A county
// administrator edits a row in place or adds one below; a rule is switched off, never deleted
// (ledger rows name it). Others read.
import './point_rules.css';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { errorText, type Http } from './http';
import { rulesCard } from './rules_card';

interface PointRule {
  id: number;
  code: string;
  category: string;
  indicator: string;
  points: number;
  trigger: string;
  case_category: string | null;
  cap_points: number | null;
  cap_period: string | null;
  approver_tier: number | null;
  active: boolean;
}

export class PointRulesPage {
  readonly el: HTMLElement;
  private body = h('tbody');
  private status = h('p', { class: 'error', role: 'alert' });
  private started = false;
  private triggers: string[] = [];
  private periods: string[] = [];

  constructor(private http: Http, private canEdit: boolean) {
    this.el = rulesCard({ page: 'point-rules-page', table: 'point-rules', title: t('pr_title'), help: t('pr_help'),
      readOnly: t('pr_read_only'), canEdit, status: this.status, body: this.body,
      head: [t('pr_category'), t('pr_indicator'), t('pr_points'), t('pr_trigger'), t('pr_cap'), t('pr_approver'), t('pr_active'), ''] });
  }

  show(): void {
    if (this.started) return;
    this.started = true;
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const r = await this.http.get<{ rules: PointRule[]; triggers: string[]; cap_periods: string[] }>('/api/admin/point-rules');
      this.triggers = r.triggers;
      this.periods = r.cap_periods;
      clear(this.body);
      for (const rule of r.rules ?? []) this.body.append(this.row(rule));
      if (this.canEdit) this.body.append(this.row(null));
      this.body.dataset.loaded = 'true';
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  // row is a rule's row, or with null the row that adds one (its code and trigger are set once).
  private row(rule: PointRule | null): HTMLElement {
    const ro = !this.canEdit;
    const input = (name: string, value: string | number | null, attrs: Record<string, string | number | boolean> = {}) =>
      h('input', { name, value: value ?? '', 'aria-label': t('pr_' + name), readonly: ro, ...attrs });
    const code = input('code', rule?.code ?? '', { maxlength: 40, readonly: ro || !!rule, placeholder: 'patrol', autocapitalize: 'off' });
    const category = input('category', rule?.category ?? '', { maxlength: 50 });
    const indicator = input('indicator', rule?.indicator ?? '', { maxlength: 100 });
    const points = input('points', rule?.points ?? '', { type: 'number', min: -1000, max: 1000, step: 1, inputmode: 'numeric' });
    const trigger = h('select', { name: 'trigger', 'aria-label': t('pr_trigger'), disabled: ro || !!rule },
      this.triggers.map((x) => h('option', { value: x }, t('pr_trigger_' + x))));
    trigger.value = rule?.trigger ?? 'manual';
    const cap = input('cap_points', rule?.cap_points ?? '', { type: 'number', min: 1, max: 100000, step: 1, inputmode: 'numeric', class: 'cap' });
    const period = h('select', { name: 'cap_period', 'aria-label': t('pr_cap_period'), disabled: ro },
      h('option', { value: '' }, t('pr_no_cap')), this.periods.map((p) => h('option', { value: p }, t('pr_per_' + p))));
    period.value = rule?.cap_period ?? '';
    const tier = h('select', { name: 'approver_tier', 'aria-label': t('pr_approver'), disabled: ro },
      h('option', { value: '' }, '—'), [1, 2, 3].map((n) => h('option', { value: n }, t('tier_' + n))));
    tier.value = rule?.approver_tier ? String(rule.approver_tier) : '';
    const syncTier = () => {
      tier.disabled = ro || trigger.value !== 'manual';
      if (trigger.value !== 'manual') tier.value = '';
      else if (!tier.value) tier.value = '2';
    };
    trigger.addEventListener('change', syncTier);
    syncTier();
    const active = h('input', { type: 'checkbox', name: 'active', 'aria-label': t('pr_active'), disabled: ro });
    active.checked = rule?.active ?? true;
    const note = h('span', { class: 'row-note', role: 'status' });
    const cells = [
      h('td', { 'data-label': t('pr_category') }, rule ? null : code, category),
      h('td', { 'data-label': t('pr_indicator') }, indicator),
      h('td', { 'data-label': t('pr_points') }, points),
      h('td', { 'data-label': t('pr_trigger') }, trigger),
      h('td', { 'data-label': t('pr_cap') }, h('span', { class: 'cap-pair' }, cap, period)),
      h('td', { 'data-label': t('pr_approver') }, tier),
      h('td', { 'data-label': t('pr_active') }, h('label', { class: 'check' }, active)),
    ];
    if (this.canEdit) {
      const save = h('button', { type: 'button', class: 'secondary', 'data-test': 'save' }, rule ? t('save') : t('pr_add'));
      save.addEventListener('click', async () => {
        note.textContent = '';
        const body = {
          code: code.value.trim(), category: category.value.trim(), indicator: indicator.value.trim(), points: Number(points.value),
          trigger: trigger.value, case_category: rule?.case_category ?? null,
          cap_points: period.value && cap.value ? Number(cap.value) : null, cap_period: period.value && cap.value ? period.value : null,
          approver_tier: trigger.value === 'manual' ? Number(tier.value) : null, active: active.checked,
        };
        if (!Number.isInteger(body.points) || body.points === 0 || Math.abs(body.points) > 1000) {
          note.textContent = t('pr_bad_points');
          note.className = 'row-note error';
          return;
        }
        save.disabled = true;
        try {
          const saved = await this.http.send<PointRule>(rule ? 'PUT' : 'POST', '/api/admin/point-rules' + (rule ? '/' + rule.id : ''), body);
          if (!rule) {
            this.body.lastElementChild?.before(this.row(saved));
            code.value = category.value = indicator.value = points.value = cap.value = '';
            note.textContent = t('saved');
          } else {
            rule = saved;
            note.textContent = t('saved');
          }
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
    return h('tr', { 'data-code': rule?.code ?? '', 'data-new': rule ? null : 'true' }, cells);
  }
}
