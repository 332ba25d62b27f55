// Typed configuration of the anomaly monitor, with defaults and an env reader that names the bad key.
import { UsageError } from '../core/usage-error.ts';
import type { Severity } from './types.ts';

export interface ThresholdMapping {
  /** Percentiles of historical |z| (ascending). Each maps to a severity in `severities` (same index). */
  percentiles: number[];
  severities: Severity[];
  /** Minimum |z| per severity: a learned threshold never goes below it (SEV5…SEV1 order of `severities`). */
  floors: Record<Severity, number>;
}

export interface SeriesConfig {
  /** Components kept as their own label; others fold into `other` once `maxComponents` is reached. */
  componentAllowlist: string[];
  maxComponents: number;
  /** Numeric LogEvent.fields read as durations. */
  durationFields: string[];
  durationStat: 'mean' | 'p95';
  /** Hard cap on distinct series; beyond it new series fold into `<component>:other`. */
  maxSeries: number;
  /** How far behind the newest event time a minute stays open for late events. */
  allowedLatenessMs: number;
  /** Gap (minutes) beyond which zero-filling stops (a silent source is not thousands of zero samples). */
  maxZeroFillMinutes: number;
}

export interface AiConfig {
  enabled: boolean;
  ollamaUrl: string;
  model: string;
  prometheusUrl: string | null;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  maxPromptChars: number;
}

export interface AnomalyConfig {
  dbPath: string;
  /** IANA zone for weekday/hour buckets; 'UTC' is the fast path. */
  timeZone: string;
  windowDays: number;
  minSamples: number;
  retentionDays: number;
  /** Recalculation: a daily time (HH:MM in `timeZone`… kept UTC for simplicity) or an interval. */
  recalcAtUtc: string | null;
  recalcIntervalMs: number | null;
  /** σ guard: σ used = max(σ, minSigmaAbs, minSigmaRel·|μ|). */
  minSigmaAbs: number;
  minSigmaRel: number;
  sketchAlpha: number;
  sketchMaxBins: number;
  mapping: ThresholdMapping;
  series: SeriesConfig;
  /** Bounded context attached to each anomaly. */
  contextCrumbs: number;
  contextTraceIds: number;
  contextWindowMs: number;
  /** Cap on the `series` label of crumbtrail_anomaly_severity (rest → `other`). */
  maxGaugeSeries: number;
  ai: AiConfig;
}

export const DEFAULT_MAPPING: ThresholdMapping = {
  percentiles: [80, 90, 95, 99, 99.9],
  severities: [5, 4, 3, 2, 1],
  floors: { 5: 2, 4: 2.5, 3: 3, 2: 4, 1: 5 },
};

export function defaultAnomalyConfig(overrides: Partial<AnomalyConfig> = {}): AnomalyConfig {
  return {
    dbPath: 'anomalies.sqlite',
    timeZone: 'UTC',
    windowDays: 30,
    minSamples: 120,
    retentionDays: 30,
    recalcAtUtc: '02:30',
    recalcIntervalMs: null,
    minSigmaAbs: 0.5,
    minSigmaRel: 0.05,
    sketchAlpha: 0.01,
    sketchMaxBins: 1024,
    mapping: DEFAULT_MAPPING,
    series: {
      componentAllowlist: [],
      maxComponents: 16,
      durationFields: ['latency_ms', 'duration_ms', 'elapsed', 'elapsed_ms', 'response_time_ms'],
      durationStat: 'p95',
      maxSeries: 256,
      allowedLatenessMs: 2 * 60_000,
      maxZeroFillMinutes: 24 * 60,
    },
    contextCrumbs: 20,
    contextTraceIds: 10,
    contextWindowMs: 10 * 60_000,
    maxGaugeSeries: 64,
    ai: {
      enabled: false,
      ollamaUrl: 'http://127.0.0.1:11434',
      model: 'llama3.2:1b',
      prometheusUrl: null,
      timeoutMs: 30_000,
      retries: 2,
      backoffMs: 500,
      breakerFailures: 3,
      breakerCooldownMs: 60_000,
      maxPromptChars: 6000,
    },
    ...overrides,
  };
}

