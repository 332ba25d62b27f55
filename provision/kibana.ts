// Kibana: data views, saved objects (imported with overwrite), connectors, alerting rules — fixed ids throughout,
// so a re-run updates in place. The .webhook connector is only created when the licence allows it.
import { jsonAwareDifferences } from './compare.ts';
import type { Target } from './config.ts';
import { ProvisionError } from './errors.ts';
import { ServiceHttp } from './http.ts';
import {
  type ConnectorFile,
  DATA_VIEWS,
  loadConnectors,
  loadRules,
  loadSavedObjects,
  type RuleFile,
  substituteEnv,
} from './kibana-files.ts';
import { type License, licenseAllows } from './license.ts';
import { reconcile, type StepContext } from './reconcile.ts';
import { type Probe, waitForHealthy, waitOptions } from './wait.ts';

const SERVICE = 'kibana';

export function kibanaHttp(target: Target): ServiceHttp {
  // kbn-xsrf is required on every write; harmless on reads.
  return new ServiceHttp('Kibana', target, 'KIBANA_URL', { 'kbn-xsrf': 'crumbtrail-provision' });
}

/** What provisioning needs from Kibana: its core services and the plugins that hold rules and connectors. */
export const KIBANA_NEEDED = {
  core: ['elasticsearch', 'savedObjects'],
  plugins: ['alerting', 'actions'],
} as const;

interface KibanaStatusBody {
  status?: {
    overall?: { level?: string };
    core?: Record<string, { level?: string }>;
    plugins?: Record<string, { level?: string }>;
  };
  version?: { number?: string };
}

/**
 * Ready when core (elasticsearch, savedObjects) and the alerting and actions plugins are `available`, whatever
 * the plugin-inclusive overall level says: plugins provisioning does not use do sit at `degraded` (a missing
 * optional integration, a task that has not run yet), and waiting for them would block Filebeat and the
 * analyzer for nothing. An answer without the detail (an unauthenticated, redacted one) falls back to overall.
 */
export function kibanaReadiness(body: KibanaStatusBody | null, httpStatus: number): Probe {
  const status = body?.status;
  const overall = status?.overall?.level ?? `HTTP ${httpStatus}`;
  const version = body?.version?.number ?? '?';
  if (!status?.core || !status.plugins) {
    return { ready: overall === 'available', detail: `status ${overall}, version ${version}` };
  }
  const needed: Array<[string, string]> = [
    ...KIBANA_NEEDED.core.map((n): [string, string] => [n, status.core?.[n]?.level ?? 'absent']),
    ...KIBANA_NEEDED.plugins.map((n): [string, string] => [n, status.plugins?.[n]?.level ?? 'absent']),
  ];
  const notReady = needed.filter(([, level]) => level !== 'available');
  const neededNames = new Set<string>(KIBANA_NEEDED.plugins);
  const degradedOthers = Object.entries(status.plugins)
    .filter(([n, s]) => !neededNames.has(n) && s.level !== 'available')
    .map(([n, s]) => `${n} ${s.level}`);
  const detail =
    notReady.length > 0
      ? `status ${overall}: ${notReady.map(([n, l]) => `${n} ${l}`).join(', ')}`
      : `status ${overall}, core, alerting and actions available${
          degradedOthers.length > 0 ? ` (not needed here: ${degradedOthers.join(', ')})` : ''
        }, version ${version}`;
  return { ready: notReady.length === 0, detail };
}

export async function waitForKibana(ctx: StepContext, http: ServiceHttp): Promise<string> {
  return waitForHealthy(
    `Kibana at ${http.target.url}`,
    async () => {
      // Authenticated: the unauthenticated answer is redacted to the overall level.
      const res = await http.get('/api/status', { expect: [503] });
      return kibanaReadiness(res.body as KibanaStatusBody | null, res.status);
    },
    waitOptions(ctx),
  );
}

async function readOrAbsent(http: ServiceHttp, path: string): Promise<unknown> {
  const res = await http.get(path, { expect: [404] });
  return res.status === 404 ? undefined : res.body;
}

