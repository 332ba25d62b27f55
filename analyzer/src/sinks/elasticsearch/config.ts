// Typed configuration of the Elasticsearch sink, from the environment. A bad value stops start-up with one
// error naming the key (and never echoing a secret).

import { readFileSync } from 'node:fs';
import { UsageError } from '../../core/usage-error.ts';

export type EsAuth = { apiKey: string } | { username: string; password: string };

/** Which classified events are shipped: only breadcrumbs (rule matched), or every event. */
export type ShipMode = 'breadcrumbs' | 'all';

export interface ElasticsearchSinkConfig {
  /** Base URL, e.g. https://127.0.0.1:9200 (no credentials in it: they go to `auth`). */
  url: string;
  auth?: EsAuth;
  /** PEM text of the CA that signed the cluster's certificate (CRUMBTRAIL_ES_CA names the file). */
  caPem?: string;
  /** Data stream for breadcrumb events. */
  dataStream: string;
  /** Data stream for anomaly documents (writeDocument callers may use it). */
  anomalyDataStream: string;
  shipMode: ShipMode;
  /** A batch is sent once it holds this many documents … */
  batchSize: number;
  /** … or this many bytes of NDJSON … */
  batchBytes: number;
  /** … or its oldest document has waited this long. */
  flushIntervalMs: number;
  /** Queue bound (documents queued or in flight): above it `saturated` is true and the service pauses reading. */
  maxQueueEvents: number;
  /** Queue bound in bytes of serialised documents (the other half of the memory bound). */
  maxQueueBytes: number;
  /** Retry backoff: full jitter over min(cap, base·2^attempt). Retries never stop; only the wait is capped. */
  retryBaseMs: number;
  maxRetryBackoffMs: number;
  /** Per-request timeout; a timeout is retried like a refused connection. */
  requestTimeoutMs: number;
  /** Bulk requests in flight at once (each item is in at most one of them). */
  concurrency: number;
  /** Messages longer than this (UTF-16 units) are cut, with crumbtrail.truncated set. */
  maxMessageChars: number;
  /** JSON-lines file for documents Elasticsearch rejects for good (mapping errors, other 4xx). */
  deadLetterPath: string;
  /** Period of the liveness probe (GET /) while no bulk request tells us whether Elasticsearch is up. */
  probeIntervalMs: number;
}

export const ES_DEFAULTS = {
  dataStream: 'logs-crumbtrail.breadcrumbs-default',
  anomalyDataStream: 'logs-crumbtrail.anomalies-default',
  shipMode: 'breadcrumbs' as ShipMode,
  batchSize: 500,
  batchBytes: 5 * 1024 * 1024,
  flushIntervalMs: 1000,
  maxQueueEvents: 10_000,
  maxQueueBytes: 64 * 1024 * 1024,
  retryBaseMs: 200,
  maxRetryBackoffMs: 30_000,
  requestTimeoutMs: 30_000,
  concurrency: 2,
  maxMessageChars: 256 * 1024,
  deadLetterFile: 'es-dead-letter.ndjson',
  probeIntervalMs: 5000,
} as const;

export class EsConfigError extends UsageError {
  constructor(
    readonly key: string,
    problem: string,
    fix: string,
  ) {
    super(`${key}: ${problem}. ${fix}`);
    this.name = 'EsConfigError';
  }
}

/** Fill defaults around the required parts. Validates everything, like the env parser. */
export function elasticsearchConfig(
  partial: Partial<ElasticsearchSinkConfig> & { url: string; deadLetterPath: string },
): ElasticsearchSinkConfig {
  const { deadLetterFile: _unused, ...defaults } = ES_DEFAULTS;
  const cfg: ElasticsearchSinkConfig = { ...defaults, ...partial };
  validate(cfg);
  return cfg;
}

/**
 * Reads CRUMBTRAIL_ES_*; returns null when CRUMBTRAIL_ES_URL is unset (shipping disabled).
 * Keys: URL, API_KEY | USERNAME + PASSWORD, CA (file path), DATA_STREAM, ANOMALY_DATA_STREAM, SHIP (breadcrumbs|all;
 * or the service's CRUMBTRAIL_SHIP),
 * BATCH_SIZE, BATCH_BYTES, FLUSH_INTERVAL_MS, MAX_QUEUE_EVENTS, MAX_QUEUE_BYTES, RETRY_BASE_MS,
 * MAX_RETRY_BACKOFF_MS, REQUEST_TIMEOUT_MS, CONCURRENCY, MAX_MESSAGE_CHARS, DEAD_LETTER (path; default
 * <CRUMBTRAIL_STATE_DIR or cwd>/es-dead-letter.ndjson).
 */
