// A case as the reporter sees it (GET /api/cases/{id}, docs/cases-api.md), its verification
// (POST /api/cases/{id}/transitions), and the words for its states and transitions.
import { api, type Unit } from '../lib/api';
import { t } from '../lib/i18n';

export interface HistoryRow {
  id: number;
  at: string;
  actor: { id: number; name: string } | null;
  transition: string;
  from_state: string | null;
  to_state: string;
  level: number;
  centre: string | null;
  reason: string;
  outcome: string | null;
  photos: string[] | null;
  callback_result?: string; // on the row that ended a callback
}

export interface CaseDetail {
  case: {
    id: number;
    version: number;
    state: string;
    level: number;
    centre: string;
    category: string;
    description: string;
    happened_at: string;
    outcome: string | null;
    rework_count: number;
    photos: string[] | null;
    verify_due_at?: string; // awaiting verification: verify by then (then staff may, docs/cases.md)
    callback?: string; // 回访: pending, or how it ended (callback_view.ts)
  };
  units: Unit[] | null;
  history: HistoryRow[] | null;
  actions: string[] | null;
}

export interface TransitionResult {
  case: { id: number; state: string; level: number; centre: string; version: number };
  transition_id: number;
}

export function loadCase(token: string, id: number): Promise<CaseDetail> {
  return api<CaseDetail>('GET', `/api/cases/${id}`, token);
}

// act asks for one of the reporter's actions: verify (核查通过) or rework (返工, with a reason).
export function act(token: string, id: number, action: 'verify' | 'rework', version: number, reason: string, photos: string[]): Promise<TransitionResult> {
  return api<TransitionResult>('POST', `/api/cases/${id}/transitions`, token, JSON.stringify({ action, version, reason, photos }));
}

// latestSettle is what the centre last reported doing: the newest settle row.
export function latestSettle(d: CaseDetail): HistoryRow | undefined {
  return [...(d.history ?? [])].reverse().find((r) => r.transition === 'settle');
}

const caseStates = ['queued', 'accepted', 'mediating', 'verifying', 'parked', 'declined', 'closed'];

// caseStateText names a case's state: 待受理, 已受理, 调处中, 待核查, 已办结.
export function caseStateText(state: string | undefined): string {
  return state && caseStates.includes(state) ? t('case_' + state) : t('state_acked');
}

export function tierText(level: number | undefined): string {
  return level ? t('tier_' + level) : '';
}

export function outcomeText(outcome: string | null | undefined): string {
  return outcome ? t('outcome_' + outcome) : '';
}

export function transitionText(transition: string): string {
  const s = t('tr_' + transition);
  return s === 'tr_' + transition ? transition : s;
}
