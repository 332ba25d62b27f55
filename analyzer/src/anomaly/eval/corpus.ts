// A deterministic synthetic corpus: per-minute series with daily and weekly seasonality (busy trading hours,
// quiet nights and weekends) and injected anomalies of known series, time and magnitude — including ones that
// are only anomalous for their hour (a busy-hour level at 3 a.m. on a Sunday).
import { DAY_MS, MINUTE_MS } from '../buckets.ts';
import { Rng } from './prng.ts';

export type SeriesKind = 'count' | 'latency';

export interface SeriesSpec {
  name: string;
  kind: SeriesKind;
  /** count: events per minute at full load; latency: ms added at full load over `floor`. */
  base: number;
  floor?: number;
}

export type InjectionKind = 'spike' | 'off-hours-busy' | 'drop' | 'latency-shift';

export interface Injection {
  series: string;
  kind: InjectionKind;
  /** Minute index from the corpus start; [start, end). */
  start: number;
  end: number;
  magnitude: number;
}

export interface Corpus {
  startMs: number;
  days: number;
  minutes: number;
  series: SeriesSpec[];
  /** values[s][minute] */
  values: Float64Array[];
  injections: Injection[];
}

export interface CorpusOptions {
  seed: number;
  days: number;
  /** Injections are placed from this day on (the evaluation part). */
  evalFromDay: number;
  anomalies: number;
  /** Monday 00:00 UTC, so weekdays line up with the profile. */
  startMs?: number;
}

export const DEFAULT_SERIES: SeriesSpec[] = [
  { name: 'gateway:errors', kind: 'count', base: 6 },
  { name: 'orders:errors', kind: 'count', base: 3 },
  { name: 'payments:errors', kind: 'count', base: 2 },
  { name: 'gateway:warns', kind: 'count', base: 20 },
  { name: 'orders:warns', kind: 'count', base: 12 },
  { name: 'payments:warns', kind: 'count', base: 8 },
  { name: 'orders:crumb.stress', kind: 'count', base: 1.5 },
  { name: 'gateway:latency_ms.p95', kind: 'latency', base: 180, floor: 120 },
];

/** Load 0…1 by time: trading hours on weekdays are busy, nights and weekends quiet. */
export function load(ms: number): number {
  const d = new Date(ms);
  const dow = d.getUTCDay();
  const h = d.getUTCHours() + d.getUTCMinutes() / 60;
  if (dow === 0 || dow === 6) return h >= 9 && h < 20 ? 0.14 : 0.06;
  if (h < 6) return 0.06;
  if (h < 8) return 0.06 + ((h - 6) / 2) * 0.6;
  if (h < 12) return 1;
  if (h < 13) return 0.8;
  if (h < 17) return 1;
  if (h < 19) return 1 - ((h - 17) / 2) * 0.75;
  return h < 22 ? 0.2 : 0.1;
}

function isQuiet(ms: number): boolean {
  return load(ms) <= 0.14;
}

function isBusy(ms: number): boolean {
  return load(ms) >= 0.99;
}

/** Where a kind of injection may go (quiet or busy minutes) and which series it suits. */
function placeInjections(rng: Rng, o: CorpusOptions, startMs: number, series: SeriesSpec[]): Injection[] {
  const counts = series.filter((s) => s.kind === 'count').map((s) => s.name);
  const lat = series.filter((s) => s.kind === 'latency').map((s) => s.name);
  const plan: InjectionKind[] = [];
  for (let i = 0; i < o.anomalies; i++) {
    const r = i % 10;
    plan.push(
      r < 4 ? 'spike' : r < 7 ? 'off-hours-busy' : r < 9 ? (lat.length ? 'latency-shift' : 'spike') : 'drop',
    );
  }
  const out: Injection[] = [];
  const firstMinute = o.evalFromDay * 1440;
  const lastMinute = o.days * 1440 - 90;
  for (const kind of plan) {
    for (let attempt = 0; attempt < 500; attempt++) {
      const start = rng.int(firstMinute, lastMinute);
      const at = startMs + start * MINUTE_MS;
      const wantQuiet = kind === 'off-hours-busy';
      const wantBusy = kind === 'drop';
      if (wantQuiet && !isQuiet(at)) continue;
      if (wantBusy && !isBusy(at)) continue;
      const name = kind === 'latency-shift' ? rng.pick(lat) : rng.pick(counts);
      const len = kind === 'spike' ? rng.int(5, 15) : rng.int(15, 40);
      const end = start + len;
      // Keep injections apart so each one is a separate thing to find.
      if (out.some((x) => x.series === name && start < x.end + 120 && end + 120 > x.start)) continue;
      const magnitude =
        kind === 'spike'
          ? rng.uniform(2.5, 5)
          : kind === 'latency-shift'
            ? rng.uniform(0.6, 1.2)
            : kind === 'drop'
              ? 0.05
              : 1;
      out.push({ series: name, kind, start, end, magnitude });
      break;
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export function generateCorpus(o: CorpusOptions): Corpus {
  const startMs = o.startMs ?? Date.UTC(2025, 2, 3);
  const rng = new Rng(o.seed);
  const minutes = o.days * 1440;
  const series = DEFAULT_SERIES;
  const injections = placeInjections(rng, o, startMs, series);
  // Day-to-day variation: some days are busier than others.
  const dayFactor = Array.from({ length: o.days }, () => Math.max(0.6, rng.normal(1, 0.06)));
  const values = series.map(() => new Float64Array(minutes));
  const byName = new Map(series.map((s, i) => [s.name, i]));
  const active = new Map<number, Injection[]>();
  for (const inj of injections) {
    const i = byName.get(inj.series)!;
    active.set(i, [...(active.get(i) ?? []), inj]);
  }
  for (let m = 0; m < minutes; m++) {
    const t = startMs + m * MINUTE_MS;
    const ld = load(t) * dayFactor[Math.floor((m * MINUTE_MS) / DAY_MS)]!;
    series.forEach((s, i) => {
      const inj = active.get(i)?.find((x) => m >= x.start && m < x.end);
      if (s.kind === 'count') {
        let lambda = s.base * ld;
        if (inj?.kind === 'spike') lambda *= inj.magnitude;
        else if (inj?.kind === 'off-hours-busy') lambda = s.base * inj.magnitude;
        else if (inj?.kind === 'drop') lambda *= inj.magnitude;
        values[i]![m] = rng.poisson(lambda);
      } else {
        let ms = (s.floor ?? 0) + s.base * ld + rng.normal(0, 6 + 10 * ld);
        if (inj?.kind === 'latency-shift') ms += s.base * inj.magnitude;
        values[i]![m] = Math.max(1, Math.round(ms * 10) / 10);
      }
    });
  }
  return { startMs, days: o.days, minutes, series, values, injections };
}
