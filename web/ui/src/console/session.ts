// The console's session and chosen centre (key griddispatch.console.centre, as before).
import { deskStore } from '../lib/desk_session';

const store = deskStore('console', 'centre');
export const loadSession = store.loadSession;
export const saveSession = store.saveSession;
export const loadCentre = store.loadUnit;
export const saveCentre = store.saveUnit;
