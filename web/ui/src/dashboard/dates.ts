// Days as the server counts them: local days in Asia/Shanghai, written YYYY-MM-DD, whatever the
// browser's own time zone. Arithmetic is done on UTC midnights, which have no daylight saving.
const shanghai = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

export function today(now = new Date()): string {
  return shanghai.format(now); // en-CA formats as YYYY-MM-DD
}

function toUTC(day: string): Date {
  return new Date(day + 'T00:00:00Z');
}

function fromUTC(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const d = toUTC(day);
  d.setUTCDate(d.getUTCDate() + n);
  return fromUTC(d);
}

// monday is the Monday of day's ISO week.
export function monday(day: string): string {
  const dow = (toUTC(day).getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  return addDays(day, -dow);
}

export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(toUTC(s).getTime()) && fromUTC(toUTC(s)) === s;
}

export type PeriodKind = 'week' | 'month' | 'days30' | 'year' | 'custom';

// period is the first and last day of a named period ending today.
export function period(kind: Exclude<PeriodKind, 'custom'>, day = today()): { from: string; to: string } {
  switch (kind) {
    case 'week':
      return { from: monday(day), to: day };
    case 'month':
      return { from: day.slice(0, 8) + '01', to: day };
    case 'days30':
      return { from: addDays(day, -29), to: day };
    case 'year':
      return { from: day.slice(0, 5) + '01-01', to: day };
  }
}

// week is the Monday-to-Sunday week holding day (the weekly bulletin's period).
export function week(day: string): { from: string; to: string } {
  const from = monday(day);
  return { from, to: addDays(from, 6) };
}
