// The provisioning run: each selected service in order (ES first: its licence decides Kibana's webhook
// connector and the watches), one clear line per object, a summary, and the exit code.
import type { Client } from '@elastic/elasticsearch';
import { describeAuth, type ProvisionConfig, secretValues } from './config.ts';
import { provisionElasticsearch, waitForElasticsearch } from './elasticsearch.ts';
import { ProvisionError } from './errors.ts';
import { createEsClient } from './es-client.ts';
import { grafanaHttp, provisionGrafana, waitForGrafana } from './grafana.ts';
import { kibanaHttp, provisionKibana, waitForKibana } from './kibana.ts';
import { type License, readLicense } from './license.ts';
import { prometheusHttp, provisionPrometheus, waitForPrometheus } from './prometheus.ts';
import type { StepContext } from './reconcile.ts';
import { Reporter } from './report.ts';
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
    if (on('es')) {
      await step('elasticsearch', async () => {
        const version = await waitForElasticsearch(ctx, client!, config.es);
        license = await readLicense(client!, config.es);
        print(`elasticsearch ${version}, licence ${license.type} (${license.status})`);
        await provisionElasticsearch(ctx, client!, config.es, config.retentionDays);
        await provisionWatches(ctx, client!, config.es, license, config.repoRoot);
      });
    }
    if (on('kibana')) {
      await step('kibana', async () => {
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
        const http = kibanaHttp(config.kibana);
        await waitForKibana(ctx, http);
        await provisionKibana(ctx, http, { repoRoot: config.repoRoot, license, env: config.env });
      });
    }
    if (on('grafana')) {
      await step('grafana', async () => {
        const http = grafanaHttp(config.grafana);
        await waitForGrafana(ctx, http);
        await provisionGrafana(ctx, http, config.repoRoot, config.env);
      });
    }
    if (on('prometheus')) {
      await step('prometheus', async () => {
        const http = prometheusHttp(config.prometheus);
        await waitForPrometheus(ctx, http);
        await provisionPrometheus(ctx, http);
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
