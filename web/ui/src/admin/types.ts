// The shapes of the admin routes' answers (docs/admin-api.md).
export interface AdminUnit {
  code: string;
  name: string;
  level: number;
  parent_code: string | null;
  retired_at: string | null;
  successors: string[] | null;
  children: number;
  cases: number;
  open_cases: number;
  valid_from?: string | null;
}

export interface Feature {
  type: 'Feature';
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates: unknown } | null;
}

export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}

export interface GridProblem {
  code: string;
  name: string;
  level: number | string;
  kind: string;
  area_m2: number;
  other?: string;
  detail: string;
}

export interface ImportReport {
  dry_run: boolean;
  committed: boolean;
  crs: string;
  units: number;
  feature_problems: { index: number; code: string; message: string }[] | null;
  more_feature_problems?: number;
  problems: GridProblem[] | null;
  repairs: { code: string; name: string; reason: string; vertices_before: number; vertices_after: number;
    area_before_m2: number; area_after_m2: number; parts_after: number }[] | null;
  result: Record<string, number> | null;
  map: FeatureCollection | null;
}

export interface ChangeSet {
  id: number;
  root_code: string;
  title: string;
  effective_on: string;
  state: string;
  created_by: number | null;
  created_at: string;
  decided_by?: number | null;
  decided_at: string | null;
  operations?: unknown[]; // in a report: re-sent as they are when a draft is made again
  moves?: Record<string, string>;
  scheduled_by?: number | null;
  scheduled_at?: string | null; // the server applies the draft when its effective day begins
  schedule_error?: string; // why the last scheduled apply was refused
}

export interface AssignmentMove {
  member_id: number;
  name: string;
  role: string;
  from: string;
  to?: string;
}

export interface ChangeReport {
  change: ChangeSet;
  problems: GridProblem[] | null;
  earlier_problems: number;
  retired: { code: string; name: string; level: number; successors?: string[] }[] | null;
  added: string[] | null;
  redrawn: string[] | null;
  renamed: { code: string; from: string; to: string }[] | null;
  moved: AssignmentMove[] | null;
  flagged: AssignmentMove[] | null;
  open_cases_kept: number;
  applied: boolean;
  map: FeatureCollection | null;
}

export interface Assignment {
  unit_code: string;
  unit_name: string;
  role: string;
  flagged: boolean;
  retired: boolean;
}

export interface AdminMember {
  id: number;
  phone: string;
  name: string;
  deactivated_at: string | null;
  phone_released: boolean;
  must_change_password: boolean;
  assignments: Assignment[] | null;
}

export interface OneTimeCode {
  member_id?: number;
  phone?: string;
  name?: string;
  code: string;
  expires_at: string;
}

export interface RosterProblem {
  row: number;
  column: string;
  value: string;
  kind: string;
  message: string;
}

export interface RosterReport {
  dry_run: boolean;
  committed: boolean;
  rows: number;
  members_added: number;
  assignments_added: number;
  problems: RosterProblem[] | null;
  codes: OneTimeCode[] | null;
  more?: number; // problems beyond those listed
}

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: number | null;
  actor_name: string;
  action: string;
  member_id: number | null;
  member_name: string;
  units: string[] | null;
  detail: unknown;
}

export interface Routing {
  code: string;
  group: string;
  name_zh: string;
  name_en: string;
  start_level: number;
  grid_may_close: boolean;
  deadlines: { village_s: number; township_s: number; county_s: number; urgent_s: number; verify_s: number };
  auto_escalate: boolean;
  active: boolean;
  // how each tier's deadline runs (docs/routing.md, "Working time"); omitted: calendar time
  clocks?: { village?: Clock; township?: Clock; county?: Clock; urgent?: Clock };
}

export type Clock = 'calendar' | 'working_hours' | 'working_days';
