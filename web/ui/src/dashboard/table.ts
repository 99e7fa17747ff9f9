// A card with a table of figures and its CSV and Excel buttons: the same route as the table's
// JSON with &format=csv or &format=xlsx, fetched with the session's token and saved. A table no
// route exports (the backlog, part of the summary) has no buttons.
import { ApiError } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import type { StatsAPI } from './stats_api';

export interface Column<R> {
  label: string;
  cell: (r: R) => string;
  num?: boolean; // right-aligned figures
}

export interface TableOptions<R> {
  name: string; // data-table, and the downloaded file's fallback name
  title: string;
  columns: Column<R>[];
  api?: StatsAPI;
  path?: () => string | null; // the table's JSON route for the figures shown; null: nothing to export; absent: no buttons
  key?: (r: R) => string; // data-code of a row
  data?: (r: R) => Record<string, string>; // more data-* attributes of a row
  empty?: string; // what an empty table says (default: no figures for the period)
  open?: (r: R) => void; // a row click (rows with a key only)
  openable?: (r: R) => boolean;
  tools?: HTMLElement[]; // more controls beside the export buttons (sorting)
  chart?: HTMLElement; // a small chart under the title
}

export class DataTable<R> {
  readonly el: HTMLElement;
  private body = h('tbody');
  private message = h('span', { class: 'error small', role: 'alert' });

  constructor(private o: TableOptions<R>) {
    const button = (format: 'csv' | 'xlsx', label: string) =>
      h('button', { type: 'button', class: 'small-button', 'data-export': format, onclick: () => void this.export(format) }, label);
    this.el = h('section', { class: 'card table-card', 'data-table': o.name },
      h('div', { class: 'card-head' }, h('h3', {}, o.title),
        h('div', { class: 'tools controls' }, ...(o.tools ?? []),
          ...(o.api && o.path ? [button('csv', t('export_csv')), button('xlsx', t('export_xlsx'))] : []))),
      this.message, o.chart ?? null,
      h('div', { class: 'scroll' }, h('table', {},
        h('thead', {}, h('tr', {}, o.columns.map((c) => h('th', { class: c.num ? 'num' : null }, c.label)))), this.body)));
  }

  // render shows rows, then (if any) the rest under a heading row of their own: units listed
  // but not ranked.
  render(rows: R[], rest?: { title: string; rows: R[] }): void {
    clear(this.body);
    if (rows.length === 0 && !rest?.rows.length) {
      this.body.append(h('tr', {}, h('td', { colspan: this.o.columns.length, class: 'empty' }, this.o.empty ?? t('no_rows'))));
      return;
    }
    this.rows(rows);
    if (rest?.rows.length) {
      this.body.append(h('tr', { class: 'group-head', 'data-group': 'rest' },
        h('th', { colspan: this.o.columns.length, scope: 'rowgroup' }, rest.title)));
      this.rows(rest.rows, 'rest');
    }
  }

  private rows(rows: R[], group?: string): void {
    for (const r of rows) {
      const canOpen = !!this.o.open && !!this.o.key && (this.o.openable?.(r) ?? true);
      const tr = h('tr', { 'data-code': this.o.key?.(r), class: canOpen ? 'open' : null, tabindex: canOpen ? 0 : null },
        this.o.columns.map((c) => h('td', { class: c.num ? 'num' : null }, c.cell(r))));
      for (const [k, v] of Object.entries(this.o.data?.(r) ?? {})) tr.dataset[k] = v;
      if (group) tr.dataset.group = group;
      if (canOpen) {
        tr.addEventListener('click', () => this.o.open!(r));
        tr.addEventListener('keydown', (e) => {
          if (e.key === 'Enter') this.o.open!(r);
        });
      }
      this.body.append(tr);
    }
  }

  private async export(format: 'csv' | 'xlsx'): Promise<void> {
    const path = this.o.path?.();
    if (!path || !this.o.api) return;
    this.message.textContent = '';
    try {
      await this.o.api.download(path + '&format=' + format, this.o.name + '.' + format);
    } catch (e) {
      this.message.textContent = e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
    }
  }
}
