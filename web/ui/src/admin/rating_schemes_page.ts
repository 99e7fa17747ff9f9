// The rating schemes (评星定级方案, docs/ratings.md): GET /api/admin/rating-schemes, and for a
// county administrator PUT /api/admin/rating-schemes/{code} of the whole scheme. One scheme at a
// time: its settings (name, period, 公示 days, who awards), each flag or star with its pass score,
// and its indicators as rows (name, source and metric, direction, threshold, weight), which may
// be added and removed. The server checks the scheme and says what is wrong.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { errorText, type Http } from './http';
import { readOnlyNote } from './rules_card';
import './rating_schemes.css';

interface Indicator {
  code: string; name: string; source: 'computed' | 'entered'; metric?: string; unit_word: string;
  direction: 'at_least' | 'at_most'; threshold: number; weight: number;
}
interface Mark { mark: number; name: string; pass_score: number; indicators: Indicator[] }
interface Scheme {
  code: string; name: string; kind: 'flag' | 'star'; period: 'quarter' | 'half' | 'year'; notice_days: number; award_level: number;
  marks: Mark[];
}
interface Answer { schemes: Scheme[]; metrics: string[]; max_notice_days: number }

type Input = HTMLInputElement | HTMLSelectElement;

function select(name: string, label: string, options: [string, string][], value: string, disabled: boolean): HTMLSelectElement {
  const s = h('select', { name, 'aria-label': label, disabled }, options.map(([v, k]) => h('option', { value: v }, t(k))));
  s.value = value;
  return s;
}

export class RatingSchemesPage {
  readonly el: HTMLElement;
  private pick = h('select', { name: 'scheme', 'aria-label': t('rs_scheme') });
  private form = h('div', { class: 'rating-scheme' });
  private status = h('p', { class: 'error', role: 'alert' });
  private schemes: Scheme[] = [];
  private metrics: string[] = [];
  private started = false;
  private read: (() => Scheme) | null = null;

  constructor(private http: Http, private canEdit: boolean) {
    this.pick.addEventListener('change', () => this.render());
    this.el = h('div', { class: 'page ratings-page' }, h('section', { class: 'card' },
      h('h3', {}, t('rs_title')), h('p', { class: 'muted small' }, t('rs_help')),
      readOnlyNote(canEdit, t('rs_read_only')),
      h('label', {}, t('rs_scheme'), this.pick), this.status, this.form));
  }

  show(): void {
    if (this.started) return;
    this.started = true;
    void this.load();
  }

