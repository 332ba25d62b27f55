// The anomaly pass of a one-shot analysis (`npm run analyze`). A one-shot run has no stored history, so by
// default the baselines are learned from the same input: every event goes through the engine's
// SeriesAggregator, the per-minute samples are kept compactly per series, and at the end each series' cells
// (weekday×hour bucket, hour of day, global; the engine's computeCell turns moments + sketch into mean/σ and
// learned |z| thresholds) are built and the engine's Detector (the fallback ladder, σ guard, severities)
// judges that series' own samples, each with itself left out of its cell. With `stored` models (an anomaly
// store's thresholds) samples are judged as they close and nothing is kept. No second detector here.
import type { AnomalyFinding, AnomalyFindings, ClassifiedEvent } from '../core/types.ts';
import type { SeriesBaseline } from './baseline.ts';
import { BUCKETS, BucketClock, minuteOf } from './buckets.ts';
import { type AnomalyConfig, defaultAnomalyConfig, type ThresholdMapping } from './config.ts';
import { Detector, type Judgement } from './detector.ts';
import { SeriesAggregator } from './series.ts';
import { QuantileSketch } from './sketch.ts';
import { RunningStats } from './stats.ts';
import { computeCell, type SigmaGuard, validateMapping } from './thresholds.ts';
import type { BaselineCell, BaselineScope, SeriesSample, Severity } from './types.ts';

/**
 * A baseline cell needs this many per-minute samples before it is used when the baseline is the input
 * itself: half an hour. The service's 120 is meant for weeks of history; one input is often an hour.
 */
export const ONESHOT_MIN_SAMPLES = 30;
/** Per-minute samples kept for the end-of-input judgement (16 bytes each: ≤ 16 MB). */
export const ONESHOT_MAX_SAMPLES = 1_000_000;
/** Findings kept for the report and anomalies.csv (counts by severity cover all of them). */
export const ONESHOT_MAX_RECORDS = 5_000;

export interface OneShotAnomalyOptions {
  /** Series keys, severity mapping, σ guard, time zone, sketch size (default: the engine's defaults). */
  config?: AnomalyConfig;
  /** Default ONESHOT_MIN_SAMPLES with the input as baseline; the config's minSamples with a store. */
  minSamples?: number;
  maxSamples?: number;
  maxRecords?: number;
  /** Judge against these baselines (an anomaly store's thresholds) instead of learning from the input. */
  stored?: { models: Map<string, SeriesBaseline>; path: string };
}

/** One series' samples as two growable typed arrays (no object per sample). */
class SampleColumn {
  minutes = new Float64Array(64);
  values = new Float64Array(64);
  n = 0;

  push(minute: number, value: number): void {
    if (this.n === this.minutes.length) {
      const minutes = new Float64Array(this.n * 2);
      minutes.set(this.minutes);
      this.minutes = minutes;
      const values = new Float64Array(this.n * 2);
      values.set(this.values);
      this.values = values;
    }
    this.minutes[this.n] = minute;
    this.values[this.n] = value;
    this.n++;
  }
}

/** In-sample |z| below this share of the mildest severity floor cannot cross it once the sample is left out. */
const CANDIDATE_SHARE = 0.75;

interface CellParts {
  stats: RunningStats;
  sketch: QuantileSketch;
}

/**
 * The moments and sketch behind each cell of one series: 168 weekday×hour buckets, 24 hours of day (buckets
 * merged across weekdays) and one global cell, as BaselineHistory.compute merges them; kept (not only the
 * resulting cells) because the leave-one-out judgement subtracts a sample from them.
 */
class CellAccumulators {
  private readonly bucket: (CellParts | undefined)[] = new Array(BUCKETS).fill(undefined);
  private readonly hour: (CellParts | undefined)[] = new Array(24).fill(undefined);
  private readonly global: CellParts;

  constructor(
    private readonly alpha: number,
    private readonly maxBins: number,
  ) {
    this.global = this.fresh();
  }

  private fresh(): CellParts {
    return { stats: new RunningStats(), sketch: new QuantileSketch(this.alpha, this.maxBins) };
  }

  add(hourOfWeek: number, value: number): void {
    this.bucket[hourOfWeek] ??= this.fresh();
    this.hour[hourOfWeek % 24] ??= this.fresh();
    for (const p of [this.bucket[hourOfWeek]!, this.hour[hourOfWeek % 24]!, this.global]) {
      p.stats.push(value);
      p.sketch.add(value);
    }
  }

  parts(scope: BaselineScope, key: number): CellParts {
    const p = scope === 'bucket' ? this.bucket[key] : scope === 'hour' ? this.hour[key] : this.global;
    if (!p) throw new Error(`oneshot: no ${scope} cell ${key}`);
    return p;
  }

