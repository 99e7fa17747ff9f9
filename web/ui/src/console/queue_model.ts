// The queue's data, kept live: loaded over HTTP, then changed by the websocket's `case` frames.
// Frames may repeat (after a reconnection) or overtake an HTTP answer, so every row keeps the
// highest version seen of its case, and a late HTTP answer never undoes a newer frame.
import { now } from './format';
import type { CaseFrame, QueueCase } from './types';
import { reviewDueOf } from './park_review';

// declinedBelow: a case a centre below declined (退单) waits in this centre's queue for its
// ruling (the server lists it there and sends its frames here, web/ws_hub_above.go).
export function declinedBelow(f: { state: string; centre: string }, centre: string): boolean {
  return f.state === 'declined' && f.centre !== centre && f.centre.startsWith(centre);
}

export interface Filter {
  state: string;
  category: string;
  q: string;
  led?: boolean; // only the cases a county leader owns (领导包案)
}

export type FrameResult = 'ignored' | 'changed' | 'reload';

export class QueueModel {
  private rows = new Map<number, QueueCase>();
  private versions = new Map<number, number>(); // newest version seen per case, kept after removal
  private touched = new Map<number, number>(); // case id -> seq of the frame that last changed it
  private seen = new Set<number>(); // transition ids already applied
  private seq = 0;

  constructor(readonly centre: string) {}

  // mark is taken before an HTTP request, and handed back to load with its answer.
  mark(): number {
    return this.seq;
  }

  // load replaces the rows with the server's answer to a request made at mark, keeping what
  // frames changed since.
  load(cases: QueueCase[], mark: number): void {
    const next = new Map<number, QueueCase>();
    for (const c of cases) {
      const known = this.versions.get(c.id) ?? -1;
      const local = this.rows.get(c.id);
      if (known > c.version) {
        if (local) next.set(c.id, { ...c, ...local, summary: c.summary, reporter_name: c.reporter_name });
        continue; // removed by a newer frame: stays removed
      }
      this.versions.set(c.id, c.version);
      next.set(c.id, c);
    }
    for (const [id, row] of this.rows) {
      if (!next.has(id) && (this.touched.get(id) ?? -1) > mark) next.set(id, row);
    }
    this.rows = next;
  }

  // isNew says whether a frame is news: not seen before, and newer than what is shown.
  isNew(f: CaseFrame): boolean {
    return !this.seen.has(f.transition_id) && f.version > (this.versions.get(f.case_id) ?? -1);
  }

  // apply takes one frame: the case enters, changes in or leaves the queue. 'reload' asks for
  // the HTTP queue, when a new row needs what frames do not carry (its summary, a search match).
  apply(f: CaseFrame, filter: Filter): FrameResult {
    if (this.seen.has(f.transition_id)) return 'ignored';
    this.seen.add(f.transition_id);
    if (f.version <= (this.versions.get(f.case_id) ?? -1)) return 'ignored';
    this.versions.set(f.case_id, f.version);
    this.touched.set(f.case_id, ++this.seq);
    const old = this.rows.get(f.case_id);
    const belongs = (f.centre === this.centre || declinedBelow(f, this.centre)) && f.state !== 'closed' &&
      (!filter.state || filter.state === f.state) && (!filter.category || filter.category === f.category) &&
      (!filter.led || !!f.leader);
    if (!belongs) {
      return this.rows.delete(f.case_id) ? 'changed' : 'ignored';
    }
    if (!old && filter.q) return 'reload'; // only the server knows whether it matches the search
    this.rows.set(f.case_id, {
      ...(old ?? { summary: undefined, reporter_name: undefined, urged_at: null }),
      id: f.case_id, version: f.version, state: f.state, level: f.level, centre: f.centre,
      unit: f.unit, unit_name: f.unit_name, category: f.category, severity: f.severity,
      opened_at: f.opened_at, deadline_at: f.deadline_at, overdue: f.overdue,
      deadline_clock: f.deadline_clock !== undefined ? f.deadline_clock : (old?.deadline_clock ?? null),
      urged_at: f.action === 'urge' ? new Date(now()).toISOString() : (old?.urged_at ?? null),
      grade: f.grade ?? null, major: !!f.major, review_due_at: reviewDueOf(f, old),
      leader: f.leader ? (old?.leader?.id === f.leader ? old.leader : { id: f.leader, name: '' }) : null,
    });
    return old && f.action !== 'lead' && f.action !== 'lead_handover' ? 'changed' : 'reload'; // the leader's name comes over HTTP
  }

  // after records what this desk's own transition did, before its frame arrives.
  after(transitionID: number, c: { id: number; state: string; centre: string; version: number; level: number; deadline_at: string | null }): void {
    const row = this.rows.get(c.id);
    if (!row) return;
    this.seen.add(transitionID);
    if (c.version <= (this.versions.get(c.id) ?? -1)) return;
    this.versions.set(c.id, c.version);
    this.touched.set(c.id, ++this.seq);
    if (c.centre !== this.centre || c.state === 'closed') {
      this.rows.delete(c.id);
    } else {
      // A mediator's own move on a parked case (park again, unpark) clears its review mark.
      this.rows.set(c.id, { ...row, state: c.state, level: c.level, version: c.version, deadline_at: c.deadline_at, review_due_at: null });
    }
  }

  get(id: number): QueueCase | undefined {
    return this.rows.get(id);
  }

  // sorted is the server's order: overdue first, then by deadline, then oldest first; cases
  // awaiting verification (no deadline) last.
  sorted(): QueueCase[] {
    const t = now();
    const rank = (c: QueueCase) => (!c.deadline_at ? 2 : c.overdue || Date.parse(c.deadline_at) < t ? 0 : 1);
    return [...this.rows.values()].sort((a, b) =>
      rank(a) - rank(b) ||
      (Date.parse(a.deadline_at ?? '') || 0) - (Date.parse(b.deadline_at ?? '') || 0) ||
      Date.parse(a.opened_at) - Date.parse(b.opened_at) ||
      a.id - b.id);
  }
}
