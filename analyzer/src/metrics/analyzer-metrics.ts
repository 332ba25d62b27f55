// The analyzer's own metric families on a DEDICATED registry (so tests and embedders never share prom-client's
// global one). Per-event work is a few array writes (see counted-family.ts); stage and file figures are read
// from their owners at scrape time through collect() callbacks, so they cost nothing per event.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import {
  CATEGORIES,
  type Category,
  type ClassifiedEvent,
  type Incident,
  LEVEL_RANK,
  LEVELS,
  type Level,
} from '../core/types.ts';
import type { StageStats } from '../pipeline/stage.ts';
import type { FollowedFile } from '../source/types.ts';
import { BoundedLabel } from './bounded-label.ts';
import { CountedFamily, CountedScalar } from './counted-family.ts';
import { SlidingWindowCounter } from './sliding-window.ts';

export const METRIC_PREFIX = 'crumbtrail_';
/** Event-loop delay sampling period of the default metrics (prom-client default: 10 ms). */
export const EVENT_LOOP_RESOLUTION_MS = 100;

export interface AnalyzerMetricsOptions {
  /** Most distinct `component` label values (default 50); the rest fold into `other`. */
  componentCap?: number;
  /** Components that always get their own series. */
  componentAllow?: readonly string[];
  /** Most distinct `file` label values (default 50). */
  fileCap?: number;
  /** Collect prom-client's process_/nodejs_ defaults on this registry (default true). */
  defaultMetrics?: boolean;
  now?: () => number;
}

/** Live figures the metrics read at scrape time. */
export interface MetricSources {
  stageStats?: () => StageStats[];
  files?: () => FollowedFile[];
  ready?: () => boolean;
}

const LEVEL_INDEX: Readonly<Record<Level, number>> = Object.fromEntries(
  LEVELS.map((l, i) => [l, i]),
) as Record<Level, number>;
const CATEGORY_INDEX: Readonly<Record<Category, number>> = Object.fromEntries(
  CATEGORIES.map((c, i) => [c, i]),
) as Record<Category, number>;
const ERROR_RANK = LEVEL_RANK.ERROR;
const CRITICAL_RANK = LEVEL_RANK.CRITICAL;

export class AnalyzerMetrics {
  readonly registry = new Registry();
  readonly components: BoundedLabel;
  readonly files: BoundedLabel;
  private readonly now: () => number;
  private sources: MetricSources = {};

  private readonly lines: CountedFamily;
  private readonly stride: number;
  /** ERROR, CRITICAL and FATAL events: the chat-level rate. */
  private readonly errors: CountedScalar;
  /** CRITICAL and FATAL only: what pages. A separate scalar (present at 0 from the first scrape) so the first
   *  critical line shows as an increase; a fresh {level="CRITICAL"} series of log_lines_total would not. */
  private readonly critical: CountedScalar;
  private readonly unparsed: CountedScalar;
  private readonly breadcrumbs: CountedFamily;
  private readonly incidents: CountedScalar;
  private readonly leadTime: Histogram<string>;
  private readonly errorWindow: SlidingWindowCounter;
  private readonly lineWindow: SlidingWindowCounter;
  private lastEventMs = 0;
  private eventTotal = 0;

