// Wiring of the live service: tailer → pipeline (batches, yielding between them) → metrics, incidents, rings,
// --output, sinks; acks flow back through the AckTracker and become tailer checkpoints. No module here reaches
// into another's internals: each piece is injected (ServiceDeps) so tests run the real wiring with fakes.
import { writeFile } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { AckTracker } from '../core/ack.ts';
import type { Breadcrumb, ClassifiedEvent, Incident, RawLine, TimelineStats } from '../core/types.ts';
import { AnalyzerMetrics } from '../metrics/analyzer-metrics.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { Ring } from '../pipeline/ring.ts';
import type { StageError } from '../pipeline/stage.ts';
import { createRedactStage, type Redactor } from '../redact/index.ts';
import type { AckingSink } from '../sinks/sink.ts';
import type { FollowedFile, LinesHandler, Tailer, TailerOptions } from '../source/types.ts';
import { IncidentBuilder, type TimelineOptions } from '../timeline/incidents.ts';
import { AlertStore } from './alerts.ts';
import { writeAuthorizer } from './auth.ts';
import type { ServiceConfig } from './config.ts';
import { eventTimeBound, type TimeBound } from './event-time.ts';
import { ServiceHealth } from './health.ts';
import { HttpService, type MountedHandler, type RouteTable } from './http.ts';
import { JsonLinesWriter } from './output.ts';
import { RecentHistory } from './recent.ts';
import { apiRoutes, dashboardRoutes, type Readiness } from './routes.ts';
import { buildPipeline, createStageFactories, type StageFactories } from './stages.ts';

/** The incident builder as the service uses it (IncidentBuilder fits; tests may pass a fake). */
export interface IncidentSink {
  add(b: Breadcrumb): Incident | null;
  /** Shutdown: close the open incident and settle the signals still in the look-back window. */
  finish?(): unknown;
  /** What its memory caps let go of (shown in /stats). */
  stats?(): TimelineStats;
}

/** Something that sees every classified event but does not ack (the anomaly monitor). */
export interface EventObserver {
  /** Names it in /readyz, /stats and crumbtrail_observer_errors_total (default observer-N). */
  readonly name?: string;
  write(item: ClassifiedEvent): void;
  /** End of input / shutdown: close open windows. */
  flush?(): void;
  close?(): void;
}

export interface ServiceDeps {
  /** Pass one in when other modules must register on the same registry before the service exists. */
  metrics?: AnalyzerMetrics;
  createTailer: (opts: TailerOptions, onLines: LinesHandler) => Tailer;
  stageFactories?: StageFactories;
  /** Acking sinks (Elasticsearch); built by the CLI from config.es and given `ackTracker` + `metrics.registry`. */
  sinks?: (ctx: { ackTracker: AckTracker; metrics: AnalyzerMetrics }) => AckingSink[];
  /** More routes; mounted on the main port. */
  routes?: RouteTable[];
  /** Handlers serving their own subtree, e.g. anomalyRoutes(monitor) (/anomalies, /api/monitor/…). */
  mounted?: MountedHandler[];
  observers?: EventObserver[];
  incidents?: (onSettled: (b: Breadcrumb) => void) => IncidentSink;
  timeline?: TimelineOptions;
  log?: (line: string) => void;
  now?: () => number;
}

export interface ServiceAddress {
  host: string;
  port: number;
  dashboardPort: number | null;
}

export class AnalyzerService {
  readonly metrics: AnalyzerMetrics;
  readonly ackTracker = new AckTracker();
  readonly history = new RecentHistory();
  readonly alerts = new AlertStore();
  private readonly pipeline: Pipeline<RawLine, ClassifiedEvent>;
  private readonly incidentSink: IncidentSink;
  private readonly serviceErrors = new Ring<StageError>(200);
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private tailer: Tailer | null = null;
  private sinks: AckingSink[] = [];
  private readonly observers: { name: string; o: EventObserver }[];
  readonly health: ServiceHealth;
  private readonly timeBound: TimeBound;
  /** The configured redaction (defaults and pipeline.redact patterns), for what /errors shows. */
  private readonly errorRedactor: Redactor;
  private output: JsonLinesWriter | null = null;
  private servers: HttpService[] = [];
  private timers: NodeJS.Timeout[] = [];
  private idleFlushTimer: NodeJS.Timeout | null = null;
  private readonly startedAt: number;

