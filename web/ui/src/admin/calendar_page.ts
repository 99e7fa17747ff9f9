// The working calendar (工作日历, docs/admin-app.md): GET /api/admin/calendar?year= as twelve
// month grids with the weekends, holidays and make-up working days (调休上班) marked, and the
// working hours; a county's administrator sets a day (PUT/DELETE /api/admin/calendar/days/{date})
// and the hours (PUT /api/admin/calendar/hours). Edits change only deadlines set afterwards.
import { clear, h } from '../lib/dom';
import { currentLang, t } from '../lib/i18n';
import { ApiError } from '../lib/api';
import { errorText, type Http } from './http';
import { readOnlyNote } from './rules_card';

type Kind = 'holiday' | 'workday';
interface Day { date: string; kind: Kind; name: string }
interface Span { start: string; end: string }
interface CalendarYear { year: number; hours: Span[]; days: Day[] }

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (y: number, m: number, d: number) => `${y}-${pad(m + 1)}-${pad(d)}`;
const clockPattern = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const maxSpans = 8; // the server's bound (admin_calendar.go)

export class CalendarPage {
  readonly el: HTMLElement;
  private year = new Date().getFullYear();
  private picker = h('select', { name: 'year', 'aria-label': t('cal_year') });
  private months = h('div', { class: 'months' });
  private hoursList = h('div', { class: 'spans' });
  private hoursNote = h('p', { class: 'error', role: 'alert', 'data-test': 'hours-error' });
  private status = h('p', { class: 'error', role: 'alert' });
  private dialog = h('dialog', { class: 'day-dialog' });
  private days = new Map<string, Day>();
  private started = false;

