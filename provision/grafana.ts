// Grafana: folder `crumbtrail`, datasources (only when absent or API-owned), dashboards from grafana/dashboards/*.json
// pushed by uid with overwrite. A file-provisioned datasource is read-only: it is reported, never touched.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonAwareDifferences, omitKeys } from './compare.ts';
import type { Target } from './config.ts';
import { ProvisionError } from './errors.ts';
import { ServiceHttp } from './http.ts';
import { reconcile, type StepContext } from './reconcile.ts';
import { waitForHealthy, waitOptions } from './wait.ts';

const SERVICE = 'grafana';
export const FOLDER_UID = 'crumbtrail';
export const FOLDER_TITLE = 'crumbtrail';

export interface DatasourceSpec {
  uid: string;
  name: string;
  type: string;
  access: 'proxy';
  url: string;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
  basicAuth?: boolean;
  basicAuthUser?: string;
  secureJsonData?: Record<string, string>;
}

/** Datasources as seen from inside the Grafana container; override the URLs for an external Grafana. */
export function datasources(env: Readonly<Record<string, string | undefined>>): DatasourceSpec[] {
  const esUser = env.GRAFANA_ES_USERNAME;
  const esPassword = env.GRAFANA_ES_PASSWORD;
  return [
    {
      uid: 'crumbtrail-prometheus',
      name: 'crumbtrail Prometheus',
      type: 'prometheus',
      access: 'proxy',
      url: env.GRAFANA_PROMETHEUS_URL ?? 'http://prometheus:9090',
      isDefault: true,
      jsonData: { httpMethod: 'POST', timeInterval: '15s' },
    },
    {
      uid: 'crumbtrail-elasticsearch',
      name: 'crumbtrail Elasticsearch',
      type: 'elasticsearch',
      access: 'proxy',
      url: env.GRAFANA_ES_URL ?? 'http://elasticsearch:9200',
      isDefault: false,
      jsonData: {
        index: 'logs-crumbtrail.*',
        timeField: '@timestamp',
        logLevelField: 'log.level',
        logMessageField: 'message',
      },
      ...(esUser && esPassword
        ? { basicAuth: true, basicAuthUser: esUser, secureJsonData: { basicAuthPassword: esPassword } }
        : {}),
    },
  ];
}

export function grafanaHttp(target: Target): ServiceHttp {
  return new ServiceHttp('Grafana', target, 'GRAFANA_URL');
}

export async function waitForGrafana(ctx: StepContext, http: ServiceHttp): Promise<string> {
  const detail = await waitForHealthy(
    `Grafana at ${http.target.url}`,
    async () => {
      const res = await http.get('/api/health', { expect: [503] });
      const body = res.body as { database?: string; version?: string } | null;
      return {
        ready: body?.database === 'ok',
        detail: `database ${body?.database ?? res.status}, version ${body?.version ?? '?'}`,
      };
    },
    waitOptions(ctx),
  );
  // Health needs no credentials; check them now so a bad password is reported before any write.
  await http.get(`/api/folders/${FOLDER_UID}`, { expect: [404] });
  return detail;
}

export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  json: Record<string, unknown>;
}

export function loadDashboards(repoRoot: string): Dashboard[] {
  const dir = join(repoRoot, 'grafana', 'dashboards');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
      } catch (err) {
        throw new ProvisionError(`grafana/dashboards/${file}: not JSON (${(err as Error).message})`, true);
      }
      // Accept both a bare dashboard and an export wrapped as {dashboard: …}.
      if (typeof json.dashboard === 'object' && json.dashboard !== null)
        json = json.dashboard as Record<string, unknown>;
      if (typeof json.uid !== 'string' || json.uid === '') {
        throw new ProvisionError(
          `grafana/dashboards/${file}: needs a fixed "uid" so re-runs overwrite instead of duplicating`,
          true,
        );
      }
      return { file, uid: json.uid, title: String(json.title ?? json.uid), json };
    });
}

/** Fields Grafana owns on a stored dashboard. */
const SERVER_DASHBOARD_KEYS = ['id', 'version'];

export async function provisionGrafana(
  ctx: StepContext,
  http: ServiceHttp,
  repoRoot: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  await reconcile(ctx, {
    service: SERVICE,
    kind: 'folder',
    id: FOLDER_UID,
    desired: { uid: FOLDER_UID, title: FOLDER_TITLE },
    read: async () => {
      const res = await http.get(`/api/folders/${FOLDER_UID}`, { expect: [404] });
      return res.status === 404 ? undefined : res.body;
    },
    write: async (exists, actual) => {
      if (exists) {
        const version = (actual as { version?: number }).version;
        await http.request('PUT', `/api/folders/${FOLDER_UID}`, {
          body: { title: FOLDER_TITLE, version, overwrite: true },
        });
      } else await http.request('POST', '/api/folders', { body: { uid: FOLDER_UID, title: FOLDER_TITLE } });
    },
  });

  for (const ds of datasources(env)) {
    const res = await http.get(`/api/datasources/uid/${ds.uid}`, { expect: [404] });
    const actual = res.status === 404 ? undefined : (res.body as Record<string, unknown>);
    if (actual?.readOnly === true) {
      ctx.report.record({
        service: SERVICE,
        kind: 'datasource',
        id: ds.uid,
        outcome: 'managed-elsewhere',
        detail: 'managed by file provisioning, unchanged',
      });
      continue;
    }
    // Secrets are write-only: never compared, never printed.
    const { secureJsonData: _secrets, ...comparable } = ds;
    await reconcile(ctx, {
      service: SERVICE,
      kind: 'datasource',
      id: ds.uid,
      desired: comparable,
      read: async () => actual,
      write: async (exists) => {
        if (exists) await http.request('PUT', `/api/datasources/uid/${ds.uid}`, { body: ds });
        else await http.request('POST', '/api/datasources', { body: ds });
      },
    });
  }

  const dashboards = loadDashboards(repoRoot);
  if (dashboards.length === 0)
    ctx.report.note('grafana       no dashboards in grafana/dashboards/*.json: nothing to push');
  for (const d of dashboards) {
    const desired = omitKeys(d.json, SERVER_DASHBOARD_KEYS);
    const res = await http.get(`/api/dashboards/uid/${d.uid}`, { expect: [404] });
    const actual =
      res.status === 404 ? undefined : (res.body as { dashboard?: unknown; meta?: Record<string, unknown> });
    if (actual?.meta?.provisioned === true) {
      ctx.report.record({
        service: SERVICE,
        kind: 'dashboard',
        id: d.uid,
        outcome: 'managed-elsewhere',
        detail: 'provisioned from a file on the Grafana host: remove that provider to let the API own it',
      });
      continue;
    }
    await reconcile(ctx, {
      service: SERVICE,
      kind: 'dashboard',
      id: d.uid,
      desired: { dashboard: desired, folderUid: FOLDER_UID },
      read: async () =>
        actual ? { dashboard: actual.dashboard, folderUid: actual.meta?.folderUid } : undefined,
      compare: (want, got) => jsonAwareDifferences(want, got),
      write: async () => {
        await http.request('POST', '/api/dashboards/db', {
          body: {
            dashboard: { ...desired, id: null },
            folderUid: FOLDER_UID,
            overwrite: true,
            message: 'crumbtrail provision',
          },
        });
      },
    });
  }
}
