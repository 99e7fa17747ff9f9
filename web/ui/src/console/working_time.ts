// Working time (docs/routing.md, "Working time"): the county's working calendar, read once at
// sign-in from GET /api/calendar, so that the 剩余 of a deadline on a working clock counts only
// working hours, as the server counted it when it set the deadline. China Standard Time has no
// daylight saving: a day is 24 h from midnight at UTC+8.
const CST = 8 * 3_600_000;
const DAY = 86_400_000;

export interface WorkingCalendar {
  hours: { start: string; end: string }[];
  days: { date: string; kind: 'holiday' | 'workday'; name: string }[];
}

let spans: [number, number][] = []; // ms after midnight
let exceptions = new Map<string, boolean>(); // date -> worked

export function setCalendar(c: WorkingCalendar): void {
  const ms = (s: string) => (Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))) * 60_000;
  spans = c.hours.map((s) => [ms(s.start), ms(s.end)]);
  exceptions = new Map(c.days.map((d) => [d.date, d.kind === 'workday']));
}

export function hasCalendar(): boolean {
  return spans.length > 0;
}

// worked says whether the day starting at midnight m (UTC ms of CST midnight) is worked.
function worked(m: number): boolean {
  const d = new Date(m + CST);
  const key = d.toISOString().slice(0, 10);
  const e = exceptions.get(key);
  if (e !== undefined) return e;
  const wd = d.getUTCDay();
  return wd !== 0 && wd !== 6;
}

// workingBetween is the working time from a to b, in ms (0 if b is not after a).
export function workingBetween(a: number, b: number): number {
  let total = 0;
  // Bounded: a deadline is at most a year of working hours ahead, a few years of days.
  for (let m = Math.floor((a + CST) / DAY) * DAY - CST, i = 0; m <= b && i < 3700; m += DAY, i++) {
    if (!worked(m)) continue;
    for (const [s, e] of spans) {
      const from = Math.max(m + s, a);
      const to = Math.min(m + e, b);
      if (to > from) total += to - from;
    }
  }
  return total;
}
