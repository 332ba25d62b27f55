// The provisioning run: every selected service waited for at once, then each provisioned in order (ES first: its licence decides Kibana's webhook
// connector and the watches), one clear line per object, a summary, and the exit code.
import type { Client } from '@elastic/elasticsearch';
import { describeAuth, type ProvisionConfig, secretValues, type Target } from './config.ts';
import { provisionElasticsearch, waitForElasticsearch } from './elasticsearch.ts';
import { ProvisionError, UnreachableError } from './errors.ts';
import { createEsClient } from './es-client.ts';
import { grafanaHttp, provisionGrafana, waitForGrafana } from './grafana.ts';
import { kibanaHttp, provisionKibana, waitForKibana } from './kibana.ts';
import { type License, readLicense } from './license.ts';
import { prometheusHttp, provisionPrometheus, waitForPrometheus } from './prometheus.ts';
import type { StepContext } from './reconcile.ts';
import { Reporter } from './report.ts';
import { WaitBoard } from './wait.ts';
import { provisionWatches } from './watchers.ts';

export interface RunResult {
  exitCode: number;
  report: Reporter;
}

/** Replace every known secret in a line by ***: a server error must never echo a password to the log. */
export function scrubber(secrets: readonly string[]): (line: string) => string {
  const sorted = [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (line) => sorted.reduce((acc, s) => acc.split(s).join('***'), line);
}

export async function runProvision(
  config: ProvisionConfig,
  write: (line: string) => void,
): Promise<RunResult> {
  const scrub = scrubber(secretValues(config));
  const print = (line: string) => write(scrub(line));
  const report = new Reporter(config.dryRun, print);
  const ctx: StepContext = { dryRun: config.dryRun, report, print, timeoutMs: config.timeoutMs };
  const on = (s: 'es' | 'kibana' | 'grafana' | 'prometheus') => config.only.has(s);

  print(
    `provision${config.dryRun ? ' --dry-run (reads only, no writes)' : ''}: ${[...config.only].join(', ')}\n` +
      `  elasticsearch ${config.es.url} as ${describeAuth(config.es.auth)}\n` +
      `  kibana        ${config.kibana.url} as ${describeAuth(config.kibana.auth)}\n` +
      `  grafana       ${config.grafana.url} as ${describeAuth(config.grafana.auth)}\n` +
      `  prometheus    ${config.prometheus.url}`,
  );

  let failed = 0;
  const step = async (service: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      failed++;
      const message = err instanceof Error ? err.message : String(err);
      report.record({ service, kind: 'error', id: '-', outcome: 'failed', detail: message });
      if (!(err instanceof ProvisionError))
        print(scrub(err instanceof Error ? (err.stack ?? message) : message));
    }
  };

  let client: Client | undefined;
  let license: License | undefined;
  try {
    if (on('es') || on('kibana')) client = createEsClient(config.es);
    const kibana = kibanaHttp(config.kibana);
    const grafana = grafanaHttp(config.grafana);
    const prometheus = prometheusHttp(config.prometheus);
    // Every selected service is waited for at once, on one progress line; provisioning then goes in order.
    ctx.board = new WaitBoard(print, config.timeoutMs);
    const waits: Array<[string, Target, string, Promise<string>]> = [];
    const wait = (service: string, target: Target, urlVar: string, p: () => Promise<string>) => {
      const promise = p();
      promise.catch(() => {}); // handled when the step awaits it
      waits.push([service, target, urlVar, promise]);
      return promise;
    };
    const esReady = on('es')
      ? wait('elasticsearch', config.es, 'ES_URL', () => waitForElasticsearch(ctx, client!, config.es))
      : undefined;
    const kibanaReady = on('kibana')
      ? wait('kibana', config.kibana, 'KIBANA_URL', () => waitForKibana(ctx, kibana))
      : undefined;
    const grafanaReady = on('grafana')
      ? wait('grafana', config.grafana, 'GRAFANA_URL', () => waitForGrafana(ctx, grafana))
      : undefined;
    const prometheusReady = on('prometheus')
      ? wait('prometheus', config.prometheus, 'PROMETHEUS_URL', () => waitForPrometheus(ctx, prometheus))
      : undefined;
    const settled = await Promise.allSettled(waits.map((w) => w[3]));
    ctx.board.done();
    // Nothing answers anywhere: the stack is not running. One message, not one failure per service.
    if (settled.every((r) => r.status === 'rejected' && r.reason instanceof UnreachableError)) {
      print(
        `provision: nothing answers at ${waits.map(([s, t, v]) => `${s} ${t.url} (${v})`).join(', ')}. ` +
          'Start the stack first (docker compose up -d --wait), or point those variables at a running one.',
      );
      return { exitCode: 1, report };
    }
    if (esReady) {
      await step('elasticsearch', async () => {
        const version = await esReady;
        license = await readLicense(client!, config.es);
        print(`elasticsearch ${version}, licence ${license.type} (${license.status})`);
        await provisionElasticsearch(ctx, client!, config.es, config.retentionDays);
        await provisionWatches(ctx, client!, config.es, license, config.repoRoot);
      });
    }
    if (kibanaReady) {
      await step('kibana', async () => {
        await kibanaReady;
        if (!license) {
          try {
            license = await readLicense(client!, config.es);
          } catch (err) {
            license = { type: 'basic', status: 'unknown' };
            print(
              `kibana: could not read the licence from Elasticsearch (${(err as Error).message}); assuming basic`,
            );
          }
        }
        await provisionKibana(ctx, kibana, { repoRoot: config.repoRoot, license, env: config.env });
      });
    }
    if (grafanaReady) {
      await step('grafana', async () => {
        await grafanaReady;
        await provisionGrafana(ctx, grafana, config.repoRoot, config.env);
      });
    }
    if (prometheusReady) {
      await step('prometheus', async () => {
        await prometheusReady;
        await provisionPrometheus(ctx, prometheus);
      });
    }
  } finally {
    await client?.close();
  }

  print(report.summary());
  const exitCode = failed > 0 || report.failures > 0 ? 1 : 0;
  if (exitCode !== 0) print(`provision: FAILED (${report.failures} errors above)`);
  return { exitCode, report };
}
