// How the dashboard words figures: rates as percentages, counts grouped, times to close as
// their bins ("1–2 天").
import { currentLang, t } from '../lib/i18n';
import type { Bin, Rate } from './types';

export function pct(r: Rate | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  return (r * 100).toFixed(1) + '%';
}

export function num(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n.toLocaleString(currentLang());
}

const minute = 60, hour = 3600, day = 86400;

function inUnit(s: number, unit: number): string {
  const v = s / unit;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

// bin words a time-to-close bin (docs/metrics.md) in the largest unit that divides both its
// edges: "1 小时以内", "12–24 小时", "1–2 天", "365 天以上".
export function bin(b: Bin | null | undefined): string {
  if (!b) return '—';
  const edges = b.to_s === null ? [b.from_s] : [b.from_s, b.to_s];
  const fits = (u: number) => edges.every((e) => e % u === 0) && Math.max(...edges) >= u;
  const [unit, key] = fits(day) ? [day, 'u_days'] : fits(hour) ? [hour, 'u_hours'] : [minute, 'u_minutes'];
  const u = t(key);
  if (b.to_s === null) return t('bin_over', { v: inUnit(b.from_s, unit), u });
  if (b.from_s === 0) return t('bin_under', { v: inUnit(b.to_s, unit), u });
  return t('bin_range', { a: inUnit(b.from_s, unit), b: inUnit(b.to_s, unit), u });
}

// shortDay writes 2026-11-03 as 11-03 (the year is in the period's title).
export function shortDay(d: string): string {
  return d.slice(5);
}
