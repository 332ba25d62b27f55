// Weekday × hour buckets (168) in a configurable time zone. UTC is arithmetic; other zones go through Intl
// once per hour of time and are cached (per-minute samples hit the cache 59 times out of 60).
import type { BucketRef } from './types.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const BUCKETS = 168;

const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function ref(dayOfWeek: number, hour: number): BucketRef {
  return { dayOfWeek, hour, hourOfWeek: dayOfWeek * 24 + hour };
}

export function refFromHourOfWeek(how: number): BucketRef {
  return ref(Math.floor(how / 24), how % 24);
}

export class BucketClock {
  private readonly fmt: Intl.DateTimeFormat | null;
  private readonly cache = new Map<number, BucketRef>();

  constructor(readonly timeZone = 'UTC') {
    this.fmt =
      timeZone === 'UTC'
        ? null
        : new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
  }

  bucketOf(ms: number): BucketRef {
    const hourStart = Math.floor(ms / HOUR_MS) * HOUR_MS;
    if (this.fmt === null) {
      const d = new Date(hourStart);
      return ref(d.getUTCDay(), d.getUTCHours());
    }
    const hit = this.cache.get(hourStart);
    if (hit) return hit;
    let dow = 0;
    let hour = 0;
    for (const p of this.fmt.formatToParts(new Date(hourStart))) {
      if (p.type === 'weekday') dow = WEEKDAY[p.value] ?? 0;
      else if (p.type === 'hour') hour = Number(p.value) % 24;
    }
    const r = ref(dow, hour);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hourStart, r);
    return r;
  }
}

/** UTC day number: the unit of the rolling window (old days are dropped whole). */
export function dayIndex(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}
