// One pass over every service's health endpoint (no waiting): what the smoke suite checks first.
import type { ProvisionConfig } from './config.ts';
import { createEsClient, esCall } from './es-client.ts';
import { ServiceHttp } from './http.ts';
import { kibanaReadiness } from './kibana.ts';

export interface ServiceHealth {
  service: string;
  ok: boolean;
  detail: string;
}

export async function checkHealth(
  config: ProvisionConfig,
  extra: { analyzerUrl: string; alertmanagerUrl: string },
): Promise<ServiceHealth[]> {
  const none = { kind: 'none' } as const;
  const http = (name: string, url: string, variable: string) =>
    new ServiceHttp(name, { url, auth: none }, variable);
  const checks: [string, () => Promise<{ ok: boolean; detail: string }>][] = [
    [
      'elasticsearch',
      async () => {
        const es = createEsClient(config.es, 10_000);
        try {
          const h = await esCall(config.es, 'GET _cluster/health', () => es.cluster.health());
          return { ok: h.status !== 'red', detail: `status ${h.status}` };
        } finally {
          await es.close();
        }
      },
    ],
    [
      'kibana',
      async () => {
        // Same rule as provisioning: core, alerting and actions available; other plugins may be degraded.
        const r = await new ServiceHttp('Kibana', config.kibana, 'KIBANA_URL').get('/api/status', {
          expect: [503],
        });
        const p = kibanaReadiness(r.body as Parameters<typeof kibanaReadiness>[0], r.status);
        return { ok: p.ready, detail: p.detail };
      },
    ],
    [
      'grafana',
      async () => {
        const r = await http('Grafana', config.grafana.url, 'GRAFANA_URL').get('/api/health', {
          expect: [503],
        });
        const db = (r.body as { database?: string } | null)?.database;
        return { ok: db === 'ok', detail: `database ${db ?? r.status}` };
      },
    ],
    [
      'prometheus',
      async () => {
        const r = await http('Prometheus', config.prometheus.url, 'PROMETHEUS_URL').get('/-/ready', {
          expect: [503],
        });
        return { ok: r.status === 200, detail: `HTTP ${r.status}` };
      },
    ],
    [
      'alertmanager',
      async () => {
        const r = await http('Alertmanager', extra.alertmanagerUrl, 'ALERTMANAGER_URL').get('/-/ready', {
          expect: [503],
        });
        return { ok: r.status === 200, detail: `HTTP ${r.status}` };
      },
    ],
    [
      'analyzer',
      async () => {
        const r = await http('analyzer', extra.analyzerUrl, 'ANALYZER_URL').get('/readyz', { expect: [503] });
        return { ok: r.status === 200, detail: `HTTP ${r.status}` };
      },
    ],
  ];
  const out: ServiceHealth[] = [];
  for (const [service, check] of checks) {
    try {
      out.push({ service, ...(await check()) });
    } catch (err) {
      out.push({ service, ok: false, detail: (err as Error).message });
    }
  }
  return out;
}

export function smokeUrls(env: Readonly<Record<string, string | undefined>>): {
  analyzerUrl: string;
  alertmanagerUrl: string;
} {
  return {
    analyzerUrl: env.ANALYZER_URL ?? `http://localhost:${env.ANALYZER_PORT ?? 9464}`,
    alertmanagerUrl: env.ALERTMANAGER_URL ?? `http://localhost:${env.ALERTMANAGER_PORT ?? 9093}`,
  };
}