  private async load(code = ''): Promise<void> {
    try {
      const r = await this.http.get<Answer>('/api/admin/rating-schemes');
      this.schemes = r.schemes ?? [];
      this.metrics = r.metrics ?? [];
      clear(this.pick);
      for (const s of this.schemes) this.pick.append(h('option', { value: s.code }, s.name));
      if (code) this.pick.value = code;
      this.render();
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  private render(): void {
    const s = this.schemes.find((x) => x.code === this.pick.value);
    clear(this.form);
    if (!s) return;
    const ro = !this.canEdit;
    const name = h('input', { name: 'name', value: s.name, maxlength: 60, 'aria-label': t('rs_name'), readonly: ro });
    const period = select('period', t('rs_period'), [['quarter', 'rs_quarter'], ['half', 'rs_half'], ['year', 'rs_year']], s.period, ro);
    const notice = h('input', { type: 'number', name: 'notice_days', min: 0, max: 30, step: 1, value: s.notice_days,
      'aria-label': t('rs_notice_days'), readonly: ro });
    const award = select('award_level', t('rs_award_level'), [['1', 'rs_award_county'], ['2', 'rs_award_township']], String(s.award_level), ro);
    const marks = s.marks.map((m) => this.mark(m, ro));
    this.read = () => ({ ...s, name: name.value.trim(), period: period.value as Scheme['period'], notice_days: Number(notice.value),
      award_level: Number(award.value), marks: marks.map((m) => m.read()) });
    const note = h('p', { class: 'row-note', role: 'status' });
    const save = h('button', { type: 'button', class: 'primary', 'data-test': 'save-scheme', onclick: async () => {
      save.disabled = true;
      try {
        const saved = await this.http.send<Scheme>('PUT', '/api/admin/rating-schemes/' + s.code, this.read!());
        this.schemes = this.schemes.map((x) => (x.code === saved.code ? saved : x));
        this.render();
        this.form.querySelector('.row-note')!.textContent = t('saved');
        this.form.dataset.saved = 'true';
      } catch (e) {
        note.textContent = errorText(e);
        note.className = 'row-note error';
        save.disabled = false;
      }
    } }, t('save'));
    this.form.dataset.scheme = s.code;
    delete this.form.dataset.saved;
    this.form.append(
      h('div', { class: 'scheme-settings' },
        h('label', {}, t('rs_name'), name), h('label', {}, t('rs_period'), period),
        h('label', {}, t('rs_notice_days'), notice), h('label', {}, t('rs_award_level'), award)),
      ...marks.map((m) => m.el),
      ...(ro ? [] : [h('div', { class: 'row-buttons' }, save)]), note);
  }

  private mark(m: Mark, ro: boolean): { el: HTMLElement; read: () => Mark } {
    const name = h('input', { name: 'mark-name', value: m.name, maxlength: 40, 'aria-label': t('rs_mark_name'), readonly: ro });
    const pass = h('input', { type: 'number', name: 'pass_score', min: 1, max: 100, step: 1, value: m.pass_score,
      'aria-label': t('rs_pass_score'), readonly: ro });
    const body = h('tbody');
    const rows: { tr: HTMLElement; read: () => Indicator }[] = [];
    const addRow = (it: Indicator) => {
      const f: Record<string, Input> = {
        name: h('input', { name: 'name', value: it.name, maxlength: 80, 'aria-label': t('rs_col_name'), readonly: ro }),
        source: select('source', t('rs_col_source'), [['entered', 'rs_entered'], ...this.metrics.map((x): [string, string] => [x, 'rs_metric_' + x])],
          it.source === 'computed' ? it.metric ?? '' : 'entered', ro),
        direction: select('direction', t('rs_col_direction'), [['at_least', 'rs_at_least'], ['at_most', 'rs_at_most']], it.direction, ro),
        threshold: h('input', { type: 'number', name: 'threshold', step: 'any', value: it.threshold, 'aria-label': t('rs_col_threshold'), readonly: ro }),
        unit_word: h('input', { name: 'unit_word', value: it.unit_word, maxlength: 8, 'aria-label': t('rs_col_unit'), readonly: ro }),
        weight: h('input', { type: 'number', name: 'weight', min: 1, max: 100, step: 1, value: it.weight, 'aria-label': t('rs_col_weight'), readonly: ro }),
      };
      const tr = h('tr', { 'data-code': it.code }, ...(['name', 'source', 'direction', 'threshold', 'unit_word', 'weight'] as const)
        .map((k) => h('td', { 'data-label': t('rs_col_' + (k === 'unit_word' ? 'unit' : k)) }, f[k])),
      ro ? null : h('td', {}, h('button', { type: 'button', class: 'secondary danger', 'data-test': 'remove-indicator',
        onclick: () => {
          tr.remove();
          rows.splice(rows.findIndex((r) => r.tr === tr), 1);
        } }, t('rs_remove'))));
      rows.push({ tr, read: () => {
        const computed = f.source.value !== 'entered';
        return { code: it.code, name: f.name.value.trim(), source: computed ? 'computed' : 'entered', ...(computed ? { metric: f.source.value } : {}),
          unit_word: f.unit_word.value.trim(), direction: f.direction.value as Indicator['direction'],
          threshold: Number(f.threshold.value), weight: Number(f.weight.value) };
      } });
      body.append(tr);
    };
    m.indicators.forEach(addRow);
    let n = 0;
    const add = ro ? null : h('button', { type: 'button', class: 'secondary', 'data-test': 'add-indicator', onclick: () => {
      let code = '';
      do code = `m${m.mark}_new${++n}`; while (rows.some((r) => r.tr.dataset.code === code) || m.indicators.some((i) => i.code === code));
      addRow({ code, name: '', source: 'entered', unit_word: '', direction: 'at_least', threshold: 0, weight: 10 });
    } }, t('rs_add'));
    const head = ['name', 'source', 'direction', 'threshold', 'unit', 'weight'].map((k) => h('th', {}, t('rs_col_' + k)));
    return {
      el: h('fieldset', { class: 'rating-mark-edit', 'data-mark': String(m.mark) },
        h('legend', {}, t('rs_mark', { n: m.mark })),
        h('div', { class: 'scheme-settings' }, h('label', {}, t('rs_mark_name'), name), h('label', {}, t('rs_pass_score'), pass)),
        h('div', { class: 'scroll' }, h('table', { class: 'responsive' }, h('thead', {}, h('tr', {}, ...head, ro ? null : h('th', {}))), body)),
        add),
      read: () => ({ mark: m.mark, name: name.value.trim(), pass_score: Number(pass.value), indicators: rows.map((r) => r.read()) }),
    };
  }
}
