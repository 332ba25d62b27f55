// The alert path with REAL Prometheus and Alertmanager binaries and the repo's own prometheus.yml, rules and
// alertmanager.yml (rewritten to loopback by test/helpers/native-stack.ts):
//   1. the analyzer itself: drill lines written to a watched log -> alert delivered to the webhook (latency printed)
//   2. a stand-in for the analyzer's /metrics (prom-client): rule -> route -> webhook for critical and warning
//   3. Alertmanager inhibition: a critical silences a warning of the same component
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Counter, Gauge, Registry } from 'prom-client';
import {
  freePort,
  type ManagedProcess,
  type NativeBinaries,
  type NativeStack,
  nativeBinaries,
  REPO_ROOT,
  startNativeStack,
  startProcess,
  WebhookRecorder,
  waitForTargetUp,
} from '../helpers/native-stack.ts';
import { skipOrFail } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';

const bins = nativeBinaries();
const skipNoBinaries =
  typeof bins === 'string' ? skipOrFail(`alert-path: ${bins.replace(/^skipped: /, '')}`) : false;

/** Stands in for the analyzer's /metrics endpoint: the same metric families, values set by the test. */
class AnalyzerMetricsStandIn {
  readonly registry = new Registry();
  readonly critical = new Counter({
    name: 'crumbtrail_critical_events_total',
    help: 'CRITICAL or FATAL lines',
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'crumbtrail_es_dead_letter_total',
    help: 'dead-lettered documents',
    registers: [this.registry],
  });
  readonly ready = new Gauge({ name: 'crumbtrail_ready', help: 'ready', registers: [this.registry] });
  private server: Server | null = null;
  port = 0;

