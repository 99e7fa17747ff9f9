// The dashboard's session and the scope unit last opened, so a supervisor of several comes
// back to it.
import { deskStore } from '../lib/desk_session';

const store = deskStore('dashboard');
export const loadSession = store.loadSession;
export const saveSession = store.saveSession;
export const loadScopeUnit = store.loadUnit;
export const saveScopeUnit = (memberID: number, code: string): void => store.saveUnit(memberID, code);
