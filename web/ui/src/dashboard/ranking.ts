// The ranking of the current unit's children (GET /api/stats/units) by closure rate, best or
// worst first, with their overdue cases. A row opens its unit, like a click on the map. Units
// with fewer received cases than the county's minimum (ranking_min_cases) are listed apart,
// unranked, under a row that says so: one case closed is not a 100 % to rank by.
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
  private min = 0; // the ranking minimum, from the server
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
      data: (r) => ({ ranked: String(this.rank(r) > 0) }),
      columns: [
        { label: t('col_rank'), cell: (r) => (this.rank(r) > 0 ? String(this.rank(r)) : '—'), num: true },
        { label: t('col_unit'), cell: (r) => r.name },
        { label: t('k_received'), cell: (r) => num(r.received), num: true },
        { label: t('k_closed'), cell: (r) => num(r.closed), num: true },
        { label: t('k_closure_rate'), cell: (r) => pct(r.closure_rate), num: true },
        { label: t('k_on_time_rate'), cell: (r) => pct(r.on_time_rate), num: true },
        { label: t('k_settled_low_rate'), cell: (r) => pct(r.settled_low_rate), num: true },
        { label: t('k_callback_rate'), cell: (r) => pct(r.callback_rate), num: true },
        { label: t('k_satisfaction_rate'), cell: (r) => pct(r.satisfaction_rate), num: true },
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

  render(rows: UnitRow[], min = this.min): void {
    this.rows = rows;
    this.min = min;
    const ranked = rows.filter((r) => r.ranked && r.closure_rate !== null);
    this.ranked = byRate(ranked, 1);
    this.table.render(byRate(ranked, this.dir), {
      title: t('unranked_title', { n: min }),
      rows: byRate(rows.filter((r) => !ranked.includes(r)), this.dir),
    });
  }
}