  constructor(private http: Http, private canEdit: boolean) {
    const now = new Date().getFullYear();
    for (let y = now - 1; y <= now + 2; y++) this.picker.append(h('option', { value: y }, t('cal_year_n', { y })));
    this.picker.value = String(this.year);
    this.picker.addEventListener('change', () => { this.year = Number(this.picker.value); void this.load(); });
    const step = (d: number, label: string, test: string) => h('button', { type: 'button', class: 'secondary', 'data-test': test,
      'aria-label': label, onclick: () => {
        const next = this.year + d;
        if (!this.picker.querySelector(`option[value="${next}"]`)) this.picker.append(h('option', { value: next }, t('cal_year_n', { y: next })));
        this.year = next;
        this.picker.value = String(next);
        void this.load();
      } }, d < 0 ? '‹' : '›');
    const legend = h('ul', { class: 'cal-legend', 'aria-label': t('cal_legend') },
      ([['work', 'cal_work'], ['weekend', 'cal_weekend'], ['holiday', 'cal_holiday'], ['workday', 'cal_makeup']] as const)
        .map(([c, k]) => h('li', {}, h('span', { class: 'cal-swatch day ' + c }, c === 'holiday' ? t('cal_mark_rest') : c === 'workday' ? t('cal_mark_work') : '8'), t(k))));
    const hoursCard = h('section', { class: 'card hours-card' }, h('h3', {}, t('cal_hours')),
      h('p', { class: 'muted small' }, t('cal_hours_help')), this.hoursList, this.hoursNote);
    if (canEdit) {
      hoursCard.append(h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'secondary', 'data-test': 'add-span', onclick: () => {
          if (this.hoursList.childElementCount < maxSpans) this.hoursList.append(this.spanRow({ start: '', end: '' }));
        } }, t('cal_add_span')),
        h('button', { type: 'button', class: 'primary', 'data-test': 'save-hours', onclick: () => void this.saveHours() }, t('save'))));
    }
    this.el = h('div', { class: 'page calendar-page' },
      h('section', { class: 'card' }, h('h3', {}, t('cal_title')),
        h('p', { class: 'muted small', 'data-test': 'cal-note' }, t('cal_note')),
        readOnlyNote(canEdit, t('cal_read_only')),
        this.status,
        h('div', { class: 'cal-head' }, step(-1, t('cal_prev_year'), 'prev-year'), this.picker, step(1, t('cal_next_year'), 'next-year')),
        legend),
      hoursCard, this.months, this.dialog);
  }

  show(): void {
    if (this.started) return;
    this.started = true;
    void this.load();
  }

  private async load(): Promise<void> {
    const year = this.year;
    this.months.dataset.loaded = 'false';
    try {
      const cal = await this.http.get<CalendarYear>('/api/admin/calendar', { year });
      if (year !== this.year) return;
      this.status.textContent = '';
      this.days = new Map((cal.days ?? []).map((d) => [d.date, d]));
      clear(this.hoursList);
      for (const s of cal.hours ?? []) this.hoursList.append(this.spanRow(s));
      this.drawMonths();
      this.months.dataset.year = String(year);
      this.months.dataset.loaded = 'true';
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  private drawMonths(): void {
    clear(this.months);
    const weekdays = t('cal_weekdays').split(',');
    const today = new Date();
    const todayISO = isoDate(today.getFullYear(), today.getMonth(), today.getDate());
    for (let m = 0; m < 12; m++) {
      const first = (new Date(Date.UTC(this.year, m, 1)).getUTCDay() + 6) % 7; // Monday first
      const length = new Date(Date.UTC(this.year, m + 1, 0)).getUTCDate();
      const cells: HTMLElement[] = weekdays.map((w) => h('span', { class: 'dow', 'aria-hidden': 'true' }, w));
      for (let i = 0; i < first; i++) cells.push(h('span', { class: 'blank' }));
      const named: HTMLElement[] = [];
      for (let d = 1; d <= length; d++) {
        const date = isoDate(this.year, m, d);
        const entry = this.days.get(date);
        const weekend = (first + d - 1) % 7 >= 5;
        const kind = entry?.kind ?? (weekend ? 'weekend' : 'work');
        const words = [t('cal_date', { m: m + 1, d }), entry ? entry.name + ' · ' + t(entry.kind === 'holiday' ? 'cal_holiday' : 'cal_makeup') : t(weekend ? 'cal_weekend' : 'cal_work')];
        const attrs = { class: 'day ' + kind + (date === todayISO ? ' today' : ''), 'data-date': date, 'data-kind': kind,
          title: words.join(' · '), 'aria-label': words.join(' · ') };
        const mark = entry ? h('sup', { 'aria-hidden': 'true' }, t(entry.kind === 'holiday' ? 'cal_mark_rest' : 'cal_mark_work')) : null;
        cells.push(this.canEdit
          ? h('button', { ...attrs, type: 'button', onclick: () => this.openDay(date, d, m) }, String(d), mark)
          : h('span', attrs, String(d), mark));
        if (entry) named.push(h('li', { class: entry.kind, 'data-date': date }, h('b', {}, t('cal_date', { m: m + 1, d })), ' ', entry.name,
          ' ', h('span', { class: 'muted' }, t(entry.kind === 'holiday' ? 'cal_mark_rest' : 'cal_mark_work'))));
      }
      this.months.append(h('section', { class: 'card month', 'data-month': m + 1 },
        h('h4', {}, t('cal_month', { m: m + 1, name: new Date(Date.UTC(this.year, m, 1)).toLocaleString(currentLang(), { month: 'long', timeZone: 'UTC' }) })), h('div', { class: 'month-grid' }, cells),
        named.length ? h('ul', { class: 'named-days' }, named) : null));
    }
  }

  // openDay asks what a date should be: a holiday or a make-up working day with a name, or
  // ordinary (its entry removed, the weekday rule again).
  private openDay(date: string, d: number, m: number): void {
    const entry = this.days.get(date);
    const choice = (value: string, label: string) => h('label', { class: 'inline' },
      h('input', { type: 'radio', name: 'kind', value, checked: (entry?.kind ?? 'ordinary') === value }), label);
    const name = h('input', { name: 'day-name', maxlength: 40, value: entry?.name ?? '', placeholder: t('cal_name_hint') });
    const note = h('p', { class: 'error', role: 'alert' });
    const save = h('button', { type: 'submit', class: 'primary', 'data-test': 'save-day' }, t('save'));
    const form = h('form', { method: 'dialog' },
      h('h3', {}, t('cal_date_full', { y: this.year, m: m + 1, d, date })),
      h('fieldset', { class: 'kinds' }, h('legend', { class: 'visually-hidden' }, t('cal_kind')),
        choice('holiday', t('cal_holiday')), choice('workday', t('cal_makeup')), choice('ordinary', t('cal_ordinary'))),
      h('label', {}, t('cal_name'), name), note,
      h('div', { class: 'buttons' }, save,
        h('button', { type: 'button', class: 'secondary', 'data-test': 'cancel-day', onclick: () => this.dialog.close() }, t('cancel'))));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const kind = (form.querySelector<HTMLInputElement>('input[name=kind]:checked')?.value ?? 'ordinary') as Kind | 'ordinary';
      if (kind !== 'ordinary' && name.value.trim() === '') {
        note.textContent = t('cal_name_needed');
        return;
      }
      save.disabled = true;
      try {
        if (kind === 'ordinary') {
          if (entry) await this.http.send('DELETE', '/api/admin/calendar/days/' + date);
          this.days.delete(date);
        } else {
          const day = await this.http.send<Day>('PUT', '/api/admin/calendar/days/' + date, { kind, name: name.value.trim() });
          this.days.set(date, { date, kind: day.kind, name: day.name });
        }
        this.dialog.close();
        this.drawMonths();
        this.months.dataset.loaded = 'true';
        this.status.textContent = '';
      } catch (e) {
        note.textContent = errorText(e);
      } finally {
        save.disabled = false;
      }
    });
    clear(this.dialog);
    this.dialog.append(form);
    this.dialog.showModal();
  }

  private spanRow(s: Span): HTMLElement {
    const input = (field: string, value: string) => h('input', { name: field, value, maxlength: 5, inputmode: 'numeric', placeholder: field === 'start' ? '08:30' : '12:00',
      'aria-label': t('field_' + field), readonly: !this.canEdit, autocomplete: 'off' });
    const row = h('div', { class: 'span-row' }, input('start', s.start), h('span', { 'aria-hidden': 'true' }, '–'), input('end', s.end));
    if (this.canEdit) row.append(h('button', { type: 'button', class: 'secondary remove', 'aria-label': t('cal_remove_span'), onclick: () => row.remove() }, '×'));
    return row;
  }

  // saveHours checks each time's form here; order and overlaps are the server's to refuse, and
  // its answer is shown as it comes.
  private async saveHours(): Promise<void> {
    const hours = [...this.hoursList.querySelectorAll('.span-row')].map((r) => ({
      start: r.querySelector<HTMLInputElement>('input[name=start]')!.value.trim(),
      end: r.querySelector<HTMLInputElement>('input[name=end]')!.value.trim(),
    }));
    this.hoursNote.className = 'error';
    const bad = hours.flatMap((s) => [s.start, s.end]).find((v) => !clockPattern.test(v));
    if (bad !== undefined) {
      this.hoursNote.textContent = t('cal_bad_time', { v: bad });
      return;
    }
    try {
      await this.http.send('PUT', '/api/admin/calendar/hours', { hours });
      this.hoursNote.className = 'notice';
      this.hoursNote.textContent = t('saved');
    } catch (e) {
      // the server's refusal, said first in the page's language where it is the usual one
      const said = e instanceof ApiError && /not overlapping/.test(e.message) ? t('cal_hours_overlap') + '：' : '';
      this.hoursNote.textContent = said + errorText(e);
    }
  }
}
