// A desk app's session and the unit it last opened, in localStorage under keys of the app's
// own (griddispatch.<app>.session, .unit): the console and the dashboard each keep theirs, and
// signing out of one leaves the other; the phone app keeps its session in IndexedDB.
import type { Session } from './api';

export interface DeskStore {
  loadSession(): Session | null;
  saveSession(s: Session | null): void;
  loadUnit(memberID: number): string | null; // the unit last opened, for this member only
  saveUnit(memberID: number, code: string | null): void;
}

export function deskStore(app: string, unitKeySuffix = 'unit'): DeskStore {
  const sessionKey = `griddispatch.${app}.session`;
  const unitKey = `griddispatch.${app}.${unitKeySuffix}`;
  return {
    loadSession() {
      try {
        const s = JSON.parse(localStorage.getItem(sessionKey) ?? 'null') as Session | null;
        if (s && s.token && Date.parse(s.expires_at) > Date.now()) return s;
      } catch {
        // a damaged entry is the same as none
      }
      return null;
    },
    saveSession(s) {
      if (s) localStorage.setItem(sessionKey, JSON.stringify(s));
      else {
        localStorage.removeItem(sessionKey);
        localStorage.removeItem(unitKey);
      }
    },
    loadUnit(memberID) {
      const v = localStorage.getItem(unitKey);
      if (!v) return null;
      const [id, code] = v.split(':');
      return Number(id) === memberID && code ? code : null;
    },
    saveUnit(memberID, code) {
      if (code) localStorage.setItem(unitKey, memberID + ':' + code);
      else localStorage.removeItem(unitKey);
    },
  };
}
