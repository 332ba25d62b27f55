// A REAL Prometheus (Debian's /usr/bin/prometheus) scrapes the real service; PromQL through its HTTP API must
// return the counts we wrote. Skipped with a notice when no prometheus binary is on this machine.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { correlatedMetrics } from '../../analyzer/src/anomaly/ai.ts';
import { skipOrFail } from '../helpers/skip.ts';
import {
  cleanup,
  getJson,
  type StatsView,
  startService,
  sum,
  tempDir,
  until,
  writeLines,
} from './service-harness.ts';

const PROMETHEUS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((p) => existsSync(p));
let prom: ChildProcess | null = null;
after(() => {
  if (prom && prom.exitCode === null) prom.kill('SIGKILL');
  cleanup();
});

/** A free ephemeral port (Prometheus cannot listen on :0 and report it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface PromQueryResult {
  status: string;
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe('Prometheus scrapes the analyzer', {
  timeout: 120_000,
  skip: PROMETHEUS ? false : skipOrFail('prometheus-scrape: prometheus not installed'),
}, () => {
  test('PromQL returns the counter values written to the log', async () => {
    const dir = tempDir('ct-prom-');
    const file = join(dir, 'app.log');
    const truth = writeLines(file, 4_000, 4);
    const svc = await startService(['--glob', join(dir, '*.log'), '--state-dir', join(dir, 'state')]);
    await until(
      'lines counted',
      async () => (await getJson<StatsView>(`${svc.url}/stats`)).totals.events === sum(truth),
    );

    const promPort = await freePort();
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: crumbtrail-analyzer\n    static_configs:\n      - targets: ['127.0.0.1:${svc.port}']\n`,
    );
    prom = spawn(
      PROMETHEUS!,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let promErr = '';
    prom.stderr!.on('data', (d: Buffer) => {
      promErr = (promErr + d.toString()).slice(-5000);
    });
    const api = `http://127.0.0.1:${promPort}/api/v1`;
    const query = async (q: string): Promise<PromQueryResult> =>
      getJson<PromQueryResult>(`${api}/query?query=${encodeURIComponent(q)}`);

    const total = await until(
      'Prometheus to scrape the analyzer',
      async () => {
        const r = await query('sum(crumbtrail_log_lines_total{job="crumbtrail-analyzer"})');
        const v = r.data.result[0]?.value[1];
        return v !== undefined && Number(v) === sum(truth) ? Number(v) : undefined;
      },
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nprometheus stderr:\n${promErr}`);
    });
    assert.equal(total, 4_000);

    const byKey = await query(
      'sum by (level, component) (crumbtrail_log_lines_total{job="crumbtrail-analyzer"})',
    );
    const got = new Map(
      byKey.data.result.map((s) => [`${s.metric.level} ${s.metric.component}`, Number(s.value[1])]),
    );
    assert.deepEqual(new Map([...got].sort()), new Map([...truth].sort()));

    const up = await query('up{job="crumbtrail-analyzer"}');
    assert.equal(up.data.result[0]?.value[1], '1');
    const ready = await query('crumbtrail_ready');
    assert.equal(ready.data.result[0]?.value[1], '1');
    // ERROR is one of the four levels written round-robin: a quarter of the lines are error events, and
    // none is CRITICAL or FATAL (what pages).
    const errors = await query('crumbtrail_error_events_total');
    assert.equal(Number(errors.data.result[0]?.value[1]), 1_000);
    const critical = await query('crumbtrail_critical_events_total');
    assert.equal(Number(critical.data.result[0]?.value[1]), 0);

    // The AI prompt's correlated-metrics queries (anomaly/ai.ts) against this real Prometheus: each must answer
    // with points. A faked Prometheus once hid that one of them is always empty here (issue 14, finding 11).
    await until('two scrapes (rate() needs two samples)', async () => {
      const r = await query('count_over_time(up{job="crumbtrail-analyzer"}[5m])');
      return Number(r.data.result[0]?.value[1] ?? 0) >= 3 ? true : undefined;
    });
    for (const m of await correlatedMetrics(`http://127.0.0.1:${promPort}`, Date.now()))
      assert.ok(
        m.points > 0 && m.error === undefined,
        `prompt query "${m.name}" answered nothing: ${m.query} ${m.error ?? ''}`,
      );

    svc.child.kill('SIGTERM');
    assert.equal(await svc.exited, 0, svc.stderr());
  });
});