export function elasticsearchConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ElasticsearchSinkConfig | null {
  const rawUrl = env.CRUMBTRAIL_ES_URL?.trim();
  if (!rawUrl) return null;
  let parsed: URL;
  try {
    parsed = new URL(rawUrl);
  } catch {
    throw new EsConfigError(
      'CRUMBTRAIL_ES_URL',
      'is not a valid URL',
      'Use e.g. https://127.0.0.1:9200 (credentials go in CRUMBTRAIL_ES_API_KEY or USERNAME/PASSWORD)',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new EsConfigError('CRUMBTRAIL_ES_URL', `has scheme ${parsed.protocol}`, 'Use http:// or https://');
  }
  // Credentials embedded in the URL would end up in error messages: move them to `auth`.
  let urlUser = '';
  let urlPass = '';
  if (parsed.username || parsed.password) {
    urlUser = decodeURIComponent(parsed.username);
    urlPass = decodeURIComponent(parsed.password);
    parsed.username = '';
    parsed.password = '';
  }
  const url = parsed.toString().replace(/\/$/, '');

  const apiKey = env.CRUMBTRAIL_ES_API_KEY?.trim();
  const username = env.CRUMBTRAIL_ES_USERNAME?.trim() || urlUser;
  const password = env.CRUMBTRAIL_ES_PASSWORD ?? urlPass;
  let auth: EsAuth | undefined;
  if (apiKey && username) {
    throw new EsConfigError(
      'CRUMBTRAIL_ES_API_KEY',
      'is set together with CRUMBTRAIL_ES_USERNAME',
      'Set either the API key or the username/password pair, not both',
    );
  }
  if (apiKey) auth = { apiKey };
  else if (username) {
    if (!password) {
      throw new EsConfigError(
        'CRUMBTRAIL_ES_PASSWORD',
        'is empty while CRUMBTRAIL_ES_USERNAME is set',
        'Set the password of that user (e.g. ANALYZER_WRITER_PASSWORD from .env)',
      );
    }
    auth = { username, password };
  } else if (env.CRUMBTRAIL_ES_PASSWORD) {
    throw new EsConfigError(
      'CRUMBTRAIL_ES_USERNAME',
      'is empty while CRUMBTRAIL_ES_PASSWORD is set',
      'Set the user name too (e.g. analyzer_writer)',
    );
  }

  let caPem: string | undefined;
  const caPath = env.CRUMBTRAIL_ES_CA?.trim();
  if (caPath) {
    try {
      caPem = readFileSync(caPath, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new EsConfigError(
        'CRUMBTRAIL_ES_CA',
        `cannot read ${caPath} (${code})`,
        'Point it at the CA PEM file',
      );
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new EsConfigError(
        'CRUMBTRAIL_ES_CA',
        `${caPath} holds no PEM certificate`,
        'Use the CA .crt (PEM)',
      );
    }
  }

  // CRUMBTRAIL_SHIP is the service-wide name (--ship); CRUMBTRAIL_ES_SHIP wins when both are set.
  const shipKey = env.CRUMBTRAIL_ES_SHIP?.trim() ? 'CRUMBTRAIL_ES_SHIP' : 'CRUMBTRAIL_SHIP';
  const ship = env[shipKey]?.trim() || ES_DEFAULTS.shipMode;
  if (ship !== 'breadcrumbs' && ship !== 'all') {
    throw new EsConfigError(shipKey, `is "${ship}"`, 'Use "breadcrumbs" (default) or "all"');
  }
  const stateDir = env.CRUMBTRAIL_STATE_DIR?.trim() || '.';
  const cfg: ElasticsearchSinkConfig = {
    url,
    dataStream: env.CRUMBTRAIL_ES_DATA_STREAM?.trim() || ES_DEFAULTS.dataStream,
    anomalyDataStream: env.CRUMBTRAIL_ES_ANOMALY_DATA_STREAM?.trim() || ES_DEFAULTS.anomalyDataStream,
    shipMode: ship,
    batchSize: int(env, 'CRUMBTRAIL_ES_BATCH_SIZE', ES_DEFAULTS.batchSize),
    batchBytes: int(env, 'CRUMBTRAIL_ES_BATCH_BYTES', ES_DEFAULTS.batchBytes),
    flushIntervalMs: int(env, 'CRUMBTRAIL_ES_FLUSH_INTERVAL_MS', ES_DEFAULTS.flushIntervalMs),
    maxQueueEvents: int(env, 'CRUMBTRAIL_ES_MAX_QUEUE_EVENTS', ES_DEFAULTS.maxQueueEvents),
    maxQueueBytes: int(env, 'CRUMBTRAIL_ES_MAX_QUEUE_BYTES', ES_DEFAULTS.maxQueueBytes),
    retryBaseMs: int(env, 'CRUMBTRAIL_ES_RETRY_BASE_MS', ES_DEFAULTS.retryBaseMs),
    maxRetryBackoffMs: int(env, 'CRUMBTRAIL_ES_MAX_RETRY_BACKOFF_MS', ES_DEFAULTS.maxRetryBackoffMs),
    requestTimeoutMs: int(env, 'CRUMBTRAIL_ES_REQUEST_TIMEOUT_MS', ES_DEFAULTS.requestTimeoutMs),
    concurrency: int(env, 'CRUMBTRAIL_ES_CONCURRENCY', ES_DEFAULTS.concurrency),
    maxMessageChars: int(env, 'CRUMBTRAIL_ES_MAX_MESSAGE_CHARS', ES_DEFAULTS.maxMessageChars),
    deadLetterPath: env.CRUMBTRAIL_ES_DEAD_LETTER?.trim() || `${stateDir}/${ES_DEFAULTS.deadLetterFile}`,
    probeIntervalMs: int(env, 'CRUMBTRAIL_ES_PROBE_INTERVAL_MS', ES_DEFAULTS.probeIntervalMs),
  };
  if (auth) cfg.auth = auth;
  if (caPem) cfg.caPem = caPem;
  validate(cfg);
  return cfg;
}

function int(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw))
    throw new EsConfigError(key, `is "${raw}", not a whole number`, `Use e.g. ${fallback}`);
  return Number(raw);
}

