// Loads the Kibana objects kept as data in kibana/: connectors, rules, saved objects (ndjson).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProvisionError } from './errors.ts';
import type { MinimumLicense } from './license.ts';

export interface ConnectorFile {
  id: string;
  /** Our key, stripped before sending: the lowest licence the connector type runs on. */
  minimumLicense: MinimumLicense;
  /** Our key: env vars that must be set, else the connector is skipped (e.g. the webhook URL). */
  requiresEnv?: string[];
  connector_type_id: string;
  name: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

export interface RuleActionFile {
  /** Connector id (our key; becomes `id` in the API body). */
  connector: string;
  group: string;
  params: Record<string, unknown>;
  frequency?: { summary: boolean; notify_when: string; throttle?: string | null };
}

export interface RuleFile {
  id: string;
  name: string;
  rule_type_id: string;
  consumer: string;
  enabled: boolean;
  schedule: { interval: string };
  tags: string[];
  params: Record<string, unknown>;
  actions: RuleActionFile[];
}

export interface SavedObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references: { name: string; type: string; id: string }[];
}

export interface SavedObjectFile {
  file: string;
  ndjson: string;
  objects: SavedObject[];
}

export interface DataViewSpec {
  id: string;
  title: string;
  name: string;
  timeFieldName: string;
}

/** Data views with fixed ids so saved searches and rules can reference them across re-runs. */
export const DATA_VIEWS: readonly DataViewSpec[] = [
  {
    id: 'crumbtrail-logs',
    title: 'logs-crumbtrail.app-*',
    name: 'crumbtrail app logs',
    timeFieldName: '@timestamp',
  },
  {
    id: 'crumbtrail-breadcrumbs',
    title: 'logs-crumbtrail.breadcrumbs-*',
    name: 'crumbtrail breadcrumbs',
    timeFieldName: '@timestamp',
  },
];

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

function need(cond: boolean, where: string, what: string): void {
  if (!cond) throw new ProvisionError(`${where}: ${what}`, true);
}

/** `${VAR}` in strings → env value; returns the names that were unset. */
export function substituteEnv<T>(
  value: T,
  env: Readonly<Record<string, string | undefined>>,
  missing: Set<string>,
): T {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') missing.add(name);
      return v ?? '';
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substituteEnv(v, env, missing)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, missing)]),
    ) as T;
  }
  return value;
}

export function loadConnectors(repoRoot: string): ConnectorFile[] {
  const dir = join(repoRoot, 'kibana', 'connectors');
  return jsonFiles(dir).map((f) => {
    const c = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ConnectorFile;
    const where = `kibana/connectors/${f}`;
    need(typeof c.id === 'string' && /^[a-z0-9-]+$/.test(c.id), where, 'needs an "id" of [a-z0-9-]');
    need(typeof c.connector_type_id === 'string', where, 'needs "connector_type_id" (e.g. ".index")');
    need(
      ['basic', 'gold', 'platinum', 'enterprise'].includes(c.minimumLicense),
      where,
      'needs "minimumLicense" basic|gold|…',
    );
    return c;
  });
}

export function loadRules(repoRoot: string): RuleFile[] {
  const dir = join(repoRoot, 'kibana', 'rules');
  return jsonFiles(dir).map((f) => {
    const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as RuleFile;
    const where = `kibana/rules/${f}`;
    need(typeof r.id === 'string' && /^[a-z0-9-]+$/.test(r.id), where, 'needs an "id" of [a-z0-9-]');
    need(Array.isArray(r.actions), where, 'needs an "actions" array');
    for (const a of r.actions)
      need(typeof a.connector === 'string', where, 'each action needs "connector" (a connector id)');
    return r;
  });
}

export function loadSavedObjects(repoRoot: string): SavedObjectFile[] {
  const dir = join(repoRoot, 'kibana', 'saved-objects');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .map((file) => {
      const ndjson = readFileSync(join(dir, file), 'utf8');
      const objects = ndjson
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((line, i) => {
          let o: SavedObject;
          try {
            o = JSON.parse(line) as SavedObject;
          } catch (err) {
            throw new ProvisionError(
              `kibana/saved-objects/${file}:${i + 1}: not JSON (${(err as Error).message})`,
              true,
            );
          }
          need(
            typeof o.type === 'string' && typeof o.id === 'string',
            `kibana/saved-objects/${file}:${i + 1}`,
            'needs type and id',
          );
          return { ...o, references: o.references ?? [] };
        });
      return { file, ndjson, objects };
    });
}
