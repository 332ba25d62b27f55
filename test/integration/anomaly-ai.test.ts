import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AnomalyAnalyst,
  buildPrompt,
  CORRELATED_QUERIES,
  OllamaClient,
} from '../../analyzer/src/anomaly/ai.ts';
import { BreakerOpenError } from '../../analyzer/src/anomaly/breaker.ts';
import { type AiConfig, defaultAnomalyConfig } from '../../analyzer/src/anomaly/config.ts';
import { AnomalyMonitor } from '../../analyzer/src/anomaly/monitor.ts';
import { anomalyRoutes } from '../../analyzer/src/anomaly/routes.ts';
import type { AnomalyRecord } from '../../analyzer/src/anomaly/types.ts';
import { OllamaStandIn } from '../helpers/ollama-standin.ts';

const AT = Date.UTC(2025, 2, 30, 3, 0);

const record: AnomalyRecord = {
  id: `api:errors@${AT}`,
  series: 'api:errors',
  at: AT,
  timestamp: new Date(AT).toISOString(),
  value: 25,
  mean: 1.1,
  sd: 1.05,
  z: 22.8,
  sev: 1,
  percentile: 99.9,
  threshold: 6.2,
  bucket: { dayOfWeek: 0, hour: 3, hourOfWeek: 3 },
  scope: 'bucket',
  fellBack: false,
  baselineN: 240,
  breadcrumbs: Array.from({ length: 200 }, (_, i) => ({
    at: AT - i * 1000,
    component: 'api',
    category: 'stress',
    level: 'WARN',
    message: `pool exhausted ${i} ${'x'.repeat(80)}`,
  })),
  traceIds: ['4bf92f3577b34da6'],
};

/** Minimal stand-in for Prometheus /api/v1/query_range answering the documented matrix shape. */
class PrometheusQueryRangeStandIn {
  readonly queries: URLSearchParams[] = [];
  private server: Server | null = null;
  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname !== '/api/v1/query_range') return void res.writeHead(404).end();
      this.queries.push(u.searchParams);
      const start = Number(u.searchParams.get('start'));
      const end = Number(u.searchParams.get('end'));
      const step = Number(u.searchParams.get('step'));
      const q = u.searchParams.get('query') ?? '';
      const level = q.includes('tail_lag')
        ? 4096
        : q.includes('crumbtrail_es_')
          ? 0.25
          : q.includes('ERROR')
            ? 0.5
            : 12;
      const values: [number, string][] = [];
      for (let t = start; t <= end; t += step) values.push([t, String(t === AT / 1000 ? level * 10 : level)]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'matrix', result: [{ metric: {}, values }] },
        }),
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

const ollama = new OllamaStandIn();
const prom = new PrometheusQueryRangeStandIn();
before(async () => {
  await ollama.start();
  await prom.start();
});
after(async () => {
  await ollama.stop();
  await prom.stop();
});

function ai(extra: Partial<AiConfig> = {}): AiConfig {
  return {
    ...defaultAnomalyConfig().ai,
    enabled: true,
    ollamaUrl: ollama.url,
    prometheusUrl: prom.url,
    timeoutMs: 2000,
    retries: 0,
    backoffMs: 10,
    ...extra,
  };
}

function reset(): void {
  ollama.requests.length = 0;
  ollama.script.length = 0;
  ollama.fallback = 'ok';
}

