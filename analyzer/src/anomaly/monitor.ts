// The anomaly monitor: events → per-minute series → judged against time-aware baselines (SEV1–SEV5) and learned
// into the rolling history; recalculated on a schedule or on demand; everything kept in SQLite across restarts.
import type { Registry } from 'prom-client';
import type { ClassifiedEvent } from '../core/types.ts';
import { type AnalysisResult, AnomalyAnalyst } from './ai.ts';
import { BaselineHistory, type SeriesBaseline } from './baseline.ts';
import { BucketClock, DAY_MS, dayIndex, MINUTE_MS } from './buckets.ts';
import type { AnomalyConfig } from './config.ts';
import { ContextWindow } from './context.ts';
import { Detector, type Judgement } from './detector.ts';
import { AnomalyMetrics } from './metrics.ts';
import { SeriesAggregator } from './series.ts';
import { AnomalyStore } from './store.ts';
import { validateMapping } from './thresholds.ts';
import {
  type AnomalyLogger,
  type AnomalyQuery,
  type AnomalyRecord,
  type RecalcResult,
  type SeriesSample,
  silentLogger,
} from './types.ts';

export interface AnomalyMonitorOptions {
  config: AnomalyConfig;
  registry?: Registry;
  logger?: AnomalyLogger;
  /** Wall clock (scheduling, AI breaker); data time always comes from the events. */
  now?: () => number;
}

/** How far ahead of the wall clock the persisted data clock may be (clock skew between hosts). */
const FUTURE_SLACK_MS = 5 * MINUTE_MS;

/** Closed minutes between writes of changed baseline partials to SQLite. */
const PERSIST_EVERY_MINUTES = 5;

export class AnomalyMonitor {
  readonly config: AnomalyConfig;
  readonly store: AnomalyStore;
  readonly analyst: AnomalyAnalyst;
  private readonly clock: BucketClock;
  private readonly history: BaselineHistory;
  private readonly detector: Detector;
  private readonly aggregator: SeriesAggregator;
  private readonly context = new ContextWindow();
  private readonly metrics: AnomalyMetrics | null;
  private readonly logger: AnomalyLogger;
  private readonly now: () => number;
  private readonly listeners = new Set<(a: AnomalyRecord) => void>();
  private timer: NodeJS.Timeout | null = null;
  private minutesSincePersist = 0;
  /** Newest sample time seen: the data clock for the window and retention (replays of old logs work). */
  private dataNow: number | null = null;
  private lastRecalc: RecalcResult | null = null;
  private closed = false;

  constructor(opts: AnomalyMonitorOptions) {
    this.config = opts.config;
    validateMapping(this.config.mapping);
    this.logger = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.clock = new BucketClock(this.config.timeZone);
    this.history = new BaselineHistory(this.clock, this.config.sketchAlpha, this.config.sketchMaxBins);
    this.detector = new Detector(this.clock, {
      minSamples: this.config.minSamples,
      mapping: this.config.mapping,
      minSigmaAbs: this.config.minSigmaAbs,
      minSigmaRel: this.config.minSigmaRel,
    });
    this.aggregator = new SeriesAggregator(this.config.series, (samples) => this.ingest(samples));
    this.metrics = opts.registry ? new AnomalyMetrics(opts.registry, this.config.maxGaugeSeries) : null;
    this.analyst = new AnomalyAnalyst(this.config.ai, this.logger, this.now);
    this.store = new AnomalyStore(this.config.dbPath);
    const last = this.store.getMeta('data_now');
    // A data clock persisted from a future-dated line (before the service bounded event time) would drive
    // retention past every real day and wipe the history on the next recalculation: never trust it beyond now.
    if (last !== undefined) this.dataNow = Math.min(Number(last), this.now() + FUTURE_SLACK_MS);
    const firstDay = this.dataNow === null ? 0 : dayIndex(this.dataNow) - this.config.windowDays + 1;
    for (const row of this.store.loadPartials(firstDay)) this.history.load(row);
    this.detector.replace(this.store.loadThresholds());
  }

  /** Feed one classified event (the pipeline sink side). */
  write(item: ClassifiedEvent): void {
    this.context.observe(item);
    this.aggregator.push(item);
  }

  /** Close the open minutes (end of input, or shutdown). */
  flush(): void {
    this.aggregator.flush();
    this.persist();
  }

