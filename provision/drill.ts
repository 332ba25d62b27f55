// The incident drill: append a uniquely tagged scripted incident to the app-log volume, then follow it through
// every hop of the stack, timing each one from the moment the lines were written. Reused by `npm run smoke`
// and the live smoke tests; the native drill (provision/native-drill.ts) plugs its own hops into runHops.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { execa } from 'execa';
import type { ProvisionConfig } from './config.ts';
import { ServiceHttp } from './http.ts';

export interface DrillTargets {
  config: ProvisionConfig;
  es: Client;
  analyzerUrl: string;
  alertmanagerUrl: string;
  /** Where docker compose runs (the repo root). */
  cwd: string;
  hopTimeoutMs: number;
}

export interface HopResult {
  hop: string;
  /** Compose service whose logs explain a failure of this hop. */
  service: string;
  ok: boolean;
  latencyMs: number;
  detail: string;
}

export class DrillHopError extends Error {
  constructor(readonly result: HopResult) {
    super(`drill hop "${result.hop}" failed after ${Math.round(result.latencyMs / 1000)}s: ${result.detail}`);
  }
}

/** Alerts the drill's lines must raise: a CRITICAL line pages, a final failure opens an incident. */
export const DRILL_ALERTS: readonly string[] = ['CrumbtrailCriticalBreadcrumbs', 'CrumbtrailIncidentOpened'];

