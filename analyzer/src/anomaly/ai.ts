// Optional AI analysis of one anomaly (off by default): a bounded prompt from the anomaly, its breadcrumbs and
// correlated Prometheus metrics, sent to an Ollama-compatible /api/generate with timeout, retries with
// exponential backoff, and a circuit breaker so a dead model server costs one fast failure, not a hang.
import { CircuitBreaker } from './breaker.ts';
import type { AiConfig } from './config.ts';
import { type AnomalyLogger, type AnomalyRecord, silentLogger } from './types.ts';

export class AiDisabledError extends Error {
  constructor() {
    super('AI analysis is off: set CRUMBTRAIL_ANOMALY_AI=1 and OLLAMA_URL to enable it');
  }
}

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
  }
}

/** PromQL for the signals worth reading next to a log anomaly (families the analyzer exports). */
export const CORRELATED_QUERIES: Readonly<Record<string, string>> = {
  'error rate (lines/s)': 'sum(rate(crumbtrail_log_lines_total{level=~"ERROR|CRITICAL|FATAL"}[5m]))',
  'log lines/s': 'sum(rate(crumbtrail_log_lines_total[5m]))',
  'tail lag (bytes)': 'max(crumbtrail_tail_lag_bytes)',
  // Both counters have no series until their first event (retries are labelled by reason), and an empty
  // vector plus anything is empty: `or vector(0)` makes "no failures yet" a 0 instead of no answer.
  'ES failures (retries+dead letters)/s':
    '(sum(rate(crumbtrail_es_retries_total[5m])) or vector(0)) + (sum(rate(crumbtrail_es_dead_letter_total[5m])) or vector(0))',
};

export interface MetricSummary {
  name: string;
  query: string;
  points: number;
  atAnomaly: number | null;
  min: number | null;
  avg: number | null;
  max: number | null;
  error?: string;
}

interface QueryRangeResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

async function fetchJson(url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new HttpStatusError(res.status, text);
  return JSON.parse(text);
}

/** Query Prometheus /api/v1/query_range around the anomaly; each failure is noted, never thrown. */
export async function correlatedMetrics(
  prometheusUrl: string,
  at: number,
  timeoutMs = 5000,
  queries: Readonly<Record<string, string>> = CORRELATED_QUERIES,
): Promise<MetricSummary[]> {
  const start = Math.floor((at - 30 * 60_000) / 1000);
  const end = Math.floor((at + 10 * 60_000) / 1000);
  const atSec = Math.floor(at / 1000);
  return Promise.all(
    Object.entries(queries).map(async ([name, query]): Promise<MetricSummary> => {
      const u = new URL('/api/v1/query_range', prometheusUrl);
      u.search = new URLSearchParams({
        query,
        start: String(start),
        end: String(end),
        step: '60',
      }).toString();
      try {
        const body = (await fetchJson(u.toString(), {}, timeoutMs)) as QueryRangeResponse;
        if (body.status !== 'success' || !body.data) throw new Error(body.error ?? 'no data');
        const pts: [number, number][] = [];
        for (const r of body.data.result) for (const [t, v] of r.values) pts.push([t, Number(v)]);
        const vals = pts.map(([, v]) => v).filter(Number.isFinite);
        let nearest: number | null = null;
        let best = Number.POSITIVE_INFINITY;
        for (const [t, v] of pts) {
          if (Math.abs(t - atSec) < best && Number.isFinite(v)) {
            best = Math.abs(t - atSec);
            nearest = v;
          }
        }
        return {
          name,
          query,
          points: vals.length,
          atAnomaly: nearest,
          min: vals.length ? Math.min(...vals) : null,
          avg: vals.length ? vals.reduce((s, v) => s + v, 0) / vals.length : null,
          max: vals.length ? Math.max(...vals) : null,
        };
      } catch (err) {
        return {
          name,
          query,
          points: 0,
          atAnomaly: null,
          min: null,
          avg: null,
          max: null,
          error: String(err),
        };
      }
    }),
  );
}

function fmt(v: number | null): string {
  return v === null ? 'n/a' : Number(v.toPrecision(4)).toString();
}

