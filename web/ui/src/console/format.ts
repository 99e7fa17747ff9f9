// How the console words times and codes: ages, deadline countdowns, state, tier and category
// names. Times are measured against the server's clock (the queue's `now`), not the desk's.
import type { Category } from '../lib/api';
import { currentLang, t } from '../lib/i18n';
import { hasCalendar, workingBetween } from './working_time';

let skewMs = 0;

// setServerNow records how far the server's clock is from this browser's.
export function setServerNow(iso: string): void {
  const s = Date.parse(iso);
  if (!Number.isNaN(s)) skewMs = s - Date.now();
}

export function now(): number {
  return Date.now() + skewMs;
}

// duration words a span: 2天3小时, 3小时20分, 15分钟.
export function duration(ms: number): string {
  const min = Math.max(0, Math.floor(Math.abs(ms) / 60_000));
  const d = Math.floor(min / 1440);
  const hr = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (d > 0) return t('d_days', { d, h: hr });
  if (hr > 0) return t('d_hours', { h: hr, m });
  return t('d_minutes', { m });
}

// age is how long ago a case opened: 刚刚 (just now) in its first minute, not 0分钟前.
export function age(openedAt: string): string {
  const ms = now() - Date.parse(openedAt);
  if (ms < 60_000) return t('just_now');
  return t('age', { d: duration(ms) });
}

// deadline is the countdown and whether it has passed. On a working clock (working_hours,
// working_days) what is left counts working time only (working_time.ts).
export function deadline(deadlineAt: string | null, overdue: boolean, clock?: string | null): { text: string; overdue: boolean } {
  if (!deadlineAt) return { text: t('no_deadline'), overdue: false };
  const due = Date.parse(deadlineAt);
  const left = due - now();
  if (left < 0 || overdue) return { text: t('overdue_by', { d: duration(Math.min(left, 0)) }), overdue: true };
  if (clock && clock !== 'calendar' && hasCalendar()) {
    return { text: t('remaining_working', { d: duration(workingBetween(now(), due)) }), overdue: false };
  }
  return { text: t('remaining', { d: duration(left) }), overdue: false };
}

export function stateName(s: string): string {
  return t('state_' + s);
}

export function tierName(level: number | null): string {
  return level ? t('tier_' + level) : '';
}

let categories = new Map<string, Category>();

export function setCategories(list: Category[]): void {
  categories = new Map(list.map((c) => [c.code, c]));
}

export function categoryList(): Category[] {
  return [...categories.values()];
}

// dispute says whether a category is a dispute (its group), which is settled only after a
// recorded mediation (docs/cases.md).
export function dispute(code: string): boolean {
  return categories.get(code)?.group === 'dispute';
}

export function categoryName(code: string): string {
  const c = categories.get(code);
  if (!c) return code;
  return currentLang() === 'en' ? c.name_en : c.name_zh;
}

export function fullTime(iso: string): string {
  return new Date(iso).toLocaleString(currentLang(), {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
}
