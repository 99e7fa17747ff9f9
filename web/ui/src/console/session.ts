// The console's session and chosen centre, in localStorage under keys of its own (the phone
// app keeps its session in IndexedDB; the two never share one).
import type { Session } from '../lib/api';

const sessionKey = 'griddispatch.console.session';
const centreKey = 'griddispatch.console.centre';

export function loadSession(): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(sessionKey) ?? 'null') as Session | null;
    if (s && s.token && Date.parse(s.expires_at) > Date.now()) return s;
  } catch {
    // a damaged entry is the same as none
  }
  return null;
}

export function saveSession(s: Session | null): void {
  if (s) localStorage.setItem(sessionKey, JSON.stringify(s));
  else localStorage.removeItem(sessionKey);
}

// The centre last opened, per member, so a desk reopens where it was.
export function loadCentre(memberID: number): string | null {
  const v = localStorage.getItem(centreKey);
  if (!v) return null;
  const [id, code] = v.split(':');
  return Number(id) === memberID && code ? code : null;
}

export function saveCentre(memberID: number, code: string | null): void {
  if (code) localStorage.setItem(centreKey, memberID + ':' + code);
  else localStorage.removeItem(centreKey);
}