const DATA_STREAM = /^logs-[a-z0-9_.]+-[a-z0-9_.]+$/;

function validate(c: ElasticsearchSinkConfig): void {
  const positive: [keyof ElasticsearchSinkConfig, string][] = [
    ['batchSize', 'CRUMBTRAIL_ES_BATCH_SIZE'],
    ['batchBytes', 'CRUMBTRAIL_ES_BATCH_BYTES'],
    ['flushIntervalMs', 'CRUMBTRAIL_ES_FLUSH_INTERVAL_MS'],
    ['maxQueueEvents', 'CRUMBTRAIL_ES_MAX_QUEUE_EVENTS'],
    ['maxQueueBytes', 'CRUMBTRAIL_ES_MAX_QUEUE_BYTES'],
    ['retryBaseMs', 'CRUMBTRAIL_ES_RETRY_BASE_MS'],
    ['maxRetryBackoffMs', 'CRUMBTRAIL_ES_MAX_RETRY_BACKOFF_MS'],
    ['requestTimeoutMs', 'CRUMBTRAIL_ES_REQUEST_TIMEOUT_MS'],
    ['concurrency', 'CRUMBTRAIL_ES_CONCURRENCY'],
    ['maxMessageChars', 'CRUMBTRAIL_ES_MAX_MESSAGE_CHARS'],
    ['probeIntervalMs', 'CRUMBTRAIL_ES_PROBE_INTERVAL_MS'],
  ];
  for (const [field, key] of positive) {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new EsConfigError(
        key,
        `must be a positive whole number, got ${String(v)}`,
        'Remove it for the default',
      );
    }
  }
  if (c.maxQueueEvents < c.batchSize) {
    throw new EsConfigError(
      'CRUMBTRAIL_ES_MAX_QUEUE_EVENTS',
      `(${c.maxQueueEvents}) is below CRUMBTRAIL_ES_BATCH_SIZE (${c.batchSize})`,
      'The queue must hold at least one full batch',
    );
  }
  if (c.maxRetryBackoffMs < c.retryBaseMs) {
    throw new EsConfigError(
      'CRUMBTRAIL_ES_MAX_RETRY_BACKOFF_MS',
      `(${c.maxRetryBackoffMs}) is below CRUMBTRAIL_ES_RETRY_BASE_MS (${c.retryBaseMs})`,
      'The cap must be at least the base wait',
    );
  }
  for (const [v, key] of [
    [c.dataStream, 'CRUMBTRAIL_ES_DATA_STREAM'],
    [c.anomalyDataStream, 'CRUMBTRAIL_ES_ANOMALY_DATA_STREAM'],
  ] as const) {
    if (!DATA_STREAM.test(v)) {
      throw new EsConfigError(
        key,
        `"${v}" is not a logs-<dataset>-<namespace> data stream name`,
        'Lower case only',
      );
    }
  }
  if (!c.deadLetterPath) {
    throw new EsConfigError('CRUMBTRAIL_ES_DEAD_LETTER', 'is empty', 'Give a writable file path');
  }
}