export interface KibanaOptions {
  repoRoot: string;
  license: License;
  env: Readonly<Record<string, string | undefined>>;
}

export async function provisionKibana(
  ctx: StepContext,
  http: ServiceHttp,
  opts: KibanaOptions,
): Promise<void> {
  await provisionDataViews(ctx, http);
  await provisionSavedObjects(ctx, http, opts.repoRoot);
  const available = await provisionConnectors(ctx, http, opts);
  await provisionRules(ctx, http, opts.repoRoot, available);
}

async function provisionDataViews(ctx: StepContext, http: ServiceHttp): Promise<void> {
  for (const dv of DATA_VIEWS) {
    const { id, ...fields } = dv;
    await reconcile(ctx, {
      service: SERVICE,
      kind: 'data-view',
      id,
      desired: fields,
      read: async () =>
        ((await readOrAbsent(http, `/api/data_views/data_view/${id}`)) as { data_view?: unknown } | undefined)
          ?.data_view,
      write: async (exists) => {
        if (exists)
          await http.request('POST', `/api/data_views/data_view/${id}`, { body: { data_view: fields } });
        else
          await http.request('POST', '/api/data_views/data_view', {
            body: { data_view: dv, override: true },
          });
      },
    });
  }
}

async function provisionSavedObjects(ctx: StepContext, http: ServiceHttp, repoRoot: string): Promise<void> {
  for (const file of loadSavedObjects(repoRoot)) {
    // Compare each object; if any differs, import the whole file with overwrite (it keeps references consistent).
    const states: {
      id: string;
      type: string;
      outcome: 'created' | 'updated' | 'unchanged';
      diffs: string[];
    }[] = [];
    for (const o of file.objects) {
      const actual = (await readOrAbsent(http, `/api/saved_objects/${o.type}/${o.id}`)) as
        | { attributes?: unknown; references?: unknown }
        | undefined;
      if (!actual) states.push({ id: o.id, type: o.type, outcome: 'created', diffs: [] });
      else {
        const diffs = [
          ...jsonAwareDifferences(o.attributes, actual.attributes).map((d) => `attributes.${d}`),
          ...jsonAwareDifferences(o.references, actual.references).map((d) => `references${d}`),
        ];
        states.push({ id: o.id, type: o.type, outcome: diffs.length > 0 ? 'updated' : 'unchanged', diffs });
      }
    }
    if (states.some((s) => s.outcome !== 'unchanged') && !ctx.dryRun) {
      const form = new FormData();
      form.append('file', new Blob([file.ndjson], { type: 'application/ndjson' }), file.file);
      const res = await http.request('POST', '/api/saved_objects/_import?overwrite=true', { form });
      const body = res.body as { success?: boolean; errors?: unknown[] } | null;
      if (!body?.success) {
        throw new ProvisionError(
          `Kibana import of kibana/saved-objects/${file.file} failed: ${JSON.stringify(body?.errors ?? body).slice(0, 400)}`,
        );
      }
    }
    for (const s of states) {
      ctx.report.record({
        service: SERVICE,
        kind: s.type,
        id: s.id,
        outcome: s.outcome,
        detail: s.outcome === 'updated' ? `differs at ${s.diffs.join(', ')}` : `from ${file.file}`,
      });
    }
  }
}