  /** Highest nextOffset delivered per file, and the last offset committed. */
  private readonly delivered = new Map<string, number>();
  private readonly committedOffsets = new Map<string, number>();
  /** Offsets whose checkpoint write has landed (the tailer's commit promise resolved). */
  private readonly persistedOffsets = new Map<string, number>();
  private busy = 0;
  /** The pipeline may hold events (multiline) since the last flush. */
  private holding = false;
  private lastLinesAt = 0;
  private paused = false;
  private stopping = false;
  private started = false;
  private linesRead = 0;
  private bytesRead = 0;
  private committing: Promise<void> | null = null;
  /** Commit passes so far (tests wait for one to have run instead of sleeping). */
  private commitRounds = 0;

  constructor(
    readonly config: ServiceConfig,
    private readonly deps: ServiceDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.startedAt = this.now();
    this.observers = (deps.observers ?? []).map((o, i) => ({ name: o.name ?? `observer-${i + 1}`, o }));
    this.errorRedactor = createRedactStage(config.pipeline.redact ?? {}).redactor;
    this.timeBound = eventTimeBound(this.now, config.maxEventFutureMs, config.maxEventPastMs);
    this.metrics =
      deps.metrics ??
      new AnalyzerMetrics({ componentCap: config.componentLabelCap, fileCap: config.fileLabelCap });
    const factories = deps.stageFactories ?? createStageFactories(this.metrics.registry);
    this.pipeline = buildPipeline(config.pipeline, factories, {
      trace: config.trace,
    });
    const onSettled = (): void => {};
    this.incidentSink = deps.incidents
      ? deps.incidents(onSettled)
      : new IncidentBuilder(deps.timeline ?? {}, onSettled);
    this.health = new ServiceHealth(this.now, {
      tailerErrors: () => this.tailer?.stats().errors ?? 0,
      tailerLastError: () => this.tailer?.stats().lastError ?? '',
      ackRejected: () => this.ackTracker.rejected,
    });
    this.health.register(this.metrics.registry);
    this.metrics.setSources({
      stageStats: () => this.pipeline.stats(),
      files: () => this.tailer?.files() ?? [],
      ready: () => this.readiness().ready,
    });
  }

  async start(): Promise<ServiceAddress> {
    const c = this.config;
    this.sinks = this.deps.sinks?.({ ackTracker: this.ackTracker, metrics: this.metrics }) ?? [];
    if (c.output)
      this.output = new JsonLinesWriter(c.output, {
        events: {
          paused: (reason) => {
            this.health.pausedOutputs.set('events', reason);
            this.log(`output paused: ${reason}`);
          },
          resumed: () => {
            this.health.pausedOutputs.delete('events');
            this.log(`output resumed: ${c.output}`);
          },
        },
      });

    const api = apiRoutes(this.view());
    const dash = c.dashboard ? [dashboardRoutes()] : [];
    const onError = (err: unknown): void =>
      this.log(`http: ${err instanceof Error ? err.message : String(err)}`);
    const extra = this.deps.routes ?? [];
    const mounted = this.deps.mounted ?? [];
    const authorize = writeAuthorizer(c.apiToken, c.host);
    const main = new HttpService(
      [api, ...(c.dashboardPort === null ? dash : []), ...extra],
      mounted,
      onError,
      authorize,
    );
    this.servers.push(main);
    const addr = await main.listen(c.port, c.host);
    let dashboardPort: number | null = null;
    if (c.dashboard && c.dashboardPort !== null) {
      const second = new HttpService([api, ...dash, ...extra], mounted, onError, authorize);
      this.servers.push(second);
      dashboardPort = (await second.listen(c.dashboardPort, c.host)).port;
    }

    this.tailer = this.deps.createTailer(
      { globs: c.globs, stateDir: c.stateDir, resetCheckpoints: c.resetCheckpoints, startAt: c.startAt },
      (lines, file) => this.onLines(lines, file),
    );
    await this.tailer.start();
    this.started = true;
    // The idle flush has its own one-shot timer (armed after each read): the tick stays slow when idle.
    this.timers.push(setInterval(() => void this.tick(), c.commitIntervalMs));
    for (const t of this.timers) t.unref();
    return { host: addr.address, port: addr.port, dashboardPort };
  }