export class AnomalyConfigError extends UsageError {}

function num(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new AnomalyConfigError(`${key}=${raw} is invalid: expected a number in [${min}, ${max}]`);
  }
  return v;
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads CRUMBTRAIL_ANOMALY_* (and OLLAMA_URL, PROMETHEUS_URL) over the defaults. Throws AnomalyConfigError with
 * one line naming the key, the value and the expected form.
 */
export function anomalyConfigFromEnv(env: NodeJS.ProcessEnv, base = defaultAnomalyConfig()): AnomalyConfig {
  const cfg: AnomalyConfig = { ...base, series: { ...base.series }, ai: { ...base.ai } };
  cfg.dbPath = env.CRUMBTRAIL_ANOMALY_DB ?? cfg.dbPath;
  const tz = env.CRUMBTRAIL_ANOMALY_TZ;
  if (tz !== undefined && tz !== '') {
    if (!validZone(tz)) {
      throw new AnomalyConfigError(
        `CRUMBTRAIL_ANOMALY_TZ=${tz} is not an IANA time zone (e.g. UTC, Europe/Paris)`,
      );
    }
    cfg.timeZone = tz;
  }
  cfg.windowDays = num(env, 'CRUMBTRAIL_ANOMALY_WINDOW_DAYS', cfg.windowDays, 1, 365);
  cfg.minSamples = num(env, 'CRUMBTRAIL_ANOMALY_MIN_SAMPLES', cfg.minSamples, 1, 1e6);
  cfg.retentionDays = num(env, 'CRUMBTRAIL_ANOMALY_RETENTION_DAYS', cfg.retentionDays, 1, 3650);
  const at = env.CRUMBTRAIL_ANOMALY_RECALC_AT;
  if (at !== undefined && at !== '') {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(at)) {
      throw new AnomalyConfigError(`CRUMBTRAIL_ANOMALY_RECALC_AT=${at} is invalid: expected HH:MM (UTC)`);
    }
    cfg.recalcAtUtc = at;
  }
  const every = num(env, 'CRUMBTRAIL_ANOMALY_RECALC_INTERVAL_MS', 0, 0, 7 * 86_400_000);
  if (every > 0) cfg.recalcIntervalMs = every;
  const fields = env.CRUMBTRAIL_ANOMALY_DURATION_FIELDS;
  if (fields !== undefined && fields !== '') {
    cfg.series.durationFields = fields
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '');
  }
  const stat = env.CRUMBTRAIL_ANOMALY_DURATION_STAT;
  if (stat !== undefined && stat !== '') {
    if (stat !== 'mean' && stat !== 'p95') {
      throw new AnomalyConfigError(`CRUMBTRAIL_ANOMALY_DURATION_STAT=${stat} is invalid: use mean or p95`);
    }
    cfg.series.durationStat = stat;
  }
  const comps = env.CRUMBTRAIL_ANOMALY_COMPONENTS;
  if (comps !== undefined && comps !== '') {
    cfg.series.componentAllowlist = comps
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
  }
  cfg.ai.enabled = env.CRUMBTRAIL_ANOMALY_AI === '1' || env.CRUMBTRAIL_ANOMALY_AI === 'true';
  cfg.ai.ollamaUrl = env.OLLAMA_URL ?? cfg.ai.ollamaUrl;
  cfg.ai.model = env.CRUMBTRAIL_ANOMALY_AI_MODEL ?? cfg.ai.model;
  cfg.ai.prometheusUrl = env.PROMETHEUS_URL ?? cfg.ai.prometheusUrl;
  cfg.ai.timeoutMs = num(env, 'CRUMBTRAIL_ANOMALY_AI_TIMEOUT_MS', cfg.ai.timeoutMs, 100, 600_000);
  for (const u of [cfg.ai.ollamaUrl, cfg.ai.prometheusUrl]) {
    if (u !== null && !URL.canParse(u)) {
      throw new AnomalyConfigError(
        `OLLAMA_URL/PROMETHEUS_URL value ${u} is not a URL (e.g. http://127.0.0.1:11434)`,
      );
    }
  }
  return cfg;
}