  constructor(opts: AnalyzerMetricsOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.components = new BoundedLabel('component', {
      cap: opts.componentCap ?? 50,
      allow: opts.componentAllow ?? [],
    });
    this.files = new BoundedLabel('file', { cap: opts.fileCap ?? 50 });
    this.stride = this.components.cap + 1;
    this.errorWindow = new SlidingWindowCounter(60, this.now);
    this.lineWindow = new SlidingWindowCounter(10, this.now);
    const registers = [this.registry];
    // prom-client samples event-loop delay every 10 ms by default: ~100 wake-ups a second, ~1 % of a core on an
    // idle service. 100 ms still catches the stalls worth alerting on and leaves idle CPU ≈ 0.
    if (opts.defaultMetrics ?? true)
      collectDefaultMetrics({
        register: this.registry,
        eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS,
      });

    // Each collect() closes over `self` so the families can be created before the fields are assigned.
    const self = this;
    const linesCounter = new Counter({
      name: 'crumbtrail_log_lines_total',
      help: 'Log events read, by normalised level and emitting component (continuation lines fold into their event).',
      labelNames: ['level', 'component'],
      registers,
      collect() {
        self.lines.flush();
      },
    });
    this.lines = new CountedFamily(linesCounter, (k) => [
      LEVELS[Math.floor(k / this.stride)] ?? 'UNKNOWN',
      this.components.name(k % this.stride),
    ]);
    this.errors = new CountedScalar(
      new Counter({
        name: 'crumbtrail_error_events_total',
        help: 'Events at level ERROR or worse (ERROR, CRITICAL, FATAL).',
        registers,
        collect() {
          self.errors.flush();
        },
      }),
    );
    this.critical = new CountedScalar(
      new Counter({
        name: 'crumbtrail_critical_events_total',
        help: 'Events at level CRITICAL or FATAL (ERROR not included).',
        registers,
        collect() {
          self.critical.flush();
        },
      }),
    );
    new Gauge({
      name: 'crumbtrail_errors_per_minute',
      help: 'ERROR/CRITICAL/FATAL events in the last 60 seconds (sliding window of per-second counts).',
      registers,
      collect() {
        this.set(self.errorWindow.sum());
      },
    });
    this.unparsed = new CountedScalar(
      new Counter({
        name: 'crumbtrail_unparsed_lines_total',
        help: 'Events no parser understood (format "unparsed").',
        registers,
        collect() {
          self.unparsed.flush();
        },
      }),
    );
    const crumbCounter = new Counter({
      name: 'crumbtrail_breadcrumbs_total',
      help: 'Events classified as breadcrumbs, by category.',
      labelNames: ['category'],
      registers,
      collect() {
        self.breadcrumbs.flush();
      },
    });
    this.breadcrumbs = new CountedFamily(crumbCounter, (k) => [CATEGORIES[k] ?? 'other']);
    this.incidents = new CountedScalar(
      new Counter({
        name: 'crumbtrail_incidents_total',
        help: 'Incidents closed by a final failure.',
        registers,
        collect() {
          self.incidents.flush();
        },
      }),
    );
    this.leadTime = new Histogram({
      name: 'crumbtrail_incident_lead_time_seconds',
      help: 'Time from the first signal to the failure of each incident.',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600],
      registers,
    });
    this.stageFamilies(registers);
    new Gauge({
      name: 'crumbtrail_tail_lag_bytes',
      help: 'Bytes of each followed file not yet read (size − read offset).',
      labelNames: ['file'],
      registers,
      collect() {
        this.reset();
        const lag = new Map<string, number>();
        for (const f of self.sources.files?.() ?? []) {
          const name = self.files.name(self.files.id(f.path));
          lag.set(name, (lag.get(name) ?? 0) + Math.max(0, f.size - f.readOffset));
        }
        for (const [file, bytes] of lag) this.set({ file }, bytes);
      },
    });
    new Gauge({
      name: 'crumbtrail_files_watched',
      help: 'Files currently followed.',
      registers,
      collect() {
        this.set(self.sources.files?.().length ?? 0);
      },
    });
    new Gauge({
      name: 'crumbtrail_last_event_timestamp_seconds',
      help: 'Wall-clock time the last event was processed (0 before the first).',
      registers,
      collect() {
        this.set(self.lastEventMs / 1000);
      },
    });
    new Gauge({
      name: 'crumbtrail_ready',
      help: '1 when /readyz would answer 200 (sources open, checkpoints writable, sinks ready).',
      registers,
      collect() {
        this.set(self.sources.ready?.() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'crumbtrail_label_cap',
      help: 'Most distinct values kept for a bounded label; further values are counted as "other".',
      labelNames: ['label'],
      registers,
      collect() {
        this.set({ label: 'component' }, self.components.cap);
        this.set({ label: 'file' }, self.files.cap);
      },
    });
  }

  /** Where stage, file and readiness figures come from (set once the service is wired). */
  setSources(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** Count one classified event. The hot path: array writes only. */
  observe(ce: ClassifiedEvent, nowMs = this.now()): void {
    const e = ce.event;
    const levelIdx = LEVEL_INDEX[e.level] ?? LEVEL_INDEX.UNKNOWN;
    this.lines.add(levelIdx * this.stride + this.components.id(e.component));
    const rank = LEVEL_RANK[e.level];
    if (rank >= ERROR_RANK) {
      this.errors.add();
      this.errorWindow.add(1, nowMs);
      if (rank >= CRITICAL_RANK) this.critical.add();
    }
    if (e.format === 'unparsed') this.unparsed.add();
    if (ce.breadcrumb) this.breadcrumbs.add(CATEGORY_INDEX[ce.breadcrumb.category]);
    this.eventTotal++;
    this.lastEventMs = nowMs;
  }

  /** Count a batch's events in the lines/s window once per batch (not per event). */
  observeBatch(events: number, nowMs = this.now()): void {
    this.lineWindow.add(events, nowMs);
  }

  incident(inc: Incident): void {
    this.incidents.add();
    this.leadTime.observe(Math.max(0, inc.leadTimeMs) / 1000);
  }

  /** Totals for /stats (no scrape needed). */
  totals(): {
    events: number;
    /** ERROR or worse. */
    errorEvents: number;
    /** CRITICAL or FATAL. */
    criticalEvents: number;
    unparsed: number;
    incidents: number;
    linesPerSecond: number;
    errorsPerMinute: number;
  } {
    return {
      events: this.eventTotal,
      errorEvents: this.errors.value,
      criticalEvents: this.critical.value,
      unparsed: this.unparsed.value,
      incidents: this.incidents.value,
      linesPerSecond: this.lineWindow.rate(),
      errorsPerMinute: this.errorWindow.sum(),
    };
  }

  /** Prometheus text exposition of the whole registry. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }

  /** A JSON snapshot of our own families (for --save-metrics). */
  async snapshot(): Promise<{ savedAt: string; metrics: unknown[] }> {
    const all = await this.registry.getMetricsAsJSON();
    return {
      savedAt: new Date(this.now()).toISOString(),
      metrics: all.filter((m) => m.name.startsWith(METRIC_PREFIX)),
    };
  }

  private stageFamilies(registers: Registry[]): void {
    // Pipeline.stats() is cumulative and counters only go up: each collect adds the change since the last one.
    const self = this;
    const family = (
      name: string,
      help: string,
      field: 'eventsIn' | 'eventsOut' | 'errors' | 'seconds',
    ): void => {
      const last = new Map<string, number>();
      new Counter({
        name,
        help,
        labelNames: ['stage'],
        registers,
        collect() {
          for (const s of self.sources.stageStats?.() ?? []) {
            const before = last.get(s.name);
            const delta = s[field] - (before ?? 0);
            // inc(0) on first sight so every configured stage shows up, even before its first item.
            if (delta > 0 || before === undefined) this.inc({ stage: s.name }, Math.max(0, delta));
            last.set(s.name, s[field]);
          }
        },
      });
    };
    family('crumbtrail_stage_events_in_total', 'Items that entered each pipeline stage.', 'eventsIn');
    family('crumbtrail_stage_events_out_total', 'Items each pipeline stage emitted.', 'eventsOut');
    family(
      'crumbtrail_stage_errors_total',
      'Items a pipeline stage threw on (recorded; the line moved on).',
      'errors',
    );
    family(
      'crumbtrail_stage_duration_seconds_total',
      'Seconds spent inside each pipeline stage (rate() gives the busy fraction).',
      'seconds',
    );
  }
}
