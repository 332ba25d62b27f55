// The incident drill against what is real without Docker: the analyzer service with Debian's Prometheus and
// Alertmanager binaries (test/helpers/native-stack.ts runs them from the repo's own configs on loopback).
// Same scripted incident and drill id as the live drill (provision/drill.ts), same hop polling and hop table;
// only the injection (a file append) and the hops differ: there is no Elasticsearch, Kibana or Grafana here.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReceivedAlert } from '../analyzer/src/service/alerts.ts';
import type { BreadcrumbView, IncidentView } from '../analyzer/src/service/recent.ts';
import {
  ANALYZER_SERVE,
  type ManagedProcess,
  type NativeAnalyzer,
  type NativeBinaries,
  type NativeStack,
  nativeBinaries,
  startAnalyzer,
  startNativeStack,
  WebhookRecorder,
  waitForSamples,
  waitForTargetUp,
} from '../test/helpers/native-stack.ts';
import { drillLines, type Hop, type HopResult, hopLine, newDrillId, runHops } from './drill.ts';
import { reportHops } from './smoke.ts';

/** Alerts the drill's lines must raise: a CRITICAL line pages, a final failure opens an incident. */
export const DRILL_ALERTS = ['CrumbtrailCriticalBreadcrumbs', 'CrumbtrailIncidentOpened'] as const;

/** Number of hops the native drill checks (the test asserts all of them ran). */
export const NATIVE_HOP_COUNT = 6;

export interface NativeDrillOptions {
  print: (line: string) => void;
  /** Deadline for all hops together, measured from the moment the lines were written. */
  hopTimeoutMs?: number;
  /**
   * Deadline for the negative check (an ERROR line pages nobody) to see the ERROR scraped and evaluated; its own,
   * so a test that shortens the hop deadline to provoke a failing hop does not fail this check instead.
   */
  quietTimeoutMs?: number;
  bins?: NativeBinaries;
  /**
   * Where the drill lines go. Default: a new `<drill id>.log` in the directory the analyzer follows, as the
   * live drill writes a new file on the app-log volume. Tests point it elsewhere to prove a broken hop is named.
   */
  inject?: (followedDir: string, drillId: string, lines: readonly string[]) => void;
}

export interface NativeDrillResult {
  ok: boolean;
  drillId: string;
  /** The negative check, run before the drill: an ERROR line among normal traffic pages nobody. */
  quiet: HopResult;
  hops: HopResult[];
  failed: HopResult | undefined;
  /** Captured output of every process the drill ran, by hop service name, taken before they stopped. */
  logs: Record<string, string>;
}

/** The stack could not be brought up: nothing was drilled. The message carries the processes' own output. */
export class NativeDrillSetupError extends Error {}

/** The binaries (and the analyzer source) the native drill needs, or why it cannot run here. */
export function nativeDrillAvailable(): NativeBinaries | string {
  const bins = nativeBinaries();
  if (typeof bins === 'string') return bins.replace(/^skipped: /, '');
  if (!existsSync(ANALYZER_SERVE)) return `${ANALYZER_SERVE} does not exist`;
  return bins;
}

function firstLine(bin: string): string {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: 'pipe' })
      .split('\n')[0]!
      .trim();
  } catch (err) {
    return `${bin} (version unknown: ${(err as Error).message.split('\n')[0]})`;
  }
}