  onAnomaly(cb: (a: AnomalyRecord) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Judge one sample without side effects (no learning, no storage): for evaluation and what-if checks. */
  judge(s: SeriesSample): Judgement | null {
    return this.detector.judge(s);
  }

  /** Judge closed samples against the current thresholds, then learn them into the history. */
  ingest(samples: SeriesSample[]): AnomalyRecord[] {
    const found: AnomalyRecord[] = [];
    let newest = this.dataNow ?? Number.NEGATIVE_INFINITY;
    for (const s of samples) {
      const j = this.detector.judge(s);
      if (j) {
        this.metrics?.state(s.series, j.hit ? j.hit.sev : 0);
        if (j.hit) {
          const ctx = this.context.around(
            s.minute - this.config.contextWindowMs,
            s.minute + MINUTE_MS + this.config.series.allowedLatenessMs,
            this.config.contextCrumbs,
            this.config.contextTraceIds,
          );
          const rec: AnomalyRecord = {
            id: `${s.series}@${s.minute}`,
            series: s.series,
            at: s.minute,
            timestamp: new Date(s.minute).toISOString(),
            value: s.value,
            mean: j.cell.mean,
            sd: j.sigma,
            z: j.z,
            sev: j.hit.sev,
            percentile: j.hit.percentile,
            threshold: j.hit.threshold,
            bucket: j.bucket,
            scope: j.cell.scope,
            fellBack: j.fellBack,
            baselineN: j.cell.n,
            breadcrumbs: ctx.crumbs,
            traceIds: ctx.traceIds,
          };
          found.push(rec);
        }
      }
      this.history.add(s);
      if (s.minute > newest) newest = s.minute;
    }
    if (Number.isFinite(newest)) this.dataNow = newest;
    for (const rec of found) {
      this.store.insertAnomaly(rec);
      this.metrics?.anomaly(rec.sev);
      for (const cb of this.listeners) {
        try {
          cb(rec);
        } catch (err) {
          this.logger.warn('anomaly listener failed', { error: String(err) });
        }
      }
    }
    if (++this.minutesSincePersist >= PERSIST_EVERY_MINUTES) this.persist();
    return found;
  }

  private persist(): void {
    if (this.closed) return;
    this.store.upsertPartials(this.history.takeDirty());
    if (this.dataNow !== null) this.store.setMeta('data_now', String(this.dataNow));
    this.minutesSincePersist = 0;
  }

  /**
   * Drop days outside the window and anomalies past retention, merge the remaining partials into baselines,
   * learn |z| percentiles → thresholds, and swap them in. Synchronous: one SQLite transaction per table.
   */
  recalculate(): RecalcResult {
    const t0 = performance.now();
    this.persist();
    const ref = this.dataNow ?? this.now();
    const firstDay = dayIndex(ref) - this.config.windowDays + 1;
    const daysDropped = this.history.dropBefore(firstDay);
    this.store.deletePartialsBefore(firstDay);
    const anomaliesDropped = this.store.deleteAnomaliesBefore(ref - this.config.retentionDays * DAY_MS);
    const models = new Map<string, SeriesBaseline>();
    let samples = 0;
    for (const series of this.history.series()) {
      const { model, samples: n } = this.history.compute(series, this.config.mapping, this.config);
      models.set(series, model);
      samples += n;
    }
    const cells = this.store.replaceThresholds(models.values(), this.now());
    this.detector.replace(models);
    this.store.setMeta('last_recalc', String(this.now()));
    const result: RecalcResult = {
      series: models.size,
      cells,
      samples,
      daysDropped,
      anomaliesDropped,
      durationMs: Math.round((performance.now() - t0) * 10) / 10,
    };
    this.lastRecalc = result;
    this.logger.debug('anomaly baselines recalculated', { ...result });
    return result;
  }

  anomalies(q: AnomalyQuery): AnomalyRecord[] {
    return this.store.queryAnomalies(q);
  }

  anomaly(id: string): AnomalyRecord | undefined {
    return this.store.getAnomaly(id);
  }

  baselines(series: string): SeriesBaseline | undefined {
    return this.detector.model(series);
  }

  series(): string[] {
    return this.detector.seriesNames();
  }

  async analyze(anomalyId: string): Promise<AnalysisResult | undefined> {
    const a = this.store.getAnomaly(anomalyId);
    if (!a) return undefined;
    return this.analyst.analyze(a);
  }

  stats(): Record<string, number | string | boolean | null> {
    const agg = this.aggregator.stats();
    return {
      events: agg.events,
      untimedEvents: agg.untimed,
      lateEvents: agg.late,
      series: agg.series,
      modelSeries: this.detector.seriesNames().length,
      anomaliesStored: this.store.countAnomalies(),
      lastRecalcMs: this.lastRecalc?.durationMs ?? null,
      dataNow: this.dataNow === null ? null : new Date(this.dataNow).toISOString(),
      ai: this.config.ai.enabled,
    };
  }

  /** Schedule recalculation (nightly at recalcAtUtc, or every recalcIntervalMs); the timer never holds the process. */
  start(): void {
    if (this.detector.seriesNames().length === 0 && this.history.series().length > 0) this.recalculate();
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    let delay: number | null = null;
    if (this.config.recalcIntervalMs !== null) delay = this.config.recalcIntervalMs;
    else if (this.config.recalcAtUtc !== null) delay = msUntilUtc(this.config.recalcAtUtc, this.now());
    if (delay === null) return;
    this.timer = setTimeout(() => {
      try {
        this.recalculate();
      } catch (err) {
        this.logger.warn('scheduled anomaly recalculation failed', { error: String(err) });
      }
      this.schedule();
    }, delay);
    this.timer.unref();
  }

  close(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.persist();
    this.closed = true;
    this.store.close();
  }
}

/** Milliseconds from `now` to the next HH:MM UTC. */
export function msUntilUtc(hhmm: string, now: number): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const d = new Date(now);
  let next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h, m);
  if (next <= now) next += DAY_MS;
  return next - now;
}
