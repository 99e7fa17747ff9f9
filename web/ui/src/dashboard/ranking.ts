// The ranking of the current unit's children (GET /api/stats/units) by closure rate, best or
// worst first, with their overdue cases. A row opens its unit, like a click on the map.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { num, pct } from './format';
import type { StatsAPI } from './stats_api';
import { DataTable } from './table';
import type { UnitRow } from './types';

// byRate sorts by closure rate, best first (or worst with dir -1); units without cases last.
export function byRate(rows: UnitRow[], dir: 1 | -1): UnitRow[] {
  return [...rows].sort((a, b) => {
    if (a.closure_rate === null || b.closure_rate === null) {
      return (a.closure_rate === null ? 1 : 0) - (b.closure_rate === null ? 1 : 0) || a.code.localeCompare(b.code);
    }
    return dir * (b.closure_rate - a.closure_rate) || b.received - a.received || a.code.localeCompare(b.code);
  });
}

export class Ranking {
  readonly table: DataTable<UnitRow>;
  private dir: 1 | -1 = 1;
  private rows: UnitRow[] = [];
  private ranked: UnitRow[] = []; // best first, units with cases only: the rank column
  private sort = h('select', { name: 'sort', 'aria-label': t('sort') },
    h('option', { value: 'best' }, t('sort_best')), h('option', { value: 'worst' }, t('sort_worst')));

  constructor(api: StatsAPI, path: () => string | null, open: (r: UnitRow) => void, openable: (r: UnitRow) => boolean) {
    this.sort.addEventListener('change', () => {
      this.dir = this.sort.value === 'worst' ? -1 : 1;
      this.render(this.rows);
    });
    this.table = new DataTable<UnitRow>({
      name: 'units', title: t('ranking_title'), api, path, key: (r) => r.code, open, openable, tools: [this.sort],
      columns: [
        { label: t('col_rank'), cell: (r) => (r.closure_rate === null ? '—' : String(this.rank(r))), num: true },
        { label: t('col_unit'), cell: (r) => r.name },
        { label: t('k_received'), cell: (r) => num(r.received), num: true },
        { label: t('k_closed'), cell: (r) => num(r.closed), num: true },
        { label: t('k_closure_rate'), cell: (r) => pct(r.closure_rate), num: true },
        { label: t('k_on_time_rate'), cell: (r) => pct(r.on_time_rate), num: true },
        { label: t('k_settled_low_rate'), cell: (r) => pct(r.settled_low_rate), num: true },
        { label: t('k_open'), cell: (r) => num(r.open), num: true },
        { label: t('k_overdue'), cell: (r) => num(r.overdue), num: true },
      ],
    });
  }

  get el(): HTMLElement {
    return this.table.el;
  }

  private rank(r: UnitRow): number {
    return this.ranked.indexOf(r) + 1;
  }

  render(rows: UnitRow[]): void {
    this.rows = rows;
    this.ranked = byRate(rows, 1).filter((r) => r.closure_rate !== null);
    this.table.render(byRate(rows, this.dir));
  }
}