/** Returns the ids of connectors that exist (or would) after this step, for wiring rule actions. */
async function provisionConnectors(
  ctx: StepContext,
  http: ServiceHttp,
  opts: KibanaOptions,
): Promise<Set<string>> {
  const available = new Set<string>();
  for (const file of loadConnectors(opts.repoRoot)) {
    if (!licenseAllows(opts.license, file.minimumLicense)) {
      ctx.report.record({
        service: SERVICE,
        kind: 'connector',
        id: file.id,
        outcome: 'skipped',
        detail: `${file.connector_type_id} needs a ${file.minimumLicense}+ licence, cluster has ${opts.license.type}; alerts reach people through Alertmanager instead`,
      });
      continue;
    }
    const missing = new Set<string>();
    const c: ConnectorFile = substituteEnv(file, opts.env, missing);
    for (const name of file.requiresEnv ?? []) if (!opts.env[name]) missing.add(name);
    if (missing.size > 0) {
      ctx.report.record({
        service: SERVICE,
        kind: 'connector',
        id: file.id,
        outcome: 'skipped',
        detail: `set ${[...missing].join(', ')} to enable it`,
      });
      continue;
    }
    const desired = { name: c.name, connector_type_id: c.connector_type_id, config: c.config };
    await reconcile(ctx, {
      service: SERVICE,
      kind: 'connector',
      id: c.id,
      desired,
      read: () => readOrAbsent(http, `/api/actions/connector/${c.id}`),
      write: async (exists, actual) => {
        const actualType = (actual as { connector_type_id?: string } | undefined)?.connector_type_id;
        if (exists && actualType !== c.connector_type_id) {
          // The type of a connector cannot change: replace it.
          await http.request('DELETE', `/api/actions/connector/${c.id}`);
          exists = false;
        }
        if (exists) {
          await http.request('PUT', `/api/actions/connector/${c.id}`, {
            body: { name: c.name, config: c.config, secrets: c.secrets },
          });
        } else {
          await http.request('POST', `/api/actions/connector/${c.id}`, {
            body: {
              name: c.name,
              connector_type_id: c.connector_type_id,
              config: c.config,
              secrets: c.secrets,
            },
          });
        }
      },
    });
    available.add(c.id);
  }
  return available;
}

/** The API's action shape: `id` is the connector id. Actions on unavailable connectors are dropped. */
export function ruleActions(rule: RuleFile, available: ReadonlySet<string>) {
  return rule.actions
    .filter((a) => available.has(a.connector))
    .map((a) => ({
      id: a.connector,
      group: a.group,
      params: a.params,
      ...(a.frequency ? { frequency: a.frequency } : {}),
    }));
}

async function provisionRules(ctx: StepContext, http: ServiceHttp, repoRoot: string, available: Set<string>) {
  for (const rule of loadRules(repoRoot)) {
    const actions = ruleActions(rule, available);
    const dropped = rule.actions.filter((a) => !available.has(a.connector)).map((a) => a.connector);
    const update = {
      name: rule.name,
      tags: rule.tags,
      schedule: rule.schedule,
      params: rule.params,
      actions,
    };
    const desired = {
      ...update,
      rule_type_id: rule.rule_type_id,
      consumer: rule.consumer,
      enabled: rule.enabled,
    };
    const path = `/api/alerting/rule/${rule.id}`;
    const outcome = await reconcile(ctx, {
      service: SERVICE,
      kind: 'rule',
      id: rule.id,
      desired,
      read: () => readOrAbsent(http, path),
      compare: (d, actual) => jsonAwareDifferences(d, actual),
      write: async (exists, actual) => {
        const a = actual as { rule_type_id?: string; consumer?: string; enabled?: boolean } | undefined;
        if (exists && (a?.rule_type_id !== rule.rule_type_id || a?.consumer !== rule.consumer)) {
          await http.request('DELETE', path); // type and consumer are immutable
          exists = false;
        }
        if (!exists) {
          await http.request('POST', path, {
            body: {
              ...update,
              rule_type_id: rule.rule_type_id,
              consumer: rule.consumer,
              enabled: rule.enabled,
            },
          });
          return;
        }
        await http.request('PUT', path, { body: update });
        if (a?.enabled !== rule.enabled)
          await http.request('POST', `${path}/${rule.enabled ? '_enable' : '_disable'}`);
      },
    });
    if (dropped.length > 0 && outcome !== 'unchanged') {
      ctx.report.note(
        `kibana        rule ${rule.id}: actions on ${dropped.join(', ')} left out (connector skipped)`,
      );
    }
  }
}
