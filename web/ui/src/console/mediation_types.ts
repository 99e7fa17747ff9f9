// The mediation record as GET /api/cases/{id}/mediations answers (docs/mediation.md).
export interface Party {
  role: 'applicant' | 'respondent' | 'other';
  name: string;
  id_number: string; // masked unless the record is owned
  phone: string;
}

export interface Mediator {
  member_id: number | null;
  name: string;
}

export interface Referral {
  id: number;
  kind: 'court' | 'peoples' | 'administrative' | 'judicial' | 'other';
  body: string;
  referred_on: string;
  reason: string;
  result: 'pending' | 'confirmed' | 'refused' | 'settled' | 'unsettled' | 'withdrawn';
  result_on: string | null;
  result_note: string;
  version: number;
}

export type Outcome = 'pending' | 'settled' | 'unsettled' | 'referred';

export interface Mediation {
  id: number;
  seq: number;
  centre: string;
  centre_name: string;
  owned: boolean;
  code: string;
  facts: string;
  claims: string;
  outcome: Outcome;
  terms: string;
  parties: Party[];
  mediators: Mediator[];
  settled_on: string | null;
  confirm_by: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  copies: string[];
  copies_count: number;
  referrals: Referral[];
}

export interface MediationList {
  mediations: Mediation[];
  may_record: boolean;
  centre_mediators: Mediator[];
  me: number;
}
