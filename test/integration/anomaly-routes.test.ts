import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultAnomalyConfig } from '../../analyzer/src/anomaly/config.ts';
import { Rng } from '../../analyzer/src/anomaly/eval/prng.ts';
import { AnomalyMonitor } from '../../analyzer/src/anomaly/monitor.ts';
import { anomalyRoutes } from '../../analyzer/src/anomaly/routes.ts';

const START = Date.UTC(2025, 2, 3);
const DAY = 86_400_000;
let dir = '';
let monitor: AnomalyMonitor;
let server: Server;
let base = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crumbtrail-anomaly-routes-'));
  monitor = new AnomalyMonitor({
    config: defaultAnomalyConfig({ dbPath: join(dir, 'a.sqlite'), recalcAtUtc: null }),
  });
  const rng = new Rng(5);
  for (let i = 0; i < 14 * 1440; i++) {
    const t = START + i * 60_000;
    const h = new Date(t).getUTCHours();
    monitor.ingest([
      { series: 'api:errors', minute: t, value: rng.poisson(h >= 9 && h < 17 ? 20 : 1) },
      { series: 'db:warns', minute: t, value: rng.poisson(4) },
    ]);
  }
  monitor.recalculate();
  monitor.ingest([{ series: 'api:errors', minute: START + 20 * DAY + 3 * 3_600_000, value: 30 }]);
  monitor.ingest([{ series: 'db:warns', minute: START + 20 * DAY + 4 * 3_600_000, value: 12 }]);
  const route = anomalyRoutes(monitor);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    void route(req, res, url).then((mine) => {
      if (!mine) res.writeHead(404).end('not mine');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  monitor.close();
  rmSync(dir, { recursive: true, force: true });
});

async function json(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(base + path, init);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('anomaly routes on a real HTTP server', () => {
  test('paths that are not ours fall through', async () => {
    const r = await fetch(`${base}/api/incidents`);
    assert.equal(r.status, 404);
    assert.equal(await r.text(), 'not mine');
  });

  test('GET /api/monitor/anomalies filters by sev, series and since', async () => {
    const all = await json('/api/monitor/anomalies');
    assert.equal(all.status, 200);
    const items = all.body.anomalies as { id: string; sev: number; series: string; at: number }[];
    assert.ok(items.length >= 2);
    const worst = Math.min(...items.map((a) => a.sev));
    const bySev = (await json(`/api/monitor/anomalies?sev=SEV${worst}`)).body.anomalies as { sev: number }[];
    assert.ok(bySev.length >= 1 && bySev.every((a) => a.sev <= worst));
    const bySeries = (await json('/api/monitor/anomalies?series=db:warns')).body.anomalies as {
      series: string;
    }[];
    assert.ok(bySeries.length >= 1 && bySeries.every((a) => a.series === 'db:warns'));
    const since = new Date(START + 20 * DAY + 3.5 * 3_600_000).toISOString();
    const recent = (await json(`/api/monitor/anomalies?since=${since}`)).body.anomalies as {
      series: string;
    }[];
    assert.deepEqual(
      recent.map((a) => a.series),
      ['db:warns'],
    );
    const bad = await json('/api/monitor/anomalies?sev=7');
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.error), /sev=7 is invalid/);
  });

  test('GET /api/monitor/baselines lists series and returns 168 buckets for one', async () => {
    const list = await json('/api/monitor/baselines');
    assert.deepEqual(list.body.series, ['api:errors', 'db:warns']);
    const one = await json('/api/monitor/baselines?series=api:errors');
    const buckets = one.body.bucket as ({ mean: number; sevThresholds: number[] } | null)[];
    assert.equal(buckets.length, 168);
    assert.ok(buckets[2 * 24 + 11]!.mean > 15, 'Tuesday 11:00 is busy');
    assert.ok(buckets[2 * 24 + 3]!.mean < 3, 'Tuesday 03:00 is quiet');
    assert.equal(buckets[0]!.sevThresholds.length, 5);
    assert.equal((await json('/api/monitor/baselines?series=nope')).status, 404);
  });

  test('POST /api/monitor/recalculate returns counts and duration; GET is refused', async () => {
    const r = await json('/api/monitor/recalculate', { method: 'POST' });
    assert.equal(r.status, 200);
    assert.equal(r.body.series, 2);
    assert.ok((r.body.cells as number) >= 2 * (168 + 24 + 1));
    assert.equal(typeof r.body.durationMs, 'number');
    const g = await fetch(`${base}/api/monitor/recalculate`);
    assert.equal(g.status, 405);
    assert.equal(g.headers.get('allow'), 'POST');
  });

  test('POST /api/monitor/analyze: 400 without id, 404 for an unknown one, 503 while AI is off', async () => {
    assert.equal((await json('/api/monitor/analyze', { method: 'POST', body: '{}' })).status, 400);
    assert.equal((await json('/api/monitor/analyze', { method: 'POST', body: 'nope' })).status, 400);
    const unknown = await json('/api/monitor/analyze', {
      method: 'POST',
      body: JSON.stringify({ anomalyId: 'x@1' }),
    });
    assert.equal(unknown.status, 404);
    const id = ((await json('/api/monitor/anomalies')).body.anomalies as { id: string }[])[0]!.id;
    const off = await json('/api/monitor/analyze', {
      method: 'POST',
      body: JSON.stringify({ anomalyId: id }),
    });
    assert.equal(off.status, 503);
    assert.match(String(off.body.error), /CRUMBTRAIL_ANOMALY_AI=1/);
  });

  test('GET /anomalies is a self-contained page (no external resources)', async () => {
    const r = await fetch(`${base}/anomalies`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    const html = await r.text();
    assert.doesNotMatch(html, /(src|href)=["']?https?:/i);
    assert.doesNotMatch(html, /innerHTML/);
    for (const id of [
      'id="anoms"',
      'id="sev"',
      'id="base"',
      'id="seriesBase"',
      'sev1',
      'setInterval(refresh',
    ]) {
      assert.ok(html.includes(id), `page lacks ${id}`);
    }
  });
});