  /** Graceful stop: stop reading, flush pipeline and sinks (bounded), persist checkpoints and metrics. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    if (this.idleFlushTimer) clearTimeout(this.idleFlushTimer);
    const deadline = this.now() + this.config.shutdownTimeoutMs;
    // The tailer lists only open files and stop() closes them: remember them for the final commit.
    const files = this.tailer?.files() ?? [];
    await this.tailer?.stop();
    for (let i = 0; this.busy > 0 && i < 1000 && this.now() < deadline; i++)
      await new Promise((r) => setTimeout(r, 10));
    this.flushPipeline(true);
    this.incidentSink.finish?.();
    for (const { name, o } of this.observers) this.guard(name, () => o.flush?.());
    await Promise.all(this.sinks.map((s) => s.flush(Math.max(0, deadline - this.now()))));
    // The output's last lines must land before the final commit (its floor holds the checkpoint until then).
    await this.output?.close(Math.max(this.now() + 100, deadline));
    if (this.output?.unwrittenAtClose)
      this.log(
        `output: ${this.output.unwrittenAtClose} line(s) not written (${this.output.paused ?? 'shutdown'}); their checkpoint was held, they are read again on restart`,
      );
    await this.committing;
    await this.commit(files);
    await this.tailer?.flushCheckpoints();
    await Promise.all(this.sinks.map((s) => s.close()));
    for (const { name, o } of this.observers) this.guard(name, () => o.close?.());
    if (this.config.saveMetrics) await this.saveMetrics(this.config.saveMetrics);
    await Promise.all(this.servers.map((s) => s.close()));
  }

  async saveMetrics(path: string): Promise<void> {
    const snap = await this.metrics.snapshot();
    await writeFile(
      path,
      `${JSON.stringify({ ...snap, totals: this.metrics.totals(), files: this.tailer?.files() ?? [] }, null, 2)}\n`,
    );
  }

  readiness(): Readiness {
    const checks: Record<string, boolean> = {};
    const reasons: string[] = [];
    checks.started = this.started && !this.stopping;
    if (!checks.started) reasons.push(this.stopping ? 'shutting down' : 'starting');
    checks.sources = this.tailer?.ready() ?? false;
    if (!checks.sources) reasons.push('sources not open or checkpoint directory not writable');
    for (const s of this.sinks) {
      const ok = s.ready();
      checks[`sink:${s.name}`] = ok;
      if (!ok) reasons.push(`sink ${s.name} not ready${s.notReadyReason ? `: ${s.notReadyReason()}` : ''}`);
    }
    const h = this.health.checks();
    Object.assign(checks, h.checks);
    reasons.push(...h.reasons);
    return { ready: reasons.length === 0, reasons, checks };
  }

  stats(): Record<string, unknown> {
    const totals = this.metrics.totals();
    const mem = process.memoryUsage();
    return {
      uptimeSeconds: (this.now() - this.startedAt) / 1000,
      ready: this.readiness().ready,
      linesPerSecond: totals.linesPerSecond,
      totals: { ...totals, linesRead: this.linesRead, bytesRead: this.bytesRead, alerts: this.alerts.count },
      stages: this.pipeline.stats(),
      pipeline: {
        errors: this.pipeline.errorCount,
        inFlight: this.ackTracker.inFlight(),
        paused: this.paused,
        tracing: this.config.trace,
        commitRounds: this.commitRounds,
      },
      health: this.health.stats(),
      tailer: this.tailer?.stats() ?? null,
      files: (this.tailer?.files() ?? []).map((f) => ({
        ...f,
        lagBytes: Math.max(0, f.size - f.readOffset),
        /** Checkpoint known to be on disk (committedOffset may still be in the tailer's coalescing window). */
        persistedOffset: this.persistedOffsets.get(f.fileId) ?? null,
      })),
      sinks: this.sinks.map((s) => ({
        name: s.name,
        ready: s.ready(),
        saturated: s.saturated,
        stats: s.stats(),
      })),
      labels: {
        component: {
          cap: this.metrics.components.cap,
          used: this.metrics.components.size,
          folded: this.metrics.components.foldedCount,
        },
      },
      timeline: this.incidentSink.stats?.() ?? null,
      memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
    };
  }

  private view() {
    return {
      metricsText: () => this.metrics.exposition(),
      metricsContentType: this.metrics.registry.contentType,
      readiness: () => this.readiness(),
      stats: () => this.stats(),
      traces: (limit: number) => this.pipeline.traces(limit),
      tracing: this.config.trace,
      // Parse and multiline errors carry the line as read, before the redact stage: redact it for /errors.
      errors: (limit: number) =>
        [...this.pipeline.errors(), ...this.serviceErrors.recent()]
          .sort((a, b) => a.at - b.at)
          .slice(-limit)
          .map((e) => ({
            ...e,
            line: this.errorRedactor.text(e.line),
            message: this.errorRedactor.text(e.message),
          })),
      history: this.history,
      alerts: this.alerts,
    };
  }

  /** The tailer awaits this before reading more: the backpressure path. */
  private async onLines(lines: RawLine[], file: FollowedFile): Promise<void> {
    if (lines.length === 0) return;
    this.busy++;
    try {
      const key = file.fileId;
      const first = lines[0]!;
      const seen = this.delivered.get(key);
      if (seen === undefined || first.offset < seen) {
        // New file, or the file was truncated and is read again from an earlier offset. Only then: resetting
        // on any other batch would commit past events still in flight.
        this.ackTracker.reset(first.fileId ?? first.source, Math.max(0, first.offset));
        this.committedOffsets.set(key, file.committedOffset);
      }
      const step = this.config.batchLines;
      for (let i = 0; i < lines.length; i += step) {
        const batch = i === 0 && lines.length <= step ? lines : lines.slice(i, i + step);
        for (const l of batch) this.bytesRead += l.nextOffset - l.offset;
        this.linesRead += batch.length;
        const out = this.pipeline.run(batch);
        this.holding = true;
        // Recorded before consume: even if a batch fails half-way, the next one must not look like a new file.
        this.delivered.set(key, batch[batch.length - 1]!.nextOffset);
        this.consume(out);
        // Let scrapes and the dashboard in between batches.
        await yieldToLoop();
      }
      await this.output?.drain();
      this.applyBackpressure();
    } finally {
      this.busy--;
      this.lastLinesAt = this.now();
      this.scheduleIdleFlush(this.config.idleFlushMs);
    }
  }

  /**
   * The multiline stage holds the last event until the next line shows it has no continuation: once reading
   * has been quiet for idleFlushMs, flush it, so a lone line reaches /metrics within that time (not a tick
   * later). One timer, armed only while something is held.
   */
  private scheduleIdleFlush(delayMs: number): void {
    if (this.idleFlushTimer || this.stopping || !this.holding) return;
    this.idleFlushTimer = setTimeout(() => {
      this.idleFlushTimer = null;
      if (this.stopping || !this.holding) return;
      const quietFor = this.now() - this.lastLinesAt;
      if (this.busy === 0 && quietFor >= this.config.idleFlushMs) this.flushPipeline();
      else this.scheduleIdleFlush(Math.max(1, this.config.idleFlushMs - quietFor));
    }, delayMs);
    this.idleFlushTimer.unref();
  }

  private consume(out: ClassifiedEvent[]): void {
    if (out.length === 0) return;
    const now = this.now();
    const sinks = this.sinks;
    for (const ce of out) {
      const e = ce.event;
      const ackKey = e.fileId ?? e.source;
      // false: a replay at or below the committed offset; it still ships (idempotent ids), nothing to hold.
      const tracked = this.ackTracker.track(ackKey, e.nextOffset);
      this.metrics.observe(ce, now);
      // Event time drives incident windows and anomaly series: a line dated far from the clock is shipped
      // and counted but kept out of them (one line dated 2099 would otherwise silence the live monitor).
      const timely = this.timeBound(e.timestamp);
      if (timely !== 'ok') this.health.quarantined[timely]++;
      const b = ce.breadcrumb;
      if (b) {
        this.history.addBreadcrumb(b, now);
        if (timely === 'ok') this.addToTimeline(b, now);
      }
      this.output?.write(ce);
      if (timely === 'ok') for (const { name, o } of this.observers) this.guard(name, () => o.write(ce), ce);
      let taken = false;
      for (const s of sinks) {
        if (s.accepts(ce)) {
          s.write(ce);
          taken = true;
        }
      }
      if (!taken && tracked) this.ackTracker.ack(ackKey, e.nextOffset);
    }
    this.metrics.observeBatch(out.length, now);
  }

  /** An observer's exception is counted and recorded; the event goes on to the sinks and its checkpoint. */
  private guard(name: string, fn: () => void, ce?: ClassifiedEvent): void {
    try {
      fn();
    } catch (err) {
      const first = !this.health.observerFailures.has(name);
      this.health.observerFailed(name, err);
      const message = err instanceof Error ? err.message : String(err);
      if (first) this.log(`observer ${name} failed (events still ship; see /readyz): ${message}`);
      this.serviceErrors.push({
        stage: `observer:${name}`,
        at: this.now(),
        message,
        source: ce?.event.source ?? '',
        offset: ce?.event.offset ?? -1,
        line: ce ? ce.event.message.slice(0, 2000) : '',
      });
    }
  }

  private addToTimeline(b: Breadcrumb, now: number): void {
    let inc: Incident | null;
    try {
      inc = this.incidentSink.add(b);
    } catch (err) {
      // A timeline bug must not stop counting or acking: record it like a stage error and move on.
      this.serviceErrors.push({
        stage: 'timeline',
        at: now,
        message: err instanceof Error ? err.message : String(err),
        source: b.event.source,
        offset: b.event.offset,
        line: b.event.message.slice(0, 2000),
      });
      return;
    }
    if (inc) {
      this.metrics.incident(inc);
      this.history.addIncident(inc, now);
    }
  }

  private flushPipeline(final = false): void {
    if (!this.holding) return;
    this.consume(this.pipeline.flush(final));
    // The reorder window may still hold events that are not due: not quiet yet (no commit past them).
    this.holding = this.pipeline.holding();
  }

  private applyBackpressure(): void {
    const saturated = this.sinks.some((s) => s.saturated);
    if (saturated && !this.paused) {
      this.paused = true;
      this.tailer?.pause();
      this.log('backpressure: a sink is saturated; reading paused');
    } else if (!saturated && this.paused) {
      this.paused = false;
      this.tailer?.resume();
      this.log('backpressure cleared; reading resumed');
    }
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    if (this.busy === 0 && this.holding && this.now() - this.lastLinesAt >= this.config.idleFlushMs)
      this.flushPipeline();
    // Events flushed at idle (held by multiline) reach the output here; onLines drains the rest.
    void this.output?.drain();
    this.applyBackpressure();
    if (!this.committing) {
      this.committing = this.commit()
        .catch((err) => this.log(`checkpoint: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          this.committing = null;
        });
    }
  }

  /** Persist what is safe: acked offsets; or, when nothing is in flight or held, everything delivered. */
  private async commit(files: readonly FollowedFile[] = this.tailer?.files() ?? []): Promise<void> {
    if (!this.tailer) return;
    this.commitRounds++;
    const quiet = this.busy === 0 && !this.holding && this.ackTracker.inFlight() === 0;
    const writes: Promise<void>[] = [];
    for (const f of files) {
      let target = Math.max(this.ackTracker.committed(f.fileId), this.ackTracker.committed(f.path));
      // Lines a stage dropped produce no event to ack; once everything is handled, the whole delivered
      // prefix is safe.
      if (quiet) target = Math.max(target, this.delivered.get(f.fileId) ?? 0);
      // Lines buffered for a paused --output are not written yet: the checkpoint stays before them.
      const floor = this.output?.floorOf(f.fileId);
      if (floor !== undefined) target = Math.min(target, floor);
      const last = this.committedOffsets.get(f.fileId) ?? f.committedOffset;
      if (target > last) {
        this.committedOffsets.set(f.fileId, target);
        // The tailer coalesces writes: issue every file's commit, then wait for them together.
        writes.push(
          this.tailer.commit(f.fileId, target).then(
            () => {
              if (target > (this.persistedOffsets.get(f.fileId) ?? 0))
                this.persistedOffsets.set(f.fileId, target);
            },
            (err: unknown) => {
              this.committedOffsets.set(f.fileId, last); // retry on the next tick
              throw err;
            },
          ),
        );
      }
    }
    await Promise.all(writes);
    this.pruneGone();
  }

  /** Drop per-file bookkeeping for files the tailer no longer follows (rotated away) once nothing is pending. */
  private pruneGone(): void {
    if (!this.tailer || this.stopping) return;
    const open = new Set(this.tailer.files().map((f) => f.fileId));
    for (const key of this.delivered.keys()) {
      if (open.has(key) || this.ackTracker.pendingOf(key) > 0) continue;
      this.delivered.delete(key);
      this.committedOffsets.delete(key);
      this.persistedOffsets.delete(key);
      this.ackTracker.forget(key);
    }
  }

  /** Sizes of the per-file maps (a test checks they stay bounded as files rotate away). */
  trackedFiles(): number {
    return Math.max(this.delivered.size, this.committedOffsets.size, this.persistedOffsets.size);
  }
}