  model(series: string, mapping: ThresholdMapping, guard: SigmaGuard): SeriesBaseline {
    const cell = (scope: BaselineScope, key: number, p: CellParts | undefined) =>
      p && p.stats.n > 0 ? computeCell(scope, key, p.stats, p.sketch, mapping, guard) : undefined;
    return {
      series,
      bucket: this.bucket.map((p, how) => cell('bucket', how, p)),
      hour: this.hour.map((p, h) => cell('hour', h, p)),
      global: cell('global', 0, this.global),
    };
  }
}

function emptyModel(series: string): SeriesBaseline {
  return {
    series,
    bucket: new Array<BaselineCell | undefined>(BUCKETS).fill(undefined),
    hour: new Array<BaselineCell | undefined>(24).fill(undefined),
    global: undefined,
  };
}

function setCell(m: SeriesBaseline, scope: BaselineScope, key: number, c: BaselineCell | undefined): void {
  if (scope === 'bucket') m.bucket[key] = c;
  else if (scope === 'hour') m.hour[key] = c;
  else m.global = c;
}

/** Moments with one value taken out (Welford's update run backwards). */
function statsWithout(st: RunningStats, x: number): RunningStats {
  const n = st.n - 1;
  if (n <= 0) return new RunningStats();
  const mean = (st.n * st.mean - x) / n;
  return RunningStats.from({ n, mean, m2: Math.max(0, st.m2 - (x - mean) * (x - st.mean)) });
}

function finding(s: SeriesSample, j: Judgement, hit: NonNullable<Judgement['hit']>): AnomalyFinding {
  return {
    id: `${s.series}@${s.minute}`,
    series: s.series,
    at: s.minute,
    value: s.value,
    mean: j.cell.mean,
    sd: j.sigma,
    z: j.z,
    sev: hit.sev,
    percentile: hit.percentile,
    threshold: hit.threshold,
    scope: j.cell.scope,
    fellBack: j.fellBack,
    baselineN: j.cell.n,
  };
}

/** Severity (1 first), then |z| descending, then time. */
export function worstFirst(records: AnomalyFinding[], limit = Number.POSITIVE_INFINITY): AnomalyFinding[] {
  return [...records]
    .sort((a, b) => a.sev - b.sev || Math.abs(b.z) - Math.abs(a.z) || a.at - b.at)
    .slice(0, limit);
}

export class OneShotAnomalies {
  private readonly cfg: AnomalyConfig;
  private readonly clock: BucketClock;
  private readonly aggregator: SeriesAggregator;
  private readonly minSamples: number;
  private readonly maxSamples: number;
  private readonly maxRecords: number;
  private readonly stored: OneShotAnomalyOptions['stored'];
  /** Only with the input as baseline. */
  private readonly columns = new Map<string, SampleColumn>();
  private readonly storedDetector: Detector | null = null;
  private kept = 0;
  private samples = 0;
  private dropped = 0;
  private judged = 0;
  private records: AnomalyFinding[] = [];
  private readonly bySev: Record<Severity, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  private finished: AnomalyFindings | null = null;
  /** Minutes of the first and last timed event: the input cuts them, so they are only partly covered. */
  private firstMinute = Number.POSITIVE_INFINITY;
  private lastMinute = Number.NEGATIVE_INFINITY;

  constructor(opts: OneShotAnomalyOptions = {}) {
    this.cfg = opts.config ?? defaultAnomalyConfig();
    validateMapping(this.cfg.mapping);
    this.stored = opts.stored;
    this.minSamples = opts.minSamples ?? (this.stored ? this.cfg.minSamples : ONESHOT_MIN_SAMPLES);
    this.maxSamples = opts.maxSamples ?? ONESHOT_MAX_SAMPLES;
    this.maxRecords = opts.maxRecords ?? ONESHOT_MAX_RECORDS;
    this.clock = new BucketClock(this.cfg.timeZone);
    if (this.stored) {
      this.storedDetector = this.detector();
      this.storedDetector.replace(this.stored.models);
    }
    this.aggregator = new SeriesAggregator(this.cfg.series, (samples) => this.take(samples));
  }

  private detector(minSamples = this.minSamples): Detector {
    return new Detector(this.clock, {
      minSamples,
      mapping: this.cfg.mapping,
      minSigmaAbs: this.cfg.minSigmaAbs,
      minSigmaRel: this.cfg.minSigmaRel,
    });
  }

  /** Feed one classified event (in input order; small disorder is absorbed by the aggregator). */
  push(item: ClassifiedEvent): void {
    const t = item.event.timestamp;
    if (t !== null && Number.isFinite(t)) {
      const m = minuteOf(t);
      if (m < this.firstMinute) this.firstMinute = m;
      if (m > this.lastMinute) this.lastMinute = m;
    }
    this.aggregator.push(item);
  }

