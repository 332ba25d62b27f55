// Baseline history: per series, per UTC day, per weekday×hour bucket, a partial (moments + sketch). Days are
// the unit of the rolling window, so dropping a day is deleting its partials; recalculation merges what is left.
import { BUCKETS, type BucketClock, dayIndex } from './buckets.ts';
import type { ThresholdMapping } from './config.ts';
import { QuantileSketch, type SketchState } from './sketch.ts';
import { type MomentState, RunningStats } from './stats.ts';
import { computeCell, type SigmaGuard } from './thresholds.ts';
import type { BaselineCell, SeriesSample } from './types.ts';

export interface DayPartial {
  stats: RunningStats;
  sketch: QuantileSketch;
}

/** A partial as stored: series, UTC day, hour of week. */
export interface PartialRow {
  series: string;
  day: number;
  hourOfWeek: number;
  moments: MomentState;
  sketch: SketchState;
}

/** The learned model of one series: 168 buckets, 24 hours of day, one global cell. */
export interface SeriesBaseline {
  series: string;
  bucket: (BaselineCell | undefined)[];
  hour: (BaselineCell | undefined)[];
  global: BaselineCell | undefined;
}

export class BaselineHistory {
  /** series → day → hourOfWeek → partial. */
  private readonly data = new Map<string, Map<number, Map<number, DayPartial>>>();
  private readonly dirty = new Set<DayPartial>();
  private readonly dirtyKeys = new Map<DayPartial, [string, number, number]>();

  constructor(
    private readonly clock: BucketClock,
    private readonly alpha: number,
    private readonly maxBins: number,
  ) {}

  private partial(series: string, day: number, how: number): DayPartial {
    let days = this.data.get(series);
    if (!days) {
      days = new Map();
      this.data.set(series, days);
    }
    let hows = days.get(day);
    if (!hows) {
      hows = new Map();
      days.set(day, hows);
    }
    let p = hows.get(how);
    if (!p) {
      p = { stats: new RunningStats(), sketch: new QuantileSketch(this.alpha, this.maxBins) };
      hows.set(how, p);
    }
    return p;
  }

  add(s: SeriesSample): void {
    const how = this.clock.bucketOf(s.minute).hourOfWeek;
    const day = dayIndex(s.minute);
    const p = this.partial(s.series, day, how);
    p.stats.push(s.value);
    p.sketch.add(s.value);
    this.dirty.add(p);
    this.dirtyKeys.set(p, [s.series, day, how]);
  }

  load(row: PartialRow): void {
    const p = this.partial(row.series, row.day, row.hourOfWeek);
    p.stats = RunningStats.from(row.moments);
    p.sketch = QuantileSketch.fromJSON(row.sketch, this.maxBins);
  }

  /** Partials changed since the last call (for persistence). */
  takeDirty(): PartialRow[] {
    const out: PartialRow[] = [];
    for (const p of this.dirty) {
      const [series, day, hourOfWeek] = this.dirtyKeys.get(p)!;
      out.push({ series, day, hourOfWeek, moments: p.stats.toJSON(), sketch: p.sketch.toJSON() });
    }
    this.dirty.clear();
    this.dirtyKeys.clear();
    return out;
  }

  /** Drop days before `firstDay`; returns how many day partials went. */
  dropBefore(firstDay: number): number {
    let dropped = 0;
    for (const [series, days] of this.data) {
      for (const [day, hows] of days) {
        if (day < firstDay) {
          dropped += hows.size;
          for (const p of hows.values()) {
            this.dirty.delete(p);
            this.dirtyKeys.delete(p);
          }
          days.delete(day);
        }
      }
      if (days.size === 0) this.data.delete(series);
    }
    return dropped;
  }

  series(): string[] {
    return [...this.data.keys()].sort();
  }

  /** Merge the window's partials of one series into its 168 + 24 + 1 cells. */
  compute(
    series: string,
    mapping: ThresholdMapping,
    guard: SigmaGuard,
  ): { model: SeriesBaseline; samples: number } {
    const bucketStats = Array.from({ length: BUCKETS }, () => new RunningStats());
    const bucketSketch = Array.from({ length: BUCKETS }, () => new QuantileSketch(this.alpha, this.maxBins));
    for (const hows of this.data.get(series)?.values() ?? []) {
      for (const [how, p] of hows) {
        bucketStats[how]!.merge(p.stats);
        bucketSketch[how]!.merge(p.sketch);
      }
    }
    const hourStats = Array.from({ length: 24 }, () => new RunningStats());
    const hourSketch = Array.from({ length: 24 }, () => new QuantileSketch(this.alpha, this.maxBins));
    const gStats = new RunningStats();
    const gSketch = new QuantileSketch(this.alpha, this.maxBins);
    const model: SeriesBaseline = { series, bucket: [], hour: [], global: undefined };
    for (let how = 0; how < BUCKETS; how++) {
      const st = bucketStats[how]!;
      if (st.n === 0) {
        model.bucket.push(undefined);
        continue;
      }
      model.bucket.push(computeCell('bucket', how, st, bucketSketch[how]!, mapping, guard));
      hourStats[how % 24]!.merge(st);
      hourSketch[how % 24]!.merge(bucketSketch[how]!);
      gStats.merge(st);
      gSketch.merge(bucketSketch[how]!);
    }
    for (let h = 0; h < 24; h++) {
      const st = hourStats[h]!;
      model.hour.push(st.n > 0 ? computeCell('hour', h, st, hourSketch[h]!, mapping, guard) : undefined);
    }
    if (gStats.n > 0) model.global = computeCell('global', 0, gStats, gSketch, mapping, guard);
    return { model, samples: gStats.n };
  }
}
