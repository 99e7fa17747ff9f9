// Cases that arrived in the centre's queue live (reported there, escalated, returned or
// transferred in) and that this desk has not looked at yet. They are highlighted, counted in the
// tab's title and behind the 新案件 chip, until opened or marked seen.
import { declinedBelow } from './queue_model';
import type { CaseFrame } from './types';

export class Arrivals {
  private ids = new Set<number>();

  constructor(readonly centre: string, private changed: (n: number) => void) {}

  get size(): number {
    return this.ids.size;
  }

  has(id: number): boolean {
    return this.ids.has(id);
  }

  // frame takes a frame the queue has not applied yet (isNew): a case entering the centre from
  // elsewhere is an arrival, one leaving it or closing is not any more.
  frame(f: CaseFrame): void {
    const below = declinedBelow(f, this.centre); // declined below: this centre rules on it
    const here = (f.centre === this.centre || below) && f.state !== 'closed';
    if (here && (below ? f.action === 'decline' : f.from_centre !== this.centre && (f.action === 'reported' || f.from_centre))) this.add(f.case_id);
    else if (!here) this.seen(f.case_id);
  }

  seen(id: number): void {
    if (this.ids.delete(id)) this.changed(this.ids.size);
  }

  clear(): void {
    if (this.ids.size === 0) return;
    this.ids.clear();
    this.changed(0);
  }

  // keep forgets the arrivals no longer in the queue (closed or moved while disconnected).
  keep(present: Set<number>): void {
    const before = this.ids.size;
    for (const id of this.ids) if (!present.has(id)) this.ids.delete(id);
    if (this.ids.size !== before) this.changed(this.ids.size);
  }

  private add(id: number): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    this.changed(this.ids.size);
  }
}
