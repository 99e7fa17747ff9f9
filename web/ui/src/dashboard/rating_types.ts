// The ratings' answers (docs/ratings.md): GET /api/ratings/overview and /api/ratings/sheet.
export interface RatingScheme {
  code: string;
  name: string;
  kind: 'flag' | 'star';
  period: 'quarter' | 'half' | 'year';
}

export interface VillageRating {
  rank: number;
  code: string;
  name: string;
  township: string;
  held: number[];
  removed: number[];
  warned: number[];
  passing: number[];
  score: number;
  state: string;
}

export interface RatingOverview {
  scheme: string;
  kind: 'flag' | 'star';
  marks: string[];
  unit: string;
  from: string;
  to: string;
  counts: number[];
  warned: number;
  villages: VillageRating[];
}

export interface SheetItem {
  code: string;
  name: string;
  source: 'computed' | 'entered';
  metric?: string;
  unit_word: string;
  direction: 'at_least' | 'at_most';
  threshold: number;
  weight: number;
  value: number | null;
  pass: boolean;
  note?: string;
  photos?: string[];
  entered_by?: string;
}

export interface SheetMark {
  mark: number;
  name: string;
  pass_score: number;
  score: number | null;
  pass: boolean;
  held: boolean;
  removed: boolean;
  warned: boolean;
  items: SheetItem[];
}

export interface RatingDecision {
  id: number;
  action: string;
  mark: number | null;
  reason: string;
  actor: string;
  at: string;
}

export interface RatingSheet {
  scheme: string;
  kind: 'flag' | 'star';
  unit: string;
  unit_name: string;
  assessment: { id: number; state: string; notice_ends: string | null } | null;
  marks: SheetMark[];
  held: number;
  decisions: RatingDecision[];
  from: string;
  to: string;
  today: string;
  may: string[];
}