/** The prompt, bounded to `maxChars` (breadcrumbs are cut first: the anomaly summary always fits). */
export function buildPrompt(a: AnomalyRecord, metrics: MetricSummary[] | null, maxChars: number): string {
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][a.bucket.dayOfWeek];
  const head = [
    'You are an SRE assistant. From the anomaly, the breadcrumbs and the metrics below, give the most likely',
    'cause and the next three checks. Answer in at most 8 short bullet points.',
    '',
    `Anomaly ${a.id}: series ${a.series} at ${a.timestamp}, SEV${a.sev}.`,
    `Value ${fmt(a.value)} vs baseline mean ${fmt(a.mean)} (σ ${fmt(a.sd)}), z = ${fmt(a.z)};` +
      ` crossed the p${a.percentile} of historical |z| (threshold ${fmt(a.threshold)}).`,
    `Baseline: ${a.scope === 'bucket' ? `${day} ${a.bucket.hour}:00 bucket` : `${a.scope} fallback (bucket ${day} ${a.bucket.hour}:00 had too few samples)`}, ${a.baselineN} samples.`,
  ];
  const metricLines = ['', 'Correlated Prometheus metrics (30 min before to 10 min after, 1 min step):'];
  if (metrics === null) metricLines.push('- not available (PROMETHEUS_URL not set)');
  else {
    for (const m of metrics) {
      metricLines.push(
        m.error
          ? `- ${m.name}: unavailable (${m.error.slice(0, 120)})`
          : `- ${m.name}: at anomaly ${fmt(m.atAnomaly)}, min ${fmt(m.min)}, avg ${fmt(m.avg)}, max ${fmt(m.max)}`,
      );
    }
  }
  const tail = ['', `Trace ids nearby: ${a.traceIds.length ? a.traceIds.join(', ') : 'none'}`];
  let budget = maxChars - [...head, ...metricLines, ...tail].join('\n').length - 80;
  const crumbLines = ['', `Breadcrumbs around it (newest first, ${a.breadcrumbs.length}):`];
  for (const c of a.breadcrumbs) {
    const line = `- ${new Date(c.at).toISOString()} [${c.component}] ${c.category} ${c.level}: ${c.message}`;
    if (line.length + 1 > budget) {
      crumbLines.push('- … (cut to fit the prompt budget)');
      break;
    }
    crumbLines.push(line);
    budget -= line.length + 1;
  }
  return [...head, ...metricLines, ...crumbLines, ...tail].join('\n').slice(0, maxChars);
}

export interface GenerateResult {
  response: string;
  model: string;
  attempts: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Client for an Ollama-compatible POST /api/generate (non-streaming). */
export class OllamaClient {
  readonly breaker: CircuitBreaker;

  constructor(
    private readonly cfg: AiConfig,
    private readonly logger: AnomalyLogger = silentLogger,
    now: () => number = Date.now,
  ) {
    this.breaker = new CircuitBreaker(cfg.breakerFailures, cfg.breakerCooldownMs, now);
  }

  async generate(prompt: string): Promise<GenerateResult> {
    this.logger.debug('anomaly AI prompt', { model: this.cfg.model, chars: prompt.length, prompt });
    return this.breaker.call(async () => {
      let last: unknown;
      for (let attempt = 0; attempt <= this.cfg.retries; attempt++) {
        if (attempt > 0) await sleep(this.cfg.backoffMs * 2 ** (attempt - 1));
        try {
          const body = (await fetchJson(
            new URL('/api/generate', this.cfg.ollamaUrl).toString(),
            {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ model: this.cfg.model, prompt, stream: false }),
            },
            this.cfg.timeoutMs,
          )) as { response?: unknown; model?: unknown };
          if (typeof body.response !== 'string') throw new Error('Ollama answer has no "response" string');
          return {
            response: body.response,
            model: typeof body.model === 'string' ? body.model : this.cfg.model,
            attempts: attempt + 1,
          };
        } catch (err) {
          last = err;
          // 4xx other than 429 will not get better by retrying (unknown model, bad request).
          if (err instanceof HttpStatusError && err.status < 500 && err.status !== 429) break;
          this.logger.warn('anomaly AI attempt failed', { attempt: attempt + 1, error: String(err) });
        }
      }
      throw last instanceof Error ? last : new Error(String(last));
    });
  }
}

export interface AnalysisResult {
  anomalyId: string;
  model: string;
  analysis: string;
  attempts: number;
  promptChars: number;
  metrics: MetricSummary[] | null;
  durationMs: number;
}

export class AnomalyAnalyst {
  readonly client: OllamaClient;

  constructor(
    private readonly cfg: AiConfig,
    logger: AnomalyLogger = silentLogger,
    now: () => number = Date.now,
  ) {
    this.client = new OllamaClient(cfg, logger, now);
  }

  get enabled(): boolean {
    return this.cfg.enabled;
  }

  async analyze(a: AnomalyRecord): Promise<AnalysisResult> {
    if (!this.cfg.enabled) throw new AiDisabledError();
    const t0 = performance.now();
    const metrics = this.cfg.prometheusUrl
      ? await correlatedMetrics(this.cfg.prometheusUrl, a.at, Math.min(5000, this.cfg.timeoutMs))
      : null;
    const prompt = buildPrompt(a, metrics, this.cfg.maxPromptChars);
    const out = await this.client.generate(prompt);
    return {
      anomalyId: a.id,
      model: out.model,
      analysis: out.response,
      attempts: out.attempts,
      promptChars: prompt.length,
      metrics,
      durationMs: Math.round(performance.now() - t0),
    };
  }
}