export function newDrillId(): string {
  return `drill-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A scripted incident in the seed's plain format: trigger → stress → control failure → final failure. */
export function drillLines(drillId: string, now = new Date()): string[] {
  const ts = (offsetMs: number) =>
    new Date(now.getTime() + offsetMs).toISOString().replace('T', ' ').replace('Z', '');
  const svc = 'exchange-gateway';
  return [
    `[${ts(0)}] WARNING - [${svc}] abnormal input: malformed message in price feed drill_id=${drillId}`,
    `[${ts(100)}] ERROR - [${svc}] risk check bypassed for order burst drill_id=${drillId}`,
    `[${ts(200)}] ERROR - [${svc}] order queue saturated latency_ms=9500 drill_id=${drillId}`,
    `[${ts(300)}] CRITICAL - [${svc}] circuit breaker failed to trip drill_id=${drillId}`,
    `[${ts(400)}] CRITICAL - [${svc}] market halted: order book empty drill_id=${drillId}`,
  ];
}

/** Append the lines through a one-off container on the app-log volume (the readers mount it read-only). */
export async function injectDrill(cwd: string, drillId: string, lines: readonly string[]): Promise<void> {
  await execa(
    'docker',
    [
      'compose',
      'run',
      '--rm',
      '--no-deps',
      '-T',
      '--entrypoint',
      'sh',
      'demo',
      '-c',
      `cat >> /var/log/app/${drillId}.log`,
    ],
    { cwd, input: `${lines.join('\n')}\n`, timeout: 120_000 },
  );
}

/** One hop's probe: `ok` once the drill reached it, `detail` says what was seen either way. */
export type HopCheck = () => Promise<{ ok: boolean; detail: string }>;
type Check = HopCheck;

/** A hop of the drill: what it proves, whose logs explain its failure, and how to see it. */
export interface Hop {
  hop: string;
  service: string;
  check: HopCheck;
}

/** How long the hops may take (from the moment the lines were written) and how often to look. */
export interface HopWait {
  /** Epoch ms the drill lines were written: every latency is measured from here. */
  started: number;
  timeoutMs: number;
  /** Pause between checks; the live stack is slow (3 s), the native one answers in well under a second. */
  intervalMs?: number;
}

/** Polls one hop until it passes or the drill's deadline passes (bounded by count and time). */
export async function pollHop(h: Hop, wait: HopWait): Promise<HopResult> {
  const { hop, service } = h;
  const intervalMs = wait.intervalMs ?? 3000;
  let detail = 'not checked yet';
  const maxAttempts = Math.ceil(wait.timeoutMs / intervalMs) + 1;
  for (let i = 0; i < maxAttempts; i++) {
    try {
      const r = await h.check();
      detail = r.detail;
      if (r.ok) return { hop, service, ok: true, latencyMs: Date.now() - wait.started, detail };
    } catch (err) {
      detail = (err as Error).message;
    }
    if (Date.now() - wait.started > wait.timeoutMs) break;
    await sleep(intervalMs);
  }
  return { hop, service, ok: false, latencyMs: Date.now() - wait.started, detail };
}

/** One progress line per hop, as the drill goes. */
export function hopLine(r: HopResult): string {
  return `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.hop.padEnd(34)} ${`${(r.latencyMs / 1000).toFixed(1)}s`.padStart(7)}  ${r.detail}`;
}

/** Runs the hops in order, printing each; stops at the first failing hop (later hops depend on it). */
export async function runHops(
  hops: readonly Hop[],
  wait: HopWait,
  print: (line: string) => void,
): Promise<HopResult[]> {
  const results: HopResult[] = [];
  for (const h of hops) {
    const r = await pollHop(h, wait);
    results.push(r);
    print(hopLine(r));
    if (!r.ok) break;
  }
  return results;
}

async function esCount(es: Client, index: string, query: object): Promise<number> {
  const res = await es.count({ index, query, ignore_unavailable: true, allow_no_indices: true });
  return res.count;
}

/** Run every hop in order; stops at the first failing hop (later hops depend on it). */
export async function runDrill(
  t: DrillTargets,
  print: (line: string) => void,
): Promise<{ drillId: string; hops: HopResult[] }> {
  const drillId = newDrillId();
  const lines = drillLines(drillId);
  print(`drill ${drillId}: writing ${lines.length} lines to the app-log volume`);
  await injectDrill(t.cwd, drillId, lines);
  const started = Date.now();
  const since = new Date(started - 60_000).toISOString();
  const kibana = new ServiceHttp('Kibana', t.config.kibana, 'KIBANA_URL', { 'kbn-xsrf': 'crumbtrail-smoke' });
  const grafana = new ServiceHttp('Grafana', t.config.grafana, 'GRAFANA_URL');
  const prometheus = new ServiceHttp('Prometheus', t.config.prometheus, 'PROMETHEUS_URL');
  const analyzer = new ServiceHttp(
    'analyzer',
    { url: t.analyzerUrl, auth: { kind: 'none' } },
    'ANALYZER_URL',
  );
  const alertmanager = new ServiceHttp(
    'Alertmanager',
    { url: t.alertmanagerUrl, auth: { kind: 'none' } },
    'ALERTMANAGER_URL',
  );
  const byDrill = { term: { 'crumbtrail.fields.drill_id': drillId } };
  const mentions = { query_string: { query: `"${drillId}"` } };

  const hops: [string, string, Check][] = [
    [
      'Filebeat → ES app logs',
      'filebeat',
      async () => {
        const n = await esCount(t.es, 'logs-crumbtrail.app-*', byDrill);
        return { ok: n >= lines.length, detail: `${n}/${lines.length} docs with crumbtrail.fields.drill_id` };
      },
    ],
    [
      'analyzer incidents + metrics',
      'analyzer',
      async () => {
        const inc = await analyzer.get('/api/incidents');
        const metrics = await analyzer.get('/metrics', { headers: { accept: 'text/plain' } });
        const seen = JSON.stringify(inc.body).includes(drillId);
        const crit = /^crumbtrail_critical_events_total(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(metrics.text);
        return {
          ok: seen && Number(crit?.[1] ?? 0) > 0,
          detail: `incident mentions drill: ${seen}, critical_events_total ${crit?.[1] ?? 'absent'}`,
        };
      },
    ],
    [
      'analyzer → ES breadcrumbs',
      'analyzer',
      async () => {
        const n = await esCount(t.es, 'logs-crumbtrail.breadcrumbs-*', mentions);
        return { ok: n > 0, detail: `${n} breadcrumb docs mention the drill` };
      },
    ],
    [
      'Kibana rule / watch fired',
      'kibana',
      async () => {
        const range = { range: { '@timestamp': { gte: since } } };
        const history = await esCount(t.es, 'crumbtrail-alerts-history', { bool: { filter: [range] } });
        const watches = await esCount(t.es, '.watcher-history-*', {
          bool: {
            filter: [
              { prefix: { watch_id: 'crumbtrail-' } },
              { term: { 'result.condition.met': true } },
              { range: { trigger_event: { gte: since } } },
            ],
          },
        }).catch(() => 0);
        const rule = await kibana.get('/api/alerting/rule/crumbtrail-critical-any', { expect: [404] });
        const status =
          (rule.body as { execution_status?: { status?: string } } | null)?.execution_status?.status ??
          'absent';
        return {
          ok: history + watches > 0,
          detail: `alerts-history docs ${history}, watch hits ${watches}, rule status ${status}`,
        };
      },
    ],
    [
      'Prometheus alert firing',
      'prometheus',
      async () => {
        const res = await prometheus.get('/api/v1/alerts');
        const alerts = (
          (res.body as { data?: { alerts?: { labels: Record<string, string>; state: string }[] } }).data
            ?.alerts ?? []
        )
          // Only the alerts the drill's lines raise: any other firing alert (a target still coming up) would
          // let this hop pass for the wrong reason.
          .filter((a) => a.state === 'firing' && DRILL_ALERTS.includes(a.labels.alertname ?? ''));
        return {
          ok: alerts.length > 0,
          detail: `firing: ${alerts.map((a) => a.labels.alertname).join(', ') || 'none'}`,
        };
      },
    ],
    [
      'Alertmanager received',
      'alertmanager',
      async () => {
        const res = await alertmanager.get('/api/v2/alerts?active=true');
        const alerts = (res.body as { labels: Record<string, string> }[]).filter((a) =>
          a.labels.alertname?.startsWith('Crumbtrail'),
        );
        return {
          ok: alerts.length > 0,
          detail: `active: ${alerts.map((a) => a.labels.alertname).join(', ') || 'none'}`,
        };
      },
    ],
    [
      'Grafana datasource + panel query',
      'grafana',
      async () => {
        const health = await grafana.get('/api/datasources/uid/crumbtrail-prometheus/health', {
          expect: [400, 500],
        });
        const q = await grafana.request('POST', '/api/ds/query', {
          body: {
            from: 'now-15m',
            to: 'now',
            queries: [
              {
                refId: 'A',
                datasource: { uid: 'crumbtrail-prometheus' },
                expr: 'crumbtrail_critical_events_total',
                instant: true,
              },
            ],
          },
        });
        const frames = (q.body as { results?: { A?: { frames?: unknown[] } } }).results?.A?.frames ?? [];
        const hs = (health.body as { status?: string } | null)?.status ?? `HTTP ${health.status}`;
        return {
          ok: hs === 'OK' && frames.length > 0,
          detail: `datasource health ${hs}, ${frames.length} frames for crumbtrail_critical_events_total`,
        };
      },
    ],
  ];

  const results = await runHops(
    hops.map(([hop, service, check]) => ({ hop, service, check })),
    { started, timeoutMs: t.hopTimeoutMs },
    print,
  );
  return { drillId, hops: results };
}

export function hopTable(hops: readonly HopResult[]): string {
  const rows = hops.map(
    (h) =>
      `| ${h.hop.padEnd(34)} | ${h.ok ? 'ok  ' : 'FAIL'} | ${`${(h.latencyMs / 1000).toFixed(1)} s`.padStart(8)} |`,
  );
  return [`| ${'hop'.padEnd(34)} | ok   | latency  |`, `|${'-'.repeat(36)}|------|----------|`, ...rows].join(
    '\n',
  );
}

/** `docker compose logs` of the failing hop's service, for the failure message. */
export async function composeLogs(cwd: string, service: string, tail = 200): Promise<string> {
  const res = await execa('docker', ['compose', 'logs', '--no-color', '--tail', String(tail), service], {
    cwd,
    reject: false,
    timeout: 60_000,
  });
  return `${res.stdout}\n${res.stderr}`.trim();
}