describe('AI analysis against an Ollama stand-in', () => {
  test('the prompt carries the anomaly, breadcrumbs and the correlated Prometheus metrics, bounded', async () => {
    reset();
    const debug: string[] = [];
    const logger = {
      debug: (_m: string, d?: Record<string, unknown>) => debug.push(String(d?.prompt)),
      warn() {},
    };
    const out = await new AnomalyAnalyst(ai({ maxPromptChars: 3000 }), logger).analyze(record);
    assert.equal(out.analysis, ollama.answer);
    assert.equal(ollama.requests.length, 1);
    const req = ollama.requests[0]!;
    assert.equal(req.model, 'llama3.2:1b');
    assert.equal(req.stream, false);
    const p = req.prompt;
    assert.ok(p.length <= 3000, `prompt ${p.length} chars`);
    assert.match(p, /api:errors/);
    assert.match(p, /SEV1/);
    assert.match(p, /z = 22\.8/);
    assert.match(p, /error rate \(lines\/s\): at anomaly 5, min 0\.5, avg [\d.]+, max 5/);
    assert.match(p, /tail lag \(bytes\): at anomaly 40960/);
    assert.match(p, /ES failures.*at anomaly 2\.5/);
    assert.match(p, /log lines\/s: at anomaly 120/);
    assert.match(p, /pool exhausted 0/);
    assert.match(p, /cut to fit the prompt budget/);
    assert.match(p, /4bf92f3577b34da6/);
    assert.deepEqual(debug, [p], 'the prompt is logged at debug level');
    const queries = prom.queries.map((q) => q.get('query'));
    assert.deepEqual(new Set(queries), new Set(Object.values(CORRELATED_QUERIES)));
    assert.equal(prom.queries[0]!.get('step'), '60');
  });

  test('metrics that cannot be fetched are noted in the prompt, not fatal', () => {
    const p = buildPrompt(record, null, 4000);
    assert.match(p, /not available \(PROMETHEUS_URL not set\)/);
  });

  test('a hanging model server times out and is retried with backoff', async () => {
    reset();
    ollama.script.push('hang', 'hang');
    const c = new OllamaClient(ai({ timeoutMs: 150, retries: 1 }));
    await assert.rejects(c.generate('hi'), (e: Error) => e.name === 'TimeoutError');
    assert.equal(ollama.requests.length, 2);
  });

  test('5xx is retried until success; 404 (unknown model) is not retried', async () => {
    reset();
    ollama.script.push('error500', 'error500', 'ok');
    const out = await new OllamaClient(ai({ retries: 2 })).generate('hi');
    assert.equal(out.attempts, 3);
    reset();
    ollama.script.push('error404', 'ok');
    await assert.rejects(new OllamaClient(ai({ retries: 2 })).generate('hi'), /HTTP 404/);
    assert.equal(ollama.requests.length, 1);
  });

  test('the circuit breaker opens, fails fast, half-opens after the cooldown and closes on success', async () => {
    reset();
    let now = 1_000_000;
    const c = new OllamaClient(ai({ breakerFailures: 2, breakerCooldownMs: 60_000 }), undefined, () => now);
    ollama.fallback = 'error500';
    await assert.rejects(c.generate('a'), /HTTP 500/);
    assert.equal(c.breaker.state, 'closed');
    await assert.rejects(c.generate('b'), /HTTP 500/);
    assert.equal(c.breaker.state, 'open');
    await assert.rejects(c.generate('c'), BreakerOpenError);
    assert.equal(ollama.requests.length, 2, 'an open breaker does not call the server');
    now += 60_000;
    assert.equal(c.breaker.state, 'half-open');
    await assert.rejects(c.generate('trial fails'), /HTTP 500/);
    assert.equal(c.breaker.state, 'open', 'a failed trial opens it again');
    now += 60_000;
    ollama.fallback = 'ok';
    const ok = await c.generate('trial succeeds');
    assert.equal(ok.response, ollama.answer);
    assert.equal(c.breaker.state, 'closed');
    assert.equal(ollama.requests.length, 4);
  });

  test('POST /api/monitor/analyze runs the analysis for a stored anomaly', async () => {
    reset();
    const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-anomaly-ai-'));
    const cfg = defaultAnomalyConfig({ dbPath: join(dir, 'a.sqlite'), recalcAtUtc: null, ai: ai() });
    const monitor = new AnomalyMonitor({ config: cfg });
    monitor.store.insertAnomaly(record);
    const route = anomalyRoutes(monitor);
    const server = createServer((req, res) => void route(req, res, new URL(req.url ?? '/', 'http://x')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await fetch(`http://127.0.0.1:${port}/api/monitor/analyze`, {
        method: 'POST',
        body: JSON.stringify({ anomalyId: record.id }),
      });
      assert.equal(r.status, 200);
      const body = (await r.json()) as { analysis: string; anomalyId: string; metrics: unknown[] };
      assert.equal(body.anomalyId, record.id);
      assert.equal(body.analysis, ollama.answer);
      assert.equal(body.metrics.length, 4);
      ollama.fallback = 'error500';
      const bad = await fetch(`http://127.0.0.1:${port}/api/monitor/analyze`, {
        method: 'POST',
        body: JSON.stringify({ anomalyId: record.id }),
      });
      assert.equal(bad.status, 502);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      monitor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
