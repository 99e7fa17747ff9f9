// The shapes of the cases API (docs/cases-api.md) as the console reads them.
import type { Unit } from '../lib/api';

export type OpenState = 'queued' | 'accepted' | 'mediating' | 'verifying';
export const openStates: OpenState[] = ['queued', 'accepted', 'mediating', 'verifying'];

export interface Centre {
  code: string;
  name: string;
  level: number;
}

export interface MyCentres {
  centres: Centre[];
  subtrees: (Centre & { role: string })[];
}

export interface QueueCase {
  id: number;
  version: number;
  state: string;
  level: number;
  centre: string;
  unit: string;
  unit_name: string;
  category: string;
  severity: string;
  summary?: string;
  reporter_name?: string;
  opened_at: string;
  deadline_at: string | null;
  deadline_clock?: string | null; // calendar, working_hours, working_days
  overdue: boolean;
  urged_at?: string | null;
  verify_due_at?: string; // awaiting verification: the reporter's deadline; then staff may verify
  verify_lapse_at?: string; // then closed as not verified
}

export interface Queue {
  centre: Centre;
  now: string;
  cases: QueueCase[];
}

export interface HistoryEntry {
  id: number;
  at: string;
  actor: { id: number; name: string } | null;
  transition: string;
  from_state: string | null;
  to_state: string;
  from_level: number | null;
  level: number;
  centre: string | null;
  reason: string;
  outcome: string | null;
  parties: string;
  deadline_at: string | null;
  photos: string[] | null;
}

export interface CaseDetail extends QueueCase {
  description: string;
  happened_at: string;
  received_at: string;
  lon: number;
  lat: number;
  accuracy_m: number | null;
  photos: string[] | null;
  outcome: string | null;
  rework_count: number;
  reporter: { id: number; name: string; phone: string } | null;
}

export interface CasePage {
  case: CaseDetail;
  units: Unit[];
  history: HistoryEntry[];
  actions: string[];
  transfer_to: Centre[] | null;
}

// CaseFrame is a websocket `case` frame: one committed transition.
export interface CaseFrame {
  type: 'case';
  transition_id: number;
  case_id: number;
  action: string;
  state: string;
  level: number;
  centre: string;
  from_centre?: string;
  unit: string;
  unit_name: string;
  category: string;
  severity: string;
  version: number;
  opened_at: string;
  deadline_at: string | null;
  deadline_clock?: string | null; // the clock of a deadline the transition set; absent: unchanged
  overdue: boolean;
  actor?: number;
}

export interface TransitionResult {
  case: { id: number; state: string; level: number; centre: string; version: number; deadline_at: string | null };
  transition_id: number;
}
