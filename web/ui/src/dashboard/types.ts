// The statistics API's answers (docs/stats-api.md).
export interface ScopeUnit {
  code: string;
  name: string;
  level: number;
}

// The county's choices about figures (GET /api/stats/scope's `figures`).
export interface FiguresOptions {
  ranking_min_cases: number;
  map_bands: number[]; // closure-rate thresholds in percent, ascending
  aged_days: number; // N of 积案
}

// A time-to-close bin (docs/metrics.md); to_s is null for the last, open-ended one.
export interface Bin {
  bin: number;
  from_s: number;
  to_s: number | null;
}

export type Rate = number | null;

export interface TierRow {
  tier: number;
  arrived: number;
  escalated: number;
  escalation_rate: Rate;
  closed: number;
  on_time: number;
  mediated: number;
  unsettled: number;
  open: number;
  overdue: number;
  median: Bin | null;
  p90: Bin | null;
}

export interface Summary {
  unit: ScopeUnit;
  from: string;
  to: string;
  category: string;
  received: number;
  closed: number;
  closure_rate: Rate;
  on_time: number;
  on_time_rate: Rate;
  mediated: number;
  unsettled: number;
  mediation_success_rate: Rate;
  settled_low: number;
  settled_low_rate: Rate;
  reworks: number;
  verifications: number;
  rework_rate: Rate;
  reopened: number;
  unverified: number;
  unverified_rate: Rate;
  led?: number; // open cases a county leader owns (领导包案)
  merged?: number; // 并单: reports merged into another case, not in received
  callbacks: number; // 回访 ended
  callbacks_reached: number;
  callback_rate: Rate; // reached / ended
  satisfied: number; // satisfied or basically
  satisfaction_rate: Rate; // satisfied / reached
  parked?: number; // 挂账 now, among open (docs/metrics.md)
  open: number;
  overdue: number;
  aged: number; // 积案: overdue, or open aged_days or more
  aged_days: number;
  median: Bin | null;
  p90: Bin | null;
  tiers: TierRow[];
  backlog: { from_days: number; to_days: number | null; open: number }[];
}

export interface UnitRow {
  code: string;
  name: string;
  received: number;
  closed: number;
  closure_rate: Rate;
  on_time_rate: Rate;
  settled_low_rate: Rate;
  mediation_success_rate: Rate;
  callback_rate: Rate;
  satisfaction_rate: Rate;
  open: number;
  overdue: number;
  ranked: boolean; // received at least the ranking minimum
}

export interface Units {
  level: number;
  units: UnitRow[];
  ranking_min_cases: number;
}

export interface TrendPoint {
  period: string;
  from: string;
  to: string;
  received: number;
  closed: number;
  closure_rate: Rate;
  on_time_rate: Rate;
  partial: boolean; // cut by the period, or not over yet
  current: boolean; // holds today
}

export interface Trend {
  by: 'week' | 'month';
  points: TrendPoint[];
}

export interface CategoryRow {
  code: string;
  name: string;
  group: string;
  received: number;
  closed: number;
  closure_rate: Rate;
  on_time_rate: Rate;
  mediation_success_rate: Rate;
  open: number;
  overdue: number;
}

export interface MapFeature {
  type: 'Feature';
  geometry: { type: string; coordinates: unknown } | null;
  properties: { code: string; name: string; level: number };
}

export interface MapCollection {
  type: 'FeatureCollection';
  features: MapFeature[];
}

// What the figures are asked for: a period of received cases, a category, the trend's step.
export interface Filters {
  from: string;
  to: string;
  category: string;
  by: 'week' | 'month';
}
