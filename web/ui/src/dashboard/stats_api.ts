// The statistics routes (docs/stats-api.md) for one unit and one set of filters, and the table
// files, downloaded with the session's bearer token (a plain link could not carry it).
import { api, ApiError } from '../lib/api';
import { currentLang } from '../lib/i18n';
import type { CategoryRow, Filters, MapCollection, Summary, Trend, Units } from './types';

export type TableRoute = 'units' | 'categories' | 'tiers' | 'trend';

export function statsPath(route: string, unit: string, f: Partial<Filters>, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ unit });
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (f.category) q.set('category', f.category);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return '/api/stats/' + route + '?' + q.toString();
}

export class StatsAPI {
  constructor(private token: string) {}

  private get<T>(path: string): Promise<T> {
    return api<T>('GET', path, this.token);
  }

  scope() {
    return this.get<{ units: { code: string; name: string; level: number }[] }>('/api/stats/scope');
  }

  summary(unit: string, f: Partial<Filters>) {
    return this.get<Summary>(statsPath('summary', unit, f));
  }

  units(unit: string, f: Partial<Filters>) {
    return this.get<Units>(statsPath('units', unit, f));
  }

  trend(unit: string, f: Filters) {
    return this.get<Trend>(statsPath('trend', unit, f, { by: f.by }));
  }

  // bulletin reads the weekly bulletin (bulletin.ts builds the path and types the answer).
  bulletin<T>(path: string) {
    return this.get<T>(path);
  }

  categories(unit: string, f: Partial<Filters>) {
    // the route has no category filter: it is the breakdown by category
    return this.get<{ categories: CategoryRow[] }>(statsPath('categories', unit, { ...f, category: '' }));
  }

  map(unit: string) {
    // the browser may revalidate it with its ETag: the grid rarely changes
    return api<MapCollection>('GET', '/api/stats/map?' + new URLSearchParams({ unit }).toString(), this.token, undefined, undefined, 'default');
  }

  // download fetches a table as a CSV or Excel file and hands it to the browser as a download.
  async download(path: string, fallbackName: string): Promise<void> {
    const url = path + (currentLang() === 'en' ? '&lang=en' : '');
    let res: Response;
    try {
      res = await fetch(url, { headers: { Authorization: 'Bearer ' + this.token }, cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, 'network', String(e));
    }
    if (!res.ok) {
      const data = await res.json().catch(() => ({}));
      throw new ApiError(res.status, data.error ?? 'http_' + res.status, data.message ?? res.statusText);
    }
    const blob = await res.blob();
    const name = fileName(res.headers.get('Content-Disposition')) || fallbackName;
    const href = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
  }
}

// fileName reads the name from Content-Disposition (filename*=UTF-8'' first).
function fileName(cd: string | null): string {
  if (!cd) return '';
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cd);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(cd);
  return plain ? plain[1].trim() : '';
}
