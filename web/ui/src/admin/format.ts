// Numbers, dates and the domain's codes in the page's language.
import { currentLang, t } from '../lib/i18n';

export const roles = ['grid_worker', 'grid_leader', 'info_officer', 'mediator', 'supervisor', 'admin'];

export function levelName(level: number | string): string {
  const n = typeof level === 'number' ? level : ({ county: 1, township: 2, village: 3, grid: 4, 'micro-grid': 5 } as Record<string, number>)[level] ?? level;
  return t('level_' + n);
}

export function roleName(role: string): string {
  return tOr('role_' + role, role);
}

export function kindName(kind: string): string {
  return tOr('kind_' + kind, kind);
}

// tOr is t, or the fallback when the dictionary has no such key (a code added on the server).
export function tOr(key: string, fallback: string): string {
  const s = t(key);
  return s === key ? fallback : s;
}

export function area(m2: number | null | undefined): string {
  if (m2 === null || m2 === undefined) return '—';
  if (m2 >= 1e6) return t('km2', { n: (m2 / 1e6).toLocaleString(currentLang(), { maximumFractionDigits: 2 }) });
  return t('m2', { n: Math.round(m2).toLocaleString(currentLang()) });
}

export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.slice(0, 10);
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(currentLang(), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function num(n: number | null | undefined): string {
  return (n ?? 0).toLocaleString(currentLang());
}
