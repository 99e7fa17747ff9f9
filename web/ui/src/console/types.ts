// The shapes of the cases API (docs/cases-api.md) as the console reads them.
import type { Unit } from '../lib/api';

export type OpenState = 'queued' | 'accepted' | 'mediating' | 'verifying' | 'parked' | 'declined';
export const openStates: OpenState[] = ['queued', 'accepted', 'mediating', 'verifying', 'parked', 'declined'];

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
  review_due_at?: string | null; // parked, its review date passed (park_review.ts)
  verify_due_at?: string; // awaiting verification: the reporter's deadline; then staff may verify
  verify_lapse_at?: string; // then closed as not verified
  grade?: string | null; // risk grading (grade.ts): simple, complex, difficult
  major?: boolean;
  leader?: { id: number; name: string } | null; // 领导包案
  callback?: string; // 回访: pending, or satisfied, basic, dissatisfied, unreachable, lapsed
  callback_tries?: number;
  callback_due_at?: string;
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
  grade?: string; // the risk grade this transition gave (accept, regrade)
  major?: boolean;
  callback_result?: string; // on the row that ended a callback
  until_at?: string; // extend_*: the deadline asked for; park: the review date
  reason_code?: string; // decline (退单): why
  to_leader?: { id: number; name: string }; // lead, lead_handover: the leader it made owner (leader.ts)
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
  extension?: PendingExtension | null; // a request of the current centre awaiting a decision (延期)
  parking?: Parking | null; // while parked (挂账)
  decline_to?: Centre[]; // declined (退单): where a ruling may send it
  // 并单 (merged_reports.ts): the reports merged into this case (staff only, bounded), how many
  // in all, and for a merged report the case it follows.
  merged_reports?: MergedReport[];
  merged_total?: number;
  merged_into?: number | null;
  lead_to?: { id: number; name: string }[]; // 领导包案: the leaders 移交 may hand the case to (leader.ts)
}

export interface MergedReport {
  id: number;
  reporter_name: string;
  received_at: string;
  excerpt: string;
  metres: number; // from the main case's location
}

export interface PendingExtension {
  until: string;
  reason: string;
}

export interface Parking {
  review_at: string;
  from_state: string;
  left_s: number;
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
  grade?: string; // risk grading: absent while ungraded
  major?: boolean;
  leader?: number; // the owning leader's member id
}

export interface TransitionResult {
  case: { id: number; state: string; level: number; centre: string; version: number; deadline_at: string | null };
  transition_id: number;
}
