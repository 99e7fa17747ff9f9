// The roster (花名册): download as .xlsx or .csv; upload one with a dry run that lists every bad
// row, then import it, showing the new members' one-time codes once.
import { ApiError } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { codesTable } from './codes';
import { num, tOr } from './format';
import { errorText, withQuery, type Http } from './http';
import type { RosterReport } from './types';

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export class Roster {
  readonly el: HTMLElement;
  private unit = h('input', { name: 'roster-unit', inputmode: 'numeric', maxlength: 18, placeholder: t('roster_unit_default'), autocomplete: 'off' });
  private file = h('input', { type: 'file', name: 'roster-file', accept: '.xlsx,.csv,text/csv,' + xlsxType });
  private check = h('button', { type: 'button', class: 'primary', 'data-test': 'roster-check' }, t('roster_check'));
  private commit = h('button', { type: 'button', class: 'secondary', 'data-test': 'roster-commit', disabled: true }, t('roster_commit'));
  private status = h('p', { class: 'status', role: 'status' });
  private report = h('div', { class: 'report-slot' });

  constructor(private http: Http, private imported: () => void) {
    const dl = (format: string) => h('button', { type: 'button', class: 'secondary', 'data-test': 'roster-' + format, onclick: async () => {
      this.status.textContent = '';
      try {
        await this.http.download(withQuery('/api/admin/roster', { unit: this.unit.value.trim(), format }), 'roster.' + format);
      } catch (e) {
        this.status.textContent = errorText(e);
      }
    } }, t('roster_download_' + format));
    this.file.addEventListener('change', () => {
      this.commit.disabled = true;
      clear(this.report);
    });
    this.check.addEventListener('click', () => void this.send(true));
    this.commit.addEventListener('click', () => void this.send(false));
    this.el = h('section', { class: 'card roster' },
      h('h3', {}, t('roster_title')),
      h('p', { class: 'muted small' }, t('roster_help')),
      h('label', {}, t('roster_unit'), this.unit),
      h('div', { class: 'buttons' }, dl('xlsx'), dl('csv')),
      h('label', {}, t('roster_file'), this.file),
      h('div', { class: 'buttons' }, this.check, this.commit),
      this.status, this.report);
  }

  private async send(dry: boolean): Promise<void> {
    const f = this.file.files?.[0];
    if (!f) {
      this.status.textContent = t('choose_file');
      return;
    }
    const type = /\.csv$/i.test(f.name) ? 'text/csv' : xlsxType;
    this.check.disabled = this.commit.disabled = true;
    this.status.textContent = dry ? t('checking') : t('importing');
    clear(this.report);
    let r: RosterReport | null = null;
    try {
      r = await this.http.upload<RosterReport>(withQuery('/api/admin/roster', { dry_run: dry }), f, type);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.data && typeof e.data === 'object' && 'rows' in e.data) r = e.data as RosterReport;
      else this.status.textContent = errorText(e);
    }
    this.check.disabled = false;
    if (!r) return;
    this.status.textContent = '';
    const problems = r.problems ?? [];
    this.report.append(rosterReport(r));
    this.commit.disabled = !(dry && problems.length === 0);
    if (r.committed) {
      this.file.value = '';
      this.imported();
    }
  }
}

function rosterReport(r: RosterReport): HTMLElement {
  const problems = r.problems ?? [];
  const summary = r.committed ? t('roster_done', { rows: num(r.rows), m: num(r.members_added), a: num(r.assignments_added) })
    : problems.length ? t('roster_bad', { rows: num(r.rows), p: num(problems.length) })
      : t('roster_ok', { rows: num(r.rows), m: num(r.members_added), a: num(r.assignments_added) });
  const head = [t('col_row'), t('col_column'), t('col_value'), t('col_problem')];
  return h('section', { class: 'report roster-report', 'data-problems': problems.length, 'data-committed': String(r.committed) },
    h('p', { class: problems.length ? 'error' : 'notice', role: 'status' }, summary),
    problems.length ? h('div', { class: 'scroll' }, h('table', { class: 'responsive roster-problems' },
      h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))),
      h('tbody', {}, problems.map((p) => h('tr', { 'data-row': p.row, 'data-kind': p.kind },
        h('td', { 'data-label': head[0], class: 'num' }, p.row ? String(p.row) : '—'),
        h('td', { 'data-label': head[1] }, p.column ? tOr('field_' + p.column, p.column) : '—'),
        h('td', { 'data-label': head[2], class: 'value' }, p.value ?? ''),
        h('td', { 'data-label': head[3] }, h('strong', {}, tOr('roster_' + p.kind, p.kind)),
          p.message ? h('small', { class: 'muted' }, ' ' + p.message) : null)))))) : null,
    r.more ? h('p', { class: 'muted small' }, t('more_problems', { n: num(r.more) })) : null,
    (r.codes ?? []).length ? codesTable(r.codes!) : null);
}