  async start(): Promise<void> {
    this.ready.set(1);
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      void this.registry.metrics().then((text) => {
        res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(text);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

const firing =
  (alertname: string, via: string) =>
  (d: {
    via: string;
    body: { status: string; alerts: Array<{ status: string; labels: Record<string, string> }> };
  }) =>
    d.via === via && d.body.alerts.some((a) => a.status === 'firing' && a.labels.alertname === alertname);

/** Resolves once Prometheus has stored at least two scrapes of the analyzer target. */
async function twoScrapes(prometheusUrl: string): Promise<void> {
  const q = encodeURIComponent('count_over_time(up{job="crumbtrail-analyzer"}[5m])');
  await waitFor(async () => {
    const body = (await (await fetch(`${prometheusUrl}/api/v1/query?query=${q}`)).json()) as {
      data?: { result?: { value: [number, string] }[] };
    };
    return Number(body.data?.result?.[0]?.value[1] ?? 0) >= 2;
  }, 'two scrapes of the analyzer in Prometheus');
}

describe('alert path through real Prometheus + Alertmanager (stand-in for the analyzer /metrics)', {
  skip: skipNoBinaries,
}, () => {
  const standIn = new AnalyzerMetricsStandIn();
  const webhook = new WebhookRecorder();
  let stack: NativeStack | null = null;

  before(async () => {
    await standIn.start();
    await webhook.start();
    stack = await startNativeStack({
      bins: bins as NativeBinaries,
      analyzerTarget: `127.0.0.1:${standIn.port}`,
      webhook,
    });
    await waitForTargetUp(stack.prometheusUrl, 'crumbtrail-analyzer', 20_000);
    // Two scrapes at zero, so increase() sees the step: wait for Prometheus to hold them, not for a time.
    await twoScrapes(stack.prometheusUrl);
  });

  after(async () => {
    await stack?.stop();
    await webhook.stop();
    await standIn.stop();
  });

  test('a critical line pages (paging receiver) and is copied to the analyzer receiver', {
    timeout: 60_000,
  }, async () => {
    const t0 = Date.now();
    standIn.critical.inc(3);
    const page = await webhook.waitFor(firing('CrumbtrailCriticalBreadcrumbs', 'paging'), 45_000);
    console.log(`alert-path (stand-in): counter step -> paging webhook in ${page.receivedAt - t0} ms`);
    const alert = page.body.alerts.find((a) => a.labels.alertname === 'CrumbtrailCriticalBreadcrumbs')!;
    assert.equal(alert.labels.severity, 'critical');
    assert.equal(alert.labels.team, 'sre');
    assert.match(alert.annotations.runbook_url ?? '', /docs\/runbooks\/CrumbtrailCriticalBreadcrumbs\.md$/);
    assert.equal(page.body.receiver, 'paging');
    await webhook.waitFor(firing('CrumbtrailCriticalBreadcrumbs', 'analyzer'), 15_000);
    assert.ok(
      !webhook.deliveries.some((d) => firing('CrumbtrailCriticalBreadcrumbs', 'chat')(d)),
      'a critical alert must not go to the chat receiver',
    );
  });

  test('a dead-lettered document warns (chat receiver), never pages', { timeout: 60_000 }, async () => {
    standIn.deadLetters.inc(2);
    const chat = await webhook.waitFor(firing('CrumbtrailElasticsearchDeadLetters', 'chat'), 45_000);
    assert.equal(chat.body.receiver, 'chat');
    assert.ok(
      !webhook.deliveries.some((d) => firing('CrumbtrailElasticsearchDeadLetters', 'paging')(d)),
      'a warning must not page',
    );
  });

  test('a critical inhibits a warning of the same component (real Alertmanager, our inhibit_rules)', async () => {
    const am = stack!.alertmanagerUrl;
    const now = new Date().toISOString();
    const post = await fetch(`${am}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'InhibitSource', severity: 'critical', component: 'inhibit-test' },
          startsAt: now,
        },
        {
          labels: { alertname: 'InhibitTarget', severity: 'warning', component: 'inhibit-test' },
          startsAt: now,
        },
        { labels: { alertname: 'OtherWarning', severity: 'warning', component: 'unrelated' }, startsAt: now },
      ]),
    });
    assert.equal(post.status, 200, await post.text());
    type AmAlert = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } };
    let alerts: AmAlert[] = [];
    for (let i = 0; i < 50; i++) {
      alerts = (await (await fetch(`${am}/api/v2/alerts`)).json()) as AmAlert[];
      const target = alerts.find((a) => a.labels.alertname === 'InhibitTarget');
      if (target && target.status.state !== 'unprocessed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const state = (name: string) => alerts.find((a) => a.labels.alertname === name)?.status;
    assert.equal(state('InhibitTarget')?.state, 'suppressed');
    assert.ok((state('InhibitTarget')?.inhibitedBy ?? []).length > 0);
    assert.equal(state('OtherWarning')?.state, 'active');
  });
});

const SERVE = join(REPO_ROOT, 'analyzer/src/cli/serve.ts');
const skipNoAnalyzer = skipNoBinaries
  ? skipNoBinaries
  : existsSync(SERVE)
    ? false
    : skipOrFail(
        'alert-path: analyzer/src/cli/serve.ts does not exist yet (the analyzer service is being built)',
      );

describe('incident drill through the real analyzer, Prometheus and Alertmanager', {
  skip: skipNoAnalyzer,
}, () => {
  const webhook = new WebhookRecorder();
  let stack: NativeStack | null = null;
  let analyzer: ManagedProcess | null = null;
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crumbtrail-drill-'));
    const logFile = join(dir, 'app.log');
    appendFileSync(logFile, '[2026-01-01 00:00:00.000] INFO - [gateway] drill warm-up\n');
    const port = await freePort();
    // No CRUMBTRAIL_ES_* in the environment: the analyzer runs without the Elasticsearch sink.
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRUMBTRAIL_')) env[k] = v;
    analyzer = await startProcess({
      name: 'analyzer',
      bin: process.execPath,
      args: [
        '--import',
        'tsx',
        SERVE,
        '--glob',
        join(dir, '*.log'),
        '--state-dir',
        join(dir, 'state'),
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
      ],
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      timeoutMs: 30_000,
      env,
      cwd: REPO_ROOT,
    });
    await webhook.start();
    stack = await startNativeStack({
      bins: bins as NativeBinaries,
      analyzerTarget: `127.0.0.1:${port}`,
      webhook,
    });
    await waitForTargetUp(stack.prometheusUrl, 'crumbtrail-analyzer', 20_000);
    // Two scrapes at zero, so increase() sees the step: wait for Prometheus to hold them, not for a time.
    await twoScrapes(stack.prometheusUrl);
  });

  after(async () => {
    await stack?.stop();
    await analyzer?.stop();
    await webhook.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('drill CRITICAL lines reach the paging webhook', { timeout: 90_000 }, async () => {
    const ts = new Date().toISOString().slice(0, 23).replace('T', ' ');
    const lines = [
      `[${ts}] WARN - [drill] order book depth below threshold`,
      `[${ts}] ERROR - [drill] circuit breaker tripped on instrument DRILL`,
      `[${ts}] CRITICAL - [drill] drill incident: matching engine halted`,
    ];
    const t0 = Date.now();
    appendFileSync(join(dir, 'app.log'), `${lines.join('\n')}\n`);
    let page: Awaited<ReturnType<WebhookRecorder['waitFor']>>;
    try {
      page = await webhook.waitFor(firing('CrumbtrailCriticalBreadcrumbs', 'paging'), 75_000);
    } catch (err) {
      const metrics = await fetch(
        `${stack!.prometheusUrl}/api/v1/query?query=crumbtrail_critical_events_total`,
      )
        .then((r) => r.text())
        .catch(() => 'n/a');
      throw new Error(
        `${(err as Error).message}\nprometheus crumbtrail_critical_events_total: ${metrics}\nanalyzer output:\n${analyzer!.output()}`,
      );
    }
    const latency = page.receivedAt - t0;
    console.log(`alert-path (analyzer): drill line written -> paging webhook received in ${latency} ms`);
    assert.equal(page.body.receiver, 'paging');
  });
});
