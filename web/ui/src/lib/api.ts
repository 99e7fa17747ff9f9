// The HTTP API (docs/api.md) with the session token.
export class ApiError extends Error {
  // data is the error's whole body: some refusals carry a report (an import's, a roster's).
  constructor(public status: number, public code: string, message: string, public retryAfterS = 0, public data: unknown = undefined) {
    super(message);
  }
  get retryable(): boolean {
    return this.status === 0 || this.status === 503 || this.status === 429 || this.status >= 500;
  }
}

// cache is 'no-store' unless a route's answer may be revalidated (the dashboard's map, by ETag).
export async function api<T>(method: string, path: string, token: string | null, body?: BodyInit, contentType = 'application/json',
  cache: RequestCache = 'no-store'): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = contentType;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, cache });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new ApiError(res.status, data.error ?? 'http_' + res.status, data.message ?? res.statusText, Number(res.headers.get('Retry-After') ?? 0), data);
  }
  return data as T;
}

export interface Unit {
  level: number;
  code: string;
  name: string;
}

export interface Member {
  id: number;
  phone: string;
  name: string;
  assignments: { unit_code: string; role: string }[];
  must_change_password?: boolean; // signed in with a one-time code: choose a password first
}

export interface Session {
  token: string;
  expires_at: string;
  member: Member;
}

export interface Category {
  code: string;
  group: string;
  name_zh: string;
  name_en: string;
  start_level: number;
  grid_may_close: boolean;
}
