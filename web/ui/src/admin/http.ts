// The admin routes with the session's token. A lost session and a pending password change are
// noticed here, once, for every page.
import { api, ApiError } from '../lib/api';
import { t } from '../lib/i18n';
import { tOr } from './format';

export interface SessionEvents {
  expired(): void;
  passwordChange(): void;
}

export class Http {
  constructor(readonly token: string, private on: SessionEvents) {}

  async get<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    return this.send<T>('GET', withQuery(path, query));
  }

  async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.guard(() => api<T>(method, path, this.token, body === undefined ? undefined : JSON.stringify(body)));
  }

  // upload sends a file as the body, as the import and roster routes take it.
  async upload<T>(path: string, file: Blob, contentType: string): Promise<T> {
    return this.guard(() => api<T>('POST', path, this.token, file, contentType));
  }

  // download fetches a file with the token (a link could not carry it) and saves it.
  async download(path: string, fallbackName: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(path, { headers: { Authorization: 'Bearer ' + this.token }, cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, 'network', String(e));
    }
    if (!res.ok) {
      const data = await res.json().catch(() => ({}));
      const err = new ApiError(res.status, data.error ?? 'http_' + res.status, data.message ?? res.statusText, 0, data);
      this.notice(err);
      throw err;
    }
    saveBlob(await res.blob(), fileName(res.headers.get('Content-Disposition')) ?? fallbackName);
  }

  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      this.notice(e);
      throw e;
    }
  }

  private notice(e: unknown): void {
    if (!(e instanceof ApiError)) return;
    if (e.status === 401) this.on.expired();
    else if (e.status === 403 && e.code === 'password_change_required') this.on.passwordChange();
  }
}

export function withQuery(path: string, query: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === '' || v === false) continue;
    q.set(k, v === true ? '1' : String(v));
  }
  const s = q.toString();
  return s ? path + '?' + s : path;
}

// fileName reads Content-Disposition's filename* (RFC 5987) or filename.
function fileName(cd: string | null): string | null {
  if (!cd) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : null;
}

export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const known = new Set(['duplicate_phone', 'phone_held', 'deactivated', 'not_found', 'forbidden', 'change_not_due',
  'change_decided', 'change_not_scheduled', 'change_refused', 'change_invalid', 'import_refused', 'roster_refused', 'too_large', 'rate_limited', 'bad_calendar']);

// errorText says what went wrong in the page's language, with the server's own words after it
// where they add something (which field, which unit).
export function errorText(e: unknown): string {
  if (!(e instanceof ApiError)) return t('err_unexpected', { msg: String(e) });
  if (e.status === 0) return t('err_network');
  if (e.status === 413) return t('err_too_large');
  if (e.status === 429) return t('err_rate_limited');
  if (e.status >= 500) return t('err_server');
  const field = (e.data as { field?: string } | undefined)?.field;
  // a field inside a list is named by its own name: assignments[0].role is the role
  const f = field?.replace(/^\w+\[\d+\]\./, '');
  const head = known.has(e.code) ? t('err_' + e.code) : f ? t('err_field', { field: tOr('field_' + f, f) }) : t('err_refused');
  return e.message && e.message !== head ? head + '（' + e.message + '）' : head;
}
