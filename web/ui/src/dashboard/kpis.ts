// The KPI tiles of GET /api/stats/summary. Each tile is named by its JSON field (data-kpi) and
// holds the raw figure (data-value: a count, a rate 0-1, a bin number; empty for none).
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { bin, num, pct } from './format';
import type { Bin, Summary } from './types';

interface Tile {
  key: keyof Summary;
  show: (s: Summary) => string;
  sub?: (s: Summary) => string;
  warn?: (s: Summary) => boolean;
  tip?: string; // the key of the tile's explanation (its title, for the pointer and the screen reader)
}

const tiles: Tile[] = [
  { key: 'received', show: (s) => num(s.received) },
  // 并单: duplicate reports merged into another case, counted apart from received (docs/metrics.md).
  { key: 'merged', show: (s) => num(s.merged ?? 0), sub: () => t('merged_sub'), tip: 'merged_tip' },
  { key: 'closed', show: (s) => num(s.closed) },
  { key: 'closure_rate', show: (s) => pct(s.closure_rate), sub: (s) => t('of', { a: num(s.closed), b: num(s.received) }) },
  { key: 'on_time_rate', show: (s) => pct(s.on_time_rate), sub: (s) => t('of', { a: num(s.on_time), b: num(s.closed) }) },
  { key: 'mediation_success_rate', show: (s) => pct(s.mediation_success_rate),
    sub: (s) => t('of', { a: num(s.mediated), b: num(s.mediated + s.unsettled) }) },
  { key: 'settled_low_rate', show: (s) => pct(s.settled_low_rate), sub: (s) => t('of', { a: num(s.settled_low), b: num(s.closed) }) },
  { key: 'rework_rate', show: (s) => pct(s.rework_rate), sub: (s) => t('of', { a: num(s.reworks), b: num(s.verifications) }) },
  { key: 'unverified_rate', show: (s) => pct(s.unverified_rate), sub: (s) => t('of', { a: num(s.unverified), b: num(s.closed) }),
    warn: (s) => s.unverified > 0 },
  { key: 'callback_rate', show: (s) => pct(s.callback_rate), sub: (s) => t('of', { a: num(s.callbacks_reached), b: num(s.callbacks) }) },
  { key: 'satisfaction_rate', show: (s) => pct(s.satisfaction_rate),
    sub: (s) => t('of', { a: num(s.satisfied), b: num(s.callbacks_reached) }) },
  { key: 'overdue', show: (s) => num(s.overdue), warn: (s) => s.overdue > 0 },
  { key: 'aged', show: (s) => num(s.aged), sub: (s) => t('aged_sub', { n: s.aged_days }), warn: (s) => s.aged > 0 },
  { key: 'open', show: (s) => num(s.open) },
  { key: 'led', show: (s) => num(s.led ?? 0) }, // 领导包案: open cases a county leader owns
  { key: 'parked', show: (s) => num(s.parked ?? 0), sub: (s) => t('of', { a: num(s.parked ?? 0), b: num(s.open) }) }, // 挂账: clock stopped
  { key: 'median', show: (s) => bin(s.median) },
  { key: 'p90', show: (s) => bin(s.p90) },
];

function raw(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'bin' in (v as Bin)) return String((v as Bin).bin);
  return String(v);
}

export class KpiTiles {
  readonly el = h('section', { class: 'kpis' });
  private cells = new Map<string, { tile: HTMLElement; value: HTMLElement; sub: HTMLElement }>();

  constructor() {
    for (const k of tiles) {
      const value = h('strong', { class: 'value' }, '—');
      const sub = h('span', { class: 'sub muted' });
      const tile = h('div', { class: 'kpi', 'data-kpi': k.key, 'data-value': '', title: k.tip ? t(k.tip) : null },
        h('span', { class: 'label' }, t('k_' + k.key)), value, sub);
      this.cells.set(k.key, { tile, value, sub });
      this.el.append(tile);
    }
  }

  render(s: Summary): void {
    for (const k of tiles) {
      const c = this.cells.get(k.key)!;
      c.tile.dataset.value = raw(s[k.key]);
      c.value.textContent = k.show(s);
      c.sub.textContent = k.sub ? k.sub(s) : '';
      c.tile.classList.toggle('warn', !!k.warn?.(s));
    }
  }
}
