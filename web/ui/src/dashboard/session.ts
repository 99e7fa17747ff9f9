// The dashboard's session and the unit last looked at, in localStorage under keys of its own
// (the console keeps its own session; signing out of one leaves the other).
import type { Session } from '../lib/api';

const sessionKey = 'griddispatch.dashboard.session';
const unitKey = 'griddispatch.dashboard.unit';

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
  else {
    localStorage.removeItem(sessionKey);
    localStorage.removeItem(unitKey);
  }
}

// The scope unit last opened, per member, so a supervisor of several comes back to it.
export function loadScopeUnit(memberID: number): string | null {
  const v = localStorage.getItem(unitKey);
  if (!v) return null;
  const [id, code] = v.split(':');
  return Number(id) === memberID && code ? code : null;
}

export function saveScopeUnit(memberID: number, code: string): void {
  localStorage.setItem(unitKey, memberID + ':' + code);
}