/** Sum of every series of a counter in a Prometheus text exposition (0 when absent). */
export function counterSum(exposition: string, name: string): number {
  const re = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)`, 'gm');
  let sum = 0;
  for (const m of exposition.matchAll(re)) sum += Number(m[1]);
  return sum;
}

/** The incident whose breadcrumbs carry the drill id (in the message, or the file it came from). */
export function findDrillIncident(
  incidents: readonly IncidentView[],
  drillId: string,
): IncidentView | undefined {
  const mentions = (b: BreadcrumbView): boolean => b.message.includes(drillId) || b.source.includes(drillId);
  return incidents.find((i) => [i.firstSignal, i.failure, ...i.escalation].some(mentions));
}

interface AlertLike {
  labels: Record<string, string>;
  /** Prometheus says activeAt, Alertmanager and the webhook say startsAt. */
  at: string | undefined;
}

/**
 * The drill's alerts among `alerts`: the right name, from this analyzer instance, started after the lines were
 * written (1 s of slack for timestamp rounding). A fresh native stack has no older alerts, but the check
 * stays honest if one is reused.
 */
export function drillAlertNames(alerts: readonly AlertLike[], instance: string, writtenAt: number): string[] {
  const names = new Set<string>();
  for (const a of alerts) {
    const name = a.labels.alertname ?? '';
    if (!(DRILL_ALERTS as readonly string[]).includes(name)) continue;
    if (a.labels.instance !== instance) continue;
    if (!a.at || Date.parse(a.at) < writtenAt - 1000) continue;
    names.add(name);
  }
  return [...names].sort();
}

function allDrillAlerts(names: readonly string[]): boolean {
  return DRILL_ALERTS.every((n) => names.includes(n));
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
}

async function getText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.text();
}

interface Baseline {
  breadcrumbs: number;
  incidents: number;
}

/** The native drill's hops, in the order the incident travels. */
export function nativeHops(ctx: {
  drillId: string;
  lineCount: number;
  writtenAt: number;
  analyzer: NativeAnalyzer;
  stack: NativeStack;
  webhook: WebhookRecorder;
  baseline: Baseline;
}): Hop[] {
  const { drillId, writtenAt, analyzer, stack, webhook, baseline } = ctx;
  const instance = `127.0.0.1:${analyzer.port}`;
  const listed = (names: string[]): string => names.join(', ') || 'none';
  return [
    {
      hop: 'analyzer /api/incidents',
      service: 'analyzer',
      check: async () => {
        const body = await getJson<{ incidents: IncidentView[] }>(`${analyzer.url}/api/incidents`);
        const inc = findDrillIncident(body.incidents, drillId);
        return inc
          ? {
              ok: true,
              detail: `incident ${inc.id}: ${inc.breadcrumbCount} breadcrumbs, lead ${inc.leadTimeSeconds}s, failure "${inc.failure.message}"`,
            }
          : { ok: false, detail: `${body.incidents.length} incidents, none mentions ${drillId}` };
      },
    },
    {
      hop: 'analyzer /metrics counters',
      service: 'analyzer',
      check: async () => {
        const text = await getText(`${analyzer.url}/metrics`);
        const crumbs = counterSum(text, 'crumbtrail_breadcrumbs_total') - baseline.breadcrumbs;
        const incidents = counterSum(text, 'crumbtrail_incidents_total') - baseline.incidents;
        return {
          ok: crumbs >= 1 && incidents >= 1,
          detail: `breadcrumbs_total +${crumbs} (${ctx.lineCount} lines written), incidents_total +${incidents}`,
        };
      },
    },
    {
      hop: 'Prometheus alerts firing',
      service: 'prometheus',
      check: async () => {
        type PromAlert = { labels: Record<string, string>; state: string; activeAt?: string };
        const body = await getJson<{ data: { alerts: PromAlert[] } }>(`${stack.prometheusUrl}/api/v1/alerts`);
        const firing = body.data.alerts.filter((a) => a.state === 'firing');
        const names = drillAlertNames(
          firing.map((a) => ({ labels: a.labels, at: a.activeAt })),
          instance,
          writtenAt,
        );
        return { ok: allDrillAlerts(names), detail: `firing for the drill: ${listed(names)}` };
      },
    },
    {
      hop: 'Alertmanager received',
      service: 'alertmanager',
      check: async () => {
        type AmAlert = { labels: Record<string, string>; startsAt: string; receivers: { name: string }[] };
        const alerts = await getJson<AmAlert[]>(`${stack.alertmanagerUrl}/api/v2/alerts?active=true`);
        const names = drillAlertNames(
          alerts.map((a) => ({ labels: a.labels, at: a.startsAt })),
          instance,
          writtenAt,
        );
        const receivers = new Set(
          alerts
            .filter((a) => names.includes(a.labels.alertname ?? ''))
            .flatMap((a) => a.receivers.map((r) => r.name)),
        );
        return {
          ok: allDrillAlerts(names),
          detail: `active: ${listed(names)}; receivers ${[...receivers].sort().join(', ') || 'none'}`,
        };
      },
    },
    {
      hop: 'webhook receiver (paging)',
      service: 'alertmanager',
      check: async () => {
        const paged = webhook.deliveries.filter((d) => d.via === 'paging');
        const names = drillAlertNames(
          paged.flatMap((d) =>
            d.body.alerts
              .filter((a) => a.status === 'firing')
              .map((a) => ({ labels: a.labels, at: a.startsAt })),
          ),
          instance,
          writtenAt,
        );
        return {
          ok: allDrillAlerts(names),
          detail: `paged: ${listed(names)} (${webhook.deliveries.length} deliveries in all)`,
        };
      },
    },
    {
      hop: 'analyzer /api/alerts',
      service: 'alertmanager',
      check: async () => {
        const body = await getJson<{ total: number; alerts: ReceivedAlert[] }>(`${analyzer.url}/api/alerts`);
        const names = drillAlertNames(
          body.alerts
            .filter((a) => a.receiver === 'analyzer' && a.status === 'firing')
            .map((a) => ({ labels: a.labels, at: a.startsAt })),
          instance,
          writtenAt,
        );
        return {
          ok: allDrillAlerts(names),
          detail: `received via the analyzer receiver: ${listed(names)} (${body.total} alerts stored)`,
        };
      },
    },
  ];
}

/** Normal traffic with one ERROR line in it (0.5% errors: under the 1% budget, so no burn alert either). */
export function errorOnlyLines(drillId: string, now = new Date()): string[] {
  const ts = now.toISOString().replace('T', ' ').replace('Z', '');
  const info = Array.from(
    { length: 199 },
    (_, i) => `[${ts}] INFO - [exchange-gateway] order accepted n=${i} quiet_id=${drillId}`,
  );
  return [...info, `[${ts}] ERROR - [exchange-gateway] order rejected: stale quote quiet_id=${drillId}`];
}

type PromAlert = { labels: Record<string, string>; state: string; activeAt?: string };

/**
 * Writes an ERROR line (among INFO lines), waits for the STATE that decides the question — Prometheus has
 * scraped the ERROR into crumbtrail_error_events_total and evaluated every rule group after that sample —
 * then asserts that no critical alert is pending or firing and that nothing reached the paging webhook.
 */
export async function checkErrorDoesNotPage(ctx: {
  followed: string;
  drillId: string;
  analyzer: NativeAnalyzer;
  stack: NativeStack;
  webhook: WebhookRecorder;
  timeoutMs: number;
}): Promise<HopResult> {
  const { analyzer, stack, webhook } = ctx;
  const hop = 'an ERROR line pages nobody';
  const started = Date.now();
  const instance = `127.0.0.1:${analyzer.port}`;
  const result = (ok: boolean, detail: string): HopResult => ({
    hop,
    service: 'prometheus',
    ok,
    latencyMs: Date.now() - started,
    detail,
  });
  const errorsBefore = counterSum(await getText(`${analyzer.url}/metrics`), 'crumbtrail_error_events_total');
  appendFileSync(join(ctx.followed, 'app.log'), `${errorOnlyLines(ctx.drillId).join('\n')}\n`);
  const q = encodeURIComponent(
    `timestamp(crumbtrail_error_events_total{instance="${instance}"} > ${errorsBefore})`,
  );
  let sampledAt = 0;
  let evaluated = false;
  let last = 'not checked yet';
  for (let i = 0; i < Math.ceil(ctx.timeoutMs / 250) + 1 && Date.now() - started < ctx.timeoutMs; i++) {
    try {
      if (!sampledAt) {
        const body = await getJson<{ data: { result: Array<{ value: [number, string] }> } }>(
          `${stack.prometheusUrl}/api/v1/query?query=${q}`,
        );
        sampledAt = Number(body.data.result[0]?.value[1] ?? 0) * 1000;
        last = `crumbtrail_error_events_total not above ${errorsBefore} yet`;
      }
      if (sampledAt) {
        const rules = await getJson<{ data: { groups: Array<{ name: string; lastEvaluation?: string }> } }>(
          `${stack.prometheusUrl}/api/v1/rules`,
        );
        const stale = rules.data.groups.filter((g) => !(Date.parse(g.lastEvaluation ?? '') > sampledAt));
        evaluated = stale.length === 0;
        if (evaluated) break;
        last = `rule groups not evaluated since the ERROR was scraped: ${stale.map((g) => g.name).join(', ')}`;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!evaluated) return result(false, `could not see the ERROR evaluated: ${last}`);
  const alerts = await getJson<{ data: { alerts: PromAlert[] } }>(`${stack.prometheusUrl}/api/v1/alerts`);
  const critical = alerts.data.alerts
    .filter((a) => a.labels.severity === 'critical' && (a.state === 'firing' || a.state === 'pending'))
    .map((a) => `${a.labels.alertname} (${a.state})`);
  const paged = webhook.deliveries
    .filter((d) => d.via === 'paging')
    .flatMap((d) => d.body.alerts.map((a) => a.labels.alertname ?? '?'));
  if (critical.length > 0 || paged.length > 0) {
    return result(
      false,
      `an ERROR line paged: critical alerts ${critical.join(', ') || 'none'}; paging deliveries ${paged.join(', ') || 'none'}`,
    );
  }
  return result(true, 'ERROR counted and every rule group evaluated after it: no critical alert, no page');
}

function appendToFollowedDir(dir: string, drillId: string, lines: readonly string[]): void {
  appendFileSync(join(dir, `${drillId}.log`), `${lines.join('\n')}\n`);
}

/**
 * Brings up analyzer + Prometheus + Alertmanager + webhook recorder, writes the drill, follows it through
 * every hop, prints the hop table (and, for a failed hop, the output of the process that explains it), and
 * tears everything down. Throws NativeDrillSetupError when the stack cannot be brought up.
 */
export async function runNativeDrill(opts: NativeDrillOptions): Promise<NativeDrillResult> {
  const { print } = opts;
  const bins = opts.bins ?? nativeDrillAvailable();
  if (typeof bins === 'string') throw new NativeDrillSetupError(bins);
  const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-native-drill-'));
  const followed = join(dir, 'app-logs');
  mkdirSync(followed);
  // The live stack's volume is never empty either; the analyzer also starts on an existing file.
  appendFileSync(join(followed, 'app.log'), '[2026-01-01 00:00:00.000] INFO - [exchange-gateway] warm-up\n');
  const webhook = new WebhookRecorder();
  let analyzer: NativeAnalyzer | null = null;
  let stack: NativeStack | null = null;
  const processes = (): ManagedProcess[] =>
    [analyzer?.process, stack?.prometheus, stack?.alertmanager].filter((p): p is ManagedProcess => !!p);
  const logs = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const p of processes()) out[p.name] = p.output();
    const deliveries = webhook.deliveries.map(
      (d) =>
        `${new Date(d.receivedAt).toISOString()} ${d.via} ${d.body.status} ${d.body.alerts.map((a) => a.labels.alertname).join('+')}`,
    );
    out.alertmanager = `${out.alertmanager ?? ''}\n--- webhook receiver deliveries ---\n${deliveries.join('\n') || 'none'}`;
    return out;
  };
  try {
    const t0 = Date.now();
    try {
      await webhook.start();
      analyzer = await startAnalyzer({ glob: join(followed, '*.log'), stateDir: join(dir, 'state') });
      const analyzerUrl = analyzer.url;
      stack = await startNativeStack({
        bins,
        analyzerTarget: `127.0.0.1:${analyzer.port}`,
        webhook,
        // Alertmanager's default receiver posts to the analyzer, as in compose; paging and chat to the recorder.
        receiverUrl: (r) => (r === 'analyzer' ? `${analyzerUrl}/api/alerts` : undefined),
      });
      await waitForTargetUp(stack.prometheusUrl, 'crumbtrail-analyzer', 30_000);
      // increase() needs samples before the step; the drill written earlier would never fire.
      await waitForSamples(stack.prometheusUrl, 'crumbtrail_critical_events_total', 2, 30_000);
      await waitForSamples(stack.prometheusUrl, 'crumbtrail_error_events_total', 2, 30_000);
      await waitForSamples(stack.prometheusUrl, 'crumbtrail_incidents_total', 2, 30_000);
    } catch (err) {
      const out = Object.entries(logs())
        .map(([name, text]) => `--- ${name} output ---\n${text}`)
        .join('\n');
      throw new NativeDrillSetupError(`native drill: setup failed: ${(err as Error).message}\n${out}`);
    }
    print(`native drill: ${firstLine(bins.prometheus)}; ${firstLine(bins.alertmanager)}`);
    print(
      `native drill: analyzer ${analyzer.url}, Prometheus ${stack.prometheusUrl}, Alertmanager ${stack.alertmanagerUrl}, up in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
    );

    const drillId = newDrillId();
    const quiet = await checkErrorDoesNotPage({
      followed,
      drillId,
      analyzer,
      stack,
      webhook,
      timeoutMs: opts.quietTimeoutMs ?? 60_000,
    });
    print(hopLine(quiet));
    if (!quiet.ok) {
      const captured = logs();
      await reportHops([quiet], print, async (service) => ({
        title: `${service} output (native drill)`,
        text: captured[service] ?? `no process named ${service}`,
      }));
      return { ok: false, drillId, quiet, hops: [], failed: quiet, logs: captured };
    }

    const metrics = await getText(`${analyzer.url}/metrics`);
    const baseline: Baseline = {
      breadcrumbs: counterSum(metrics, 'crumbtrail_breadcrumbs_total'),
      incidents: counterSum(metrics, 'crumbtrail_incidents_total'),
    };
    const lines = drillLines(drillId);
    print(`drill ${drillId}: appending ${lines.length} lines to ${followed}/${drillId}.log`);
    (opts.inject ?? appendToFollowedDir)(followed, drillId, lines);
    const writtenAt = Date.now();
    const hops = await runHops(
      nativeHops({ drillId, lineCount: lines.length, writtenAt, analyzer, stack, webhook, baseline }),
      { started: writtenAt, timeoutMs: opts.hopTimeoutMs ?? 90_000, intervalMs: 250 },
      print,
    );
    const captured = logs();
    const failed = await reportHops(hops, print, async (service) => ({
      title: `${service} output (native drill)`,
      text: captured[service] ?? `no process named ${service}`,
    }));
    return { ok: !failed, drillId, quiet, hops, failed, logs: captured };
  } finally {
    await stack?.stop();
    await analyzer?.process.stop();
    await webhook.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
