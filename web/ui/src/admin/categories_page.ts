// Categories and routing (事项分类): GET/PUT /api/admin/categories as an editable table, one row
// a category; deadlines in hours or days here, seconds in the API, each tier's with its clock
// (日历时间, 工作小时, 工作日: docs/routing.md, "Working time").
import { clear, h } from '../lib/dom';
import { currentLang, t } from '../lib/i18n';
import { errorText, type Http } from './http';
import type { Clock, Routing } from './types';

type DeadlineKey = keyof Routing['deadlines'];
type ClockKey = keyof NonNullable<Routing['clocks']>;
const deadlineKeys: DeadlineKey[] = ['village_s', 'township_s', 'county_s', 'urgent_s', 'verify_s'];
const clocks: Clock[] = ['calendar', 'working_hours', 'working_days'];
// the clock of each deadline; verification runs on calendar time
const clockOf = (k: DeadlineKey): ClockKey | null => (k === 'verify_s' ? null : (k.slice(0, -2) as ClockKey));

// A tier's clock, beside its deadline.
function clockSelect(name: string, clock: Clock | undefined): HTMLSelectElement {
  const el = h('select', { name: name + '-clock', class: 'clock', 'aria-label': t('clock_of', { tier: t('dl_' + name) }) },
    clocks.map((c) => h('option', { value: c }, t('clock_' + c))));
  el.value = clock || 'calendar';
  return el;
}

// wholeDaysRefusal names the tier whose working-day deadline is not whole days, from the
// server's refusal (dispatch's checkClocks), so that the row says it in the page's language.
function wholeDaysRefusal(e: unknown): string | null {
  const said = String((e as { message?: string })?.message ?? '');
  const m = /deadlines\.(\w+_s) on working_days must be whole days/.exec(said);
  return m ? t('clock_whole_days', { tier: t('dl_' + m[1]) }) + '（' + said + '）' : null;
}

// A deadline field: a number and its unit; days when the seconds are whole days.
function deadline(name: string, seconds: number): { el: HTMLElement; seconds(): number | null } {
  const days = seconds > 0 && seconds % 86400 === 0;
  const n = h('input', { type: 'number', name, min: 0, step: 'any', inputmode: 'decimal',
    value: seconds === 0 ? 0 : days ? seconds / 86400 : Math.round((seconds / 3600) * 100) / 100 });
  const unit = h('select', { name: name + '-unit', 'aria-label': t('unit_of_time') },
    h('option', { value: '3600' }, t('hours')), h('option', { value: '86400' }, t('days')));
  unit.value = days ? '86400' : '3600';
  return {
    el: h('span', { class: 'deadline' }, n, unit),
    seconds: () => {
      const v = Number(n.value);
      return n.value === '' || !Number.isFinite(v) || v < 0 ? null : Math.round(v * Number(unit.value));
    },
  };
}

export class CategoriesPage {
  readonly el: HTMLElement;
  private body = h('tbody');
  private status = h('p', { class: 'error', role: 'alert' });
  private started = false;

  constructor(private http: Http) {
    const head = [t('col_category'), t('col_start'), t('col_grid_close'), ...deadlineKeys.map((k) => t('dl_' + k)), t('col_auto'), t('col_active'), ''];
    this.el = h('div', { class: 'page categories-page' }, h('section', { class: 'card' },
      h('h3', {}, t('categories_title')), h('p', { class: 'muted small' }, t('categories_help')), this.status,
      h('div', { class: 'scroll' }, h('table', { class: 'responsive categories' },
        h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))), this.body))));
  }

  show(): void {
    if (this.started) return;
    this.started = true;
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const { categories } = await this.http.get<{ categories: Routing[] }>('/api/admin/categories');
      clear(this.body);
      for (const c of categories ?? []) this.body.append(this.row(c));
      this.body.dataset.loaded = 'true';
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  private row(c: Routing): HTMLElement {
    const label = (i: number) => this.el.querySelectorAll('thead th')[i]?.textContent ?? '';
    const start = h('select', { name: 'start_level' }, [3, 2, 1].map((l) => h('option', { value: l }, t('tier_' + l))));
    start.value = String(c.start_level);
    const gridClose = h('input', { type: 'checkbox', name: 'grid_may_close', checked: c.grid_may_close });
    const dls = deadlineKeys.map((k) => deadline(k, c.deadlines[k]));
    const clockSelects = deadlineKeys.map((k) => { const ck = clockOf(k); return ck ? clockSelect(k, c.clocks?.[ck]) : null; });
    const auto = h('input', { type: 'checkbox', name: 'auto_escalate', checked: c.auto_escalate });
    const active = h('input', { type: 'checkbox', name: 'active', checked: c.active });
    const note = h('span', { class: 'row-note', role: 'status' });
    const save = h('button', { type: 'button', class: 'secondary', 'data-test': 'save' }, t('save'));
    save.addEventListener('click', async () => {
      const secs = dls.map((d) => d.seconds());
      if (secs.some((s) => s === null)) {
        note.textContent = t('bad_deadline');
        note.className = 'row-note error';
        return;
      }
      const body: Routing = { ...c, start_level: Number(start.value), grid_may_close: gridClose.checked, auto_escalate: auto.checked,
        active: active.checked, deadlines: Object.fromEntries(deadlineKeys.map((k, i) => [k, secs[i]])) as Routing['deadlines'],
        clocks: Object.fromEntries(deadlineKeys.flatMap((k, i) => { const ck = clockOf(k); return ck ? [[ck, clockSelects[i]!.value]] : []; })) };
      save.disabled = true;
      try {
        c = await this.http.send<Routing>('PUT', '/api/admin/categories/' + encodeURIComponent(c.code), body);
        note.textContent = t('saved');
        note.className = 'row-note notice';
      } catch (e) {
        const whole = wholeDaysRefusal(e);
        note.textContent = whole ?? errorText(e);
        note.className = 'row-note error';
      } finally {
        save.disabled = false;
      }
    });
    const name = currentLang() === 'en' ? c.name_en || c.name_zh : c.name_zh;
    // a checkbox in a label of a finger's size, named by its column for screen readers
    const box = (input: HTMLInputElement, i: number) => h('label', { class: 'check' }, input, h('span', { class: 'visually-hidden' }, label(i)));
    return h('tr', { 'data-code': c.code },
      h('td', { 'data-label': label(0) }, h('strong', {}, name), h('br', {}), h('small', { class: 'muted' }, c.code + ' · ' + t('group_' + c.group))),
      h('td', { 'data-label': label(1) }, start),
      h('td', { 'data-label': label(2) }, box(gridClose, 2)),
      dls.map((d, i) => h('td', { 'data-label': label(3 + i) }, h('span', { class: 'deadline-clock' }, d.el, clockSelects[i]))),
      h('td', { 'data-label': label(8) }, box(auto, 8)),
      h('td', { 'data-label': label(9) }, box(active, 9)),
      h('td', {}, save, note));
  }
}
