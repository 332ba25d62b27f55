// Shared types of the anomaly monitor: what a sample, a baseline and an anomaly look like across modules.

/** 1 is the worst. SEV5 is informational. */
export type Severity = 1 | 2 | 3 | 4 | 5;
export const SEVERITIES: readonly Severity[] = [1, 2, 3, 4, 5];

/** One closed per-minute value of one series. `minute` is epoch ms at the minute start (UTC). */
export interface SeriesSample {
  series: string;
  minute: number;
  value: number;
}

/** Which baseline a value was judged against: the ladder is bucket → hour (any weekday) → global. */
export type BaselineScope = 'bucket' | 'hour' | 'global';

export interface BucketRef {
  /** 0 = Sunday … 6 = Saturday, in the configured time zone. */
  dayOfWeek: number;
  hour: number;
  /** dayOfWeek * 24 + hour: 0 … 167. */
  hourOfWeek: number;
}

/** Mean/σ plus the learned |z| percentiles of one baseline cell (a bucket, an hour of day, or global). */
export interface BaselineCell {
  scope: BaselineScope;
  /** hourOfWeek for 'bucket', hour for 'hour', 0 for 'global'. */
  key: number;
  n: number;
  mean: number;
  sd: number;
  /** Value quantiles from the sketch (for the dashboard and reports). */
  p50: number;
  p95: number;
  /** |z| at the configured percentiles, ascending percentile order (e.g. p80, p90, p95, p99, p99.9). */
  zPercentiles: number[];
  /** Severity thresholds on |z|, index 0 = SEV5 … index 4 = SEV1 (floors applied). */
  sevThresholds: number[];
}

/** A breadcrumb near the anomaly, trimmed for storage. */
export interface ContextCrumb {
  at: number;
  component: string;
  category: string;
  level: string;
  message: string;
  traceId?: string;
}

/** One detected anomaly: what the service ships to Elasticsearch and the reports list. */
export interface AnomalyRecord {
  /** Stable id: `${series}@${minute}`. */
  id: string;
  series: string;
  /** Epoch ms of the minute start the sample belongs to. */
  at: number;
  /** ISO form of `at`, for humans and ES. */
  timestamp: string;
  value: number;
  mean: number;
  sd: number;
  z: number;
  /** Severity 1 (worst) … 5. */
  sev: Severity;
  /** The learned percentile of |z| that was crossed, e.g. 99 or 99.9. */
  percentile: number;
  /** |z| threshold of that severity. */
  threshold: number;
  bucket: BucketRef;
  /** The baseline actually used, and whether that was a fallback from the (weekday, hour) bucket. */
  scope: BaselineScope;
  fellBack: boolean;
  /** Samples in the baseline used. */
  baselineN: number;
  breadcrumbs: ContextCrumb[];
  traceIds: string[];
}

export interface AnomalyQuery {
  /** Worst-first filter: sev=2 returns SEV1 and SEV2. */
  sev?: Severity;
  series?: string;
  since?: number;
  limit?: number;
}

export interface RecalcResult {
  series: number;
  cells: number;
  samples: number;
  daysDropped: number;
  anomaliesDropped: number;
  durationMs: number;
}

/** Minimal logger seam so the service can pass its own. */
export interface AnomalyLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
}

export const silentLogger: AnomalyLogger = { debug() {}, warn() {} };
