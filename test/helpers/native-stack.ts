// Real Prometheus + Alertmanager binaries on 127.0.0.1 for integration tests, driven by the repo's OWN
// prometheus.yml, rules and alertmanager.yml. The harness only rewrites what cannot work outside compose:
// scrape targets and webhook URLs point at loopback, intervals and group waits shrink to seconds.
// Routing tree, matchers, inhibitions, rule expressions and `for` durations are used exactly as written.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse, stringify } from 'yaml';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;

/** First executable of `names` on PATH (Debian names Alertmanager `prometheus-alertmanager`). */
export function findBinary(...names: string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const p = join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** A free loopback port (bind :0, read it, release it). Binaries that cannot report their port need one. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

// Every child this module starts, so a crashed test run still kills them.
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export class ProcessStartError extends Error {}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr/stdout so far (bounded to the last 64 KiB). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Spawns `bin args`, then polls `readyUrl` until it answers 2xx. If the process exits first, or the deadline
 * passes, throws ProcessStartError carrying the binary's own output.
 */
export async function startProcess(opts: {
  name: string;
  bin: string;
  args: string[];
  readyUrl: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): Promise<ManagedProcess> {
  const child = spawn(opts.bin, opts.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  children.add(child);
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString('utf8')).slice(-65536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exit code ${code ?? 'none'}${signal ? ` (signal ${signal})` : ''}`;
      children.delete(child);
      resolve();
    });
  });
  child.once('error', (err) => {
    exited = `spawn error: ${err.message}`;
  });

  const proc: ManagedProcess = {
    name: opts.name,
    child,
    output: () => out,
    stop: async () => {
      if (exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (let attempt = 0; attempt < 400; attempt++) {
    if (exited !== null) {
      throw new ProcessStartError(
        `${opts.name} (${opts.bin}) did not start: ${exited}\n--- its output ---\n${out}`,
      );
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new ProcessStartError(
        `${opts.name} not ready at ${opts.readyUrl} within ${opts.timeoutMs ?? 20_000} ms\n--- its output ---\n${out}`,
      );
    }
    try {
      const res = await fetch(opts.readyUrl, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return proc;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop();
  throw new ProcessStartError(`${opts.name}: readiness polling gave up\n${out}`);
}

/** One Alertmanager webhook delivery, as received. */
export interface WebhookDelivery {
  receivedAt: number;
  /** Query string `receiver` the harness put on the URL of the receiver that sent it. */
  via: string;
  body: AlertmanagerWebhookBody;
}

/** The subset of Alertmanager's webhook payload (version 4) the tests read. */
export interface AlertmanagerWebhookBody {
  version: string;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: Array<{
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
  }>;
}

/** The paging/chat/chat-ops end of the pipe: an HTTP server recording every Alertmanager webhook POST. */
export class WebhookRecorder {
  readonly deliveries: WebhookDelivery[] = [];
  private server: Server | null = null;
  private waiters: Array<() => void> = [];
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        () => res.writeHead(200).end('ok'),
        () => res.writeHead(400).end('bad payload'),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(receiver: string): string {
    return `http://127.0.0.1:${this.port}/hook?receiver=${encodeURIComponent(receiver)}`;
  }

  private async handle(req: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertmanagerWebhookBody;
    const via = new URL(req.url ?? '/', 'http://x').searchParams.get('receiver') ?? '';
    this.deliveries.push({ receivedAt: Date.now(), via, body });
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first delivery matching `pred`; rejects after `timeoutMs` listing what did arrive. */
  async waitFor(pred: (d: WebhookDelivery) => boolean, timeoutMs: number): Promise<WebhookDelivery> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.deliveries.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.deliveries.map(
          (d) => `${d.via}:${d.body.status}:${d.body.alerts.map((a) => a.labels.alertname).join('+')}`,
        );
        throw new Error(`no matching webhook within ${timeoutMs} ms; received: [${seen.join(', ')}]`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}

type Yaml = Record<string, unknown>;

/** Our prometheus.yml with loopback targets, short intervals and absolute rule paths. */
export function rewritePrometheusConfig(opts: {
  analyzerTarget: string;
  prometheusTarget: string;
  alertmanagerTarget: string;
  interval: string;
}): string {
  const cfg = parse(readFileSync(join(REPO_ROOT, 'prometheus/prometheus.yml'), 'utf8')) as Yaml;
  const global = (cfg.global ?? {}) as Yaml;
  global.scrape_interval = opts.interval;
  global.evaluation_interval = opts.interval;
  global.scrape_timeout = opts.interval;
  cfg.global = global;
  cfg.rule_files = ((cfg.rule_files as string[]) ?? []).map((p) => join(REPO_ROOT, 'prometheus', p));
  const targetFor: Record<string, string> = {
    'crumbtrail-analyzer': opts.analyzerTarget,
    prometheus: opts.prometheusTarget,
    alertmanager: opts.alertmanagerTarget,
  };
  const scrapes = cfg.scrape_configs as Array<{
    job_name: string;
    static_configs: Array<{ targets: string[] }>;
  }>;
  for (const sc of scrapes) {
    const t = targetFor[sc.job_name];
    if (!t)
      throw new Error(`prometheus.yml: job ${sc.job_name} has no loopback target in the harness; add one`);
    for (const st of sc.static_configs) st.targets = [t];
  }
  const alerting = cfg.alerting as { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  for (const am of alerting.alertmanagers)
    for (const st of am.static_configs) st.targets = [opts.alertmanagerTarget];
  return stringify(cfg);
}

/** Our alertmanager.yml with every webhook pointed at the recorder (tagged by receiver) and waits in seconds. */
export function rewriteAlertmanagerConfig(
  webhookUrl: (receiver: string) => string,
  /** Replaces compose's /run/secrets token file (the analyzer receiver's credentials_file). */
  credentialsFile?: string,
): string {
  const cfg = parse(readFileSync(join(REPO_ROOT, 'alertmanager/alertmanager.yml'), 'utf8')) as Yaml;
  const shorten = (route: Yaml): void => {
    if ('group_wait' in route || route === cfg.route) route.group_wait = '1s';
    if ('group_interval' in route || route === cfg.route) route.group_interval = '1s';
    if ('repeat_interval' in route || route === cfg.route) route.repeat_interval = '1h';
    for (const r of (route.routes as Yaml[] | undefined) ?? []) shorten(r);
  };
  shorten(cfg.route as Yaml);
  type Webhook = { url: string; http_config?: { authorization?: { credentials_file?: string } } };
  for (const r of cfg.receivers as Array<{ name: string; webhook_configs?: Webhook[] }>) {
    for (const w of r.webhook_configs ?? []) {
      w.url = webhookUrl(r.name);
      const auth = w.http_config?.authorization;
      if (auth?.credentials_file && credentialsFile) auth.credentials_file = credentialsFile;
    }
  }
  return stringify(cfg);
}

export interface NativeStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  prometheus: ManagedProcess;
  alertmanager: ManagedProcess;
  stop(): Promise<void>;
}

export interface NativeBinaries {
  prometheus: string;
  alertmanager: string;
}

/** The Prometheus and Alertmanager binaries, or a reason to skip. */
export function nativeBinaries(): NativeBinaries | string {
  const prometheus = findBinary('prometheus');
  const alertmanager = findBinary('prometheus-alertmanager', 'alertmanager');
  if (!prometheus || !alertmanager) {
    return `skipped: needs 'prometheus' and 'alertmanager' (or Debian's 'prometheus-alertmanager') on PATH; found ${
      prometheus ?? 'no prometheus'
    }, ${alertmanager ?? 'no alertmanager'}`;
  }
  return { prometheus, alertmanager };
}

/** Starts Alertmanager, then Prometheus, both on loopback ports with temp data dirs, from our own configs. */
export async function startNativeStack(opts: {
  bins: NativeBinaries;
  analyzerTarget: string;
  webhook: WebhookRecorder;
  interval?: string;
  /**
   * Sends a receiver's webhooks somewhere other than the recorder (e.g. the `analyzer` receiver to the real
   * analyzer's /api/alerts); receivers it returns undefined for go to the recorder.
   */
  receiverUrl?: (receiver: string) => string | undefined;
}): Promise<NativeStack> {
  const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-native-'));
  const started: ManagedProcess[] = [];
  const cleanup = async (): Promise<void> => {
    for (const p of started.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const amPort = await freePort();
    const amConfig = join(dir, 'alertmanager.yml');
    const tokenFile = join(dir, 'api-token');
    writeFileSync(tokenFile, 'native-stack-test-token-0123456789\n');
    writeFileSync(
      amConfig,
      rewriteAlertmanagerConfig((r) => opts.receiverUrl?.(r) ?? opts.webhook.url(r), tokenFile),
    );
    const alertmanager = await startProcess({
      name: 'alertmanager',
      bin: opts.bins.alertmanager,
      args: [
        `--config.file=${amConfig}`,
        `--storage.path=${join(dir, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        // No gossip cluster: it would bind 0.0.0.0:9094.
        '--cluster.listen-address=',
      ],
      readyUrl: `http://127.0.0.1:${amPort}/-/ready`,
    });
    started.push(alertmanager);

    const promPort = await freePort();
    const promConfig = join(dir, 'prometheus.yml');
    writeFileSync(
      promConfig,
      rewritePrometheusConfig({
        analyzerTarget: opts.analyzerTarget,
        prometheusTarget: `127.0.0.1:${promPort}`,
        alertmanagerTarget: `127.0.0.1:${amPort}`,
        interval: opts.interval ?? '1s',
      }),
    );
    const prometheus = await startProcess({
      name: 'prometheus',
      bin: opts.bins.prometheus,
      args: [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${join(dir, 'prom-data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--web.enable-lifecycle',
      ],
      readyUrl: `http://127.0.0.1:${promPort}/-/ready`,
    });
    started.push(prometheus);
    return {
      prometheusUrl: `http://127.0.0.1:${promPort}`,
      alertmanagerUrl: `http://127.0.0.1:${amPort}`,
      prometheus,
      alertmanager,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Polls Prometheus until the target of `job` is up (bounded). */
export async function waitForTargetUp(prometheusUrl: string, job: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${prometheusUrl}/api/v1/targets?state=active`);
    const body = (await res.json()) as {
      data: { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> };
    };
    const t = body.data.activeTargets.find((x) => x.labels.job === job);
    if (t?.health === 'up') return;
    last = t ? `${t.health} ${t.lastError}` : 'not discovered';
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Prometheus target ${job} not up within ${timeoutMs} ms (last: ${last})`);
}

export const ANALYZER_SERVE = join(REPO_ROOT, 'analyzer/src/cli/serve.ts');

export interface NativeAnalyzer {
  process: ManagedProcess;
  port: number;
  /** http://127.0.0.1:port */
  url: string;
}

/**
 * The real analyzer service (analyzer/src/cli/serve.ts under tsx) on a loopback port, following `glob`,
 * checkpoints in `stateDir`. CRUMBTRAIL_* is dropped from its environment, so it runs without the
 * Elasticsearch sink and a developer's own settings cannot leak in.
 */
export async function startAnalyzer(opts: {
  glob: string;
  stateDir: string;
  timeoutMs?: number;
}): Promise<NativeAnalyzer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRUMBTRAIL_')) env[k] = v;
  const proc = await startProcess({
    name: 'analyzer',
    bin: process.execPath,
    args: [
      '--import',
      'tsx',
      ANALYZER_SERVE,
      '--glob',
      opts.glob,
      '--state-dir',
      opts.stateDir,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ],
    readyUrl: `http://127.0.0.1:${port}/readyz`,
    timeoutMs: opts.timeoutMs ?? 30_000,
    env,
    cwd: REPO_ROOT,
  });
  return { process: proc, port, url: `http://127.0.0.1:${port}` };
}

/**
 * Polls Prometheus until `query` has at least `samples` samples over the last minute (bounded): increase()
 * needs two samples before a step to see it, so a drill written earlier would never fire.
 */
export async function waitForSamples(
  prometheusUrl: string,
  metric: string,
  samples: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const q = encodeURIComponent(`count_over_time(${metric}[1m])`);
  let last = 'no answer';
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    try {
      const res = await fetch(`${prometheusUrl}/api/v1/query?query=${q}`, {
        signal: AbortSignal.timeout(2000),
      });
      const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      const n = Number(body.data?.result?.[0]?.value[1] ?? 0);
      if (n >= samples) return;
      last = `${n} samples`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `Prometheus has not scraped ${metric} ${samples} times within ${timeoutMs} ms (last: ${last})`,
  );
}

/** Metric families the analyzer exports (the kit's fixed list), plus Prometheus' own `up`. */
export const KNOWN_METRICS = new Set([
  'crumbtrail_log_lines_total',
  'crumbtrail_error_events_total',
  'crumbtrail_critical_events_total',
  'crumbtrail_errors_per_minute',
  'crumbtrail_breadcrumbs_total',
  'crumbtrail_incidents_total',
  'crumbtrail_incident_lead_time_seconds',
  'crumbtrail_unparsed_lines_total',
  'crumbtrail_stage_events_in_total',
  'crumbtrail_stage_events_out_total',
  'crumbtrail_stage_errors_total',
  'crumbtrail_stage_duration_seconds',
  'crumbtrail_stage_duration_seconds_total',
  'crumbtrail_tail_lag_bytes',
  'crumbtrail_last_event_timestamp_seconds',
  'crumbtrail_label_cap',
  'crumbtrail_ready',
  'crumbtrail_files_watched',
  'crumbtrail_es_docs_acked_total',
  'crumbtrail_es_retries_total',
  'crumbtrail_es_dead_letter_total',
  'crumbtrail_es_queue_events',
  'crumbtrail_es_batch_duration_seconds',
  'crumbtrail_es_up',
  'crumbtrail_redactions_total',
  'crumbtrail_anomalies_total',
  'crumbtrail_anomaly_severity',
]);

/** crumbtrail_* metric names in a PromQL expression (recording-rule names use ':' and are not matched). */
export function unknownMetrics(expr: string): string[] {
  const names = expr.match(/\bcrumbtrail_[a-z_]+\b/g) ?? [];
  return names.filter(
    (n) => !KNOWN_METRICS.has(n.replace(/_(bucket|sum|count)$/, '')) && !KNOWN_METRICS.has(n),
  );
}
