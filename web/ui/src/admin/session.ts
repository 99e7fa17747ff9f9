// The admin app's session (key griddispatch.admin.session), apart from the other desk apps'.
import { deskStore } from '../lib/desk_session';

const store = deskStore('admin');
export const loadSession = store.loadSession;
export const saveSession = store.saveSession;