  /**
   * A drop in the input's first or last minute is the cut, not the system: those minutes are only partly
   * covered, so their counts fall short. A rise there still counts (logs often end at the failure).
   */
  private cutShort(s: SeriesSample, z: number): boolean {
    return z < 0 && (s.minute === this.firstMinute || s.minute === this.lastMinute);
  }

  private take(samples: SeriesSample[]): void {
    for (const s of samples) {
      this.samples++;
      if (this.storedDetector) {
        this.judge(this.storedDetector, s);
        continue;
      }
      if (this.kept >= this.maxSamples) {
        this.dropped++;
        continue;
      }
      let col = this.columns.get(s.series);
      if (!col) {
        col = new SampleColumn();
        this.columns.set(s.series, col);
      }
      col.push(s.minute, s.value);
      this.kept++;
    }
  }

  private judge(detector: Detector, s: SeriesSample): void {
    const j = detector.judge(s);
    if (!j) return;
    this.judged++;
    if (j.hit && !this.cutShort(s, j.z)) this.found(finding(s, j, j.hit));
  }

  private found(f: AnomalyFinding): void {
    this.bySev[f.sev]++;
    this.records.push(f);
    // Amortised cap: trim to the worst `maxRecords` only when twice that many have piled up.
    if (this.records.length >= 2 * this.maxRecords) this.records = worstFirst(this.records, this.maxRecords);
  }

  /** End of input: close the open minutes, learn and judge (input baseline). Idempotent. */
  finish(): AnomalyFindings {
    if (this.finished) return this.finished;
    this.aggregator.flush();
    if (!this.stored) {
      // One series at a time: its cells are garbage once its samples are judged.
      for (const series of [...this.columns.keys()].sort()) {
        this.judgeSeries(series, this.columns.get(series)!);
        this.columns.delete(series);
      }
    }
    const out: AnomalyFindings = {
      baseline: this.stored ? 'store' : 'input',
      minSamples: this.minSamples,
      series: this.aggregator.stats().series,
      samples: this.samples,
      judged: this.judged,
      samplesDropped: this.dropped,
      bySev: { ...this.bySev },
      records: worstFirst(this.records, this.maxRecords),
    };
    if (this.stored) out.storePath = this.stored.path;
    this.records = [];
    this.finished = out;
    return out;
  }

  /**
   * Learn one series' cells from its samples, then judge each sample leave-one-out: against the cell of its
   * rung with that very sample taken out. Judged in-sample, a lone spike would sit inside the |z| percentiles
   * it is measured against (in a 60-sample hour, p99 and p99.9 are the spike itself) and could never reach
   * SEV1–2. Only samples already unusual in-sample (see CANDIDATE_SHARE) pay for the re-judgement.
   */
  private judgeSeries(series: string, col: SampleColumn): void {
    const acc = new CellAccumulators(this.cfg.sketchAlpha, this.cfg.sketchMaxBins);
    for (let i = 0; i < col.n; i++) acc.add(this.clock.bucketOf(col.minutes[i]!).hourOfWeek, col.values[i]!);
    const model = acc.model(series, this.cfg.mapping, this.cfg);
    // minSamples + 1: the rung must still have enough samples once the judged one is taken out.
    const full = this.detector(this.minSamples + 1);
    full.replace(new Map([[series, model]]));
    const scratch = emptyModel(series);
    const loo = this.detector();
    loo.replace(new Map([[series, scratch]]));
    const candidateZ = CANDIDATE_SHARE * Math.min(...Object.values(this.cfg.mapping.floors));
    for (let i = 0; i < col.n; i++) {
      const s: SeriesSample = { series, minute: col.minutes[i]!, value: col.values[i]! };
      const j = full.judge(s);
      if (!j) continue;
      this.judged++;
      if (Math.abs(j.z) < candidateZ || this.cutShort(s, j.z)) continue;
      // The same rung, rebuilt without this sample; the ladder then picks it (n − 1 ≥ minSamples).
      const { scope, key } = j.cell;
      const parts = acc.parts(scope, key);
      // The sample's count comes out of the sketch in place and goes back after (no copy per candidate).
      const removed = parts.sketch.removeOne(s.value);
      const cell = computeCell(
        scope,
        key,
        statsWithout(parts.stats, s.value),
        parts.sketch,
        this.cfg.mapping,
        this.cfg,
      );
      if (removed) parts.sketch.add(s.value);
      setCell(scratch, scope, key, cell);
      const jl = loo.judge(s);
      setCell(scratch, scope, key, undefined);
      if (jl?.hit) this.found(finding(s, jl, jl.hit));
    }
  }
}
