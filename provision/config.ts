// Where to provision and how: flags and env (plus the repo's .env) → one typed, validated config.
// Defaults point at the compose stack on localhost, so the same command provisions an external cluster.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVICES = ['es', 'kibana', 'grafana', 'prometheus'] as const;
export type ServiceName = (typeof SERVICES)[number];

export type Auth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string; source: string }
  | { kind: 'apiKey'; key: string; source: string }
  | { kind: 'bearer'; token: string; source: string };

export interface Target {
  url: string;
  auth: Auth;
  /** PEM CA bundle for https targets (ES_CA_CERT). */
  caCert?: string;
}

export interface ProvisionConfig {
  repoRoot: string;
  es: Target;
  kibana: Target;
  grafana: Target;
  prometheus: Target;
  dryRun: boolean;
  only: ReadonlySet<ServiceName>;
  /** How long to wait for each service to become healthy. */
  timeoutMs: number;
  retentionDays: number;
  /** Env used to fill `${VAR}` placeholders in connector files (never printed). */
  env: Readonly<Record<string, string | undefined>>;
}

export class ConfigError extends Error {}

/** The least-privilege user setup/setup.sh creates for provisioning. */
export const PROVISIONER_USER = 'provisioner';

/** Seconds each service may take to become healthy when --wait is not given. */
export const DEFAULT_WAIT_MS = 180_000;

export const USAGE = `usage: npm run provision -- [--dry-run] [--only es,kibana,grafana,prometheus] [--wait 180s]
       [--es-url URL] [--kibana-url URL] [--grafana-url URL] [--prometheus-url URL]
  --dry-run   read and compare only, write nothing; stops at once when nothing answers at a URL
  --only      the services to provision (default: all four)
  --wait      how long every service may take to become healthy, waited for together
              (default ${DEFAULT_WAIT_MS / 1000}s; 0 = try once; --timeout is the same flag)
env:   ES_URL ES_USERNAME ES_PASSWORD | ES_API_KEY  ES_CA_CERT  KIBANA_URL KIBANA_USERNAME KIBANA_PASSWORD
       GRAFANA_URL GRAFANA_USERNAME GRAFANA_PASSWORD | GRAFANA_TOKEN  PROMETHEUS_URL  RETENTION_DAYS
       (each password, key or token may instead be a file: ES_PASSWORD_FILE=/run/secrets/…)
       (unset values are read from <repo>/.env, then default to the compose stack on localhost;
       without ES_USERNAME/ES_PASSWORD Elasticsearch and Kibana are provisioned as the least-privilege
       user 'provisioner' with PROVISIONER_PASSWORD, never as the 'elastic' superuser)`;

/** `--help`: not an error; the caller prints USAGE on stdout and exits 0. */
export class HelpRequested extends Error {
  constructor() {
    super(USAGE);
  }
}

/** Minimal .env reader: KEY=value lines, optional quotes, # comments. Process env always wins. */
export function readDotEnv(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const raw of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2] ?? '';
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? '';
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]!] = value;
  }
  return out;
}

/** Credentials that may come as a file (Compose secrets under /run/secrets): NAME_FILE names the file. */
export const FILE_SECRETS = [
  'ES_PASSWORD',
  'ES_API_KEY',
  'KIBANA_PASSWORD',
  'GRAFANA_PASSWORD',
  'GRAFANA_TOKEN',
  'PROVISIONER_PASSWORD',
] as const;

/** Fills NAME from the file NAME_FILE names, unless NAME is already set. Trailing newlines are not part of it. */
function readSecretFiles(env: Record<string, string | undefined>): void {
  for (const name of FILE_SECRETS) {
    const file = env[`${name}_FILE`];
    if (!file || env[name]) continue;
    try {
      env[name] = readFileSync(file, 'utf8').replace(/\r?\n+$/, '');
    } catch (err) {
      throw new ConfigError(
        `${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
  }
}

function parseDuration(text: string, flag: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new ConfigError(`${flag}: expected a duration like 90s or 2m (got "${text}")`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

function parseUrl(value: string, name: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return value.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(`${name}: "${value}" is not an http(s) URL (e.g. http://localhost:9200)`);
  }
}

export function parseArgs(
  argv: readonly string[],
  processEnv: Readonly<Record<string, string | undefined>>,
  repoRoot: string,
  opts: { dotEnv?: boolean } = {},
): ProvisionConfig {
  const env: Record<string, string | undefined> =
    opts.dotEnv === false ? {} : { ...readDotEnv(join(repoRoot, '.env')) };
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined && v !== '') env[k] = v;
  readSecretFiles(env);

  const flags = new Map<string, string>();
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--help' || arg === '-h') throw new HelpRequested();
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (
        !['only', 'wait', 'timeout', 'es-url', 'kibana-url', 'grafana-url', 'prometheus-url'].includes(name)
      ) {
        throw new ConfigError(`unknown flag --${name}\n${USAGE}`);
      }
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`--${name} needs a value`);
      flags.set(name, value);
    } else throw new ConfigError(`unexpected argument "${arg}"\n${USAGE}`);
  }

  let only: Set<ServiceName> = new Set(SERVICES);
  const onlyFlag = flags.get('only');
  if (onlyFlag !== undefined) {
    only = new Set();
    for (const part of onlyFlag
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const name = part === 'elasticsearch' ? 'es' : part;
      if (!(SERVICES as readonly string[]).includes(name)) {
        throw new ConfigError(`--only: unknown service "${part}"; choose from ${SERVICES.join(', ')}`);
      }
      only.add(name as ServiceName);
    }
    if (only.size === 0) throw new ConfigError('--only: name at least one service');
  }

  const port = (name: string, dflt: number) => env[name] ?? String(dflt);
  const esAuth = elasticAuth(env, 'ES');
  const kibanaAuth: Auth =
    env.KIBANA_USERNAME || env.KIBANA_PASSWORD
      ? basic(env, 'KIBANA_USERNAME', 'KIBANA_PASSWORD', env.ES_USERNAME ?? PROVISIONER_USER)
      : esAuth;
  const grafanaAuth: Auth = env.GRAFANA_TOKEN
    ? { kind: 'bearer', token: env.GRAFANA_TOKEN, source: 'GRAFANA_TOKEN' }
    : env.GRAFANA_PASSWORD || env.GRAFANA_ADMIN_PASSWORD
      ? {
          kind: 'basic',
          username: env.GRAFANA_USERNAME ?? env.GRAFANA_ADMIN_USER ?? 'admin',
          password: env.GRAFANA_PASSWORD ?? env.GRAFANA_ADMIN_PASSWORD ?? '',
          source: env.GRAFANA_PASSWORD
            ? 'GRAFANA_USERNAME/GRAFANA_PASSWORD'
            : 'GRAFANA_ADMIN_USER/GRAFANA_ADMIN_PASSWORD',
        }
      : { kind: 'none' };

  let caCert: string | undefined;
  if (env.ES_CA_CERT) {
    if (!existsSync(env.ES_CA_CERT))
      throw new ConfigError(`ES_CA_CERT: file ${env.ES_CA_CERT} does not exist`);
    caCert = readFileSync(env.ES_CA_CERT, 'utf8');
  }

  const retention = Number(env.RETENTION_DAYS ?? '30'); // same default as .env.example and compose
  if (!Number.isInteger(retention) || retention < 1) {
    throw new ConfigError(
      `RETENTION_DAYS: expected a whole number of days >= 1 (got "${env.RETENTION_DAYS}")`,
    );
  }

  return {
    repoRoot,
    es: {
      url: parseUrl(
        flags.get('es-url') ?? env.ES_URL ?? `http://localhost:${port('ES_PORT', 9200)}`,
        'ES_URL',
      ),
      auth: esAuth,
      ...(caCert ? { caCert } : {}),
    },
    kibana: {
      url: parseUrl(
        flags.get('kibana-url') ?? env.KIBANA_URL ?? `http://localhost:${port('KIBANA_PORT', 5601)}`,
        'KIBANA_URL',
      ),
      auth: kibanaAuth,
    },
    grafana: {
      url: parseUrl(
        flags.get('grafana-url') ?? env.GRAFANA_URL ?? `http://localhost:${port('GRAFANA_PORT', 3000)}`,
        'GRAFANA_URL',
      ),
      auth: grafanaAuth,
    },
    prometheus: {
      url: parseUrl(
        flags.get('prometheus-url') ??
          env.PROMETHEUS_URL ??
          `http://localhost:${port('PROMETHEUS_PORT', 9090)}`,
        'PROMETHEUS_URL',
      ),
      auth: { kind: 'none' },
    },
    dryRun,
    only,
    timeoutMs: flags.has('wait')
      ? parseDuration(flags.get('wait')!, '--wait')
      : flags.has('timeout')
        ? parseDuration(flags.get('timeout')!, '--timeout')
        : DEFAULT_WAIT_MS,
    retentionDays: retention,
    env,
  };
}

function elasticAuth(env: Record<string, string | undefined>, prefix: 'ES'): Auth {
  if (env[`${prefix}_API_KEY`])
    return { kind: 'apiKey', key: env[`${prefix}_API_KEY`]!, source: `${prefix}_API_KEY` };
  if (env[`${prefix}_PASSWORD`])
    return basic(env, `${prefix}_USERNAME`, `${prefix}_PASSWORD`, PROVISIONER_USER);
  // The compose stack's provisioning user (setup creates it): templates, ILM, pipelines, Kibana objects, no
  // more. Never the `elastic` superuser: rules created with it would carry a superuser API key.
  if (env.PROVISIONER_PASSWORD) {
    return {
      kind: 'basic',
      username: env[`${prefix}_USERNAME`] ?? PROVISIONER_USER,
      password: env.PROVISIONER_PASSWORD,
      source: `PROVISIONER_PASSWORD (user ${env[`${prefix}_USERNAME`] ?? PROVISIONER_USER})`,
    };
  }
  return { kind: 'none' };
}

function basic(
  env: Record<string, string | undefined>,
  userKey: string,
  passKey: string,
  dfltUser: string,
): Auth {
  const username = env[userKey] ?? dfltUser;
  return {
    kind: 'basic',
    username,
    password: env[passKey] ?? '',
    source: `${userKey}/${passKey} (user ${username})`,
  };
}

/** Which credential a target uses, for error messages: names the variables, never the secret. */
export function describeAuth(auth: Auth): string {
  return auth.kind === 'none' ? 'no credentials (none configured)' : auth.source;
}

/** Every secret value in the config, so printed lines can be scrubbed of them. */
export function secretValues(config: ProvisionConfig): string[] {
  const out: string[] = [];
  for (const t of [config.es, config.kibana, config.grafana, config.prometheus]) {
    const a = t.auth;
    if (a.kind === 'basic' && a.password) out.push(a.password);
    if (a.kind === 'apiKey') out.push(a.key);
    if (a.kind === 'bearer') out.push(a.token);
  }
  for (const [k, v] of Object.entries(config.env)) {
    if (v && v.length >= 6 && /PASSWORD|SECRET|TOKEN|KEY|WEBHOOK/.test(k)) out.push(v);
  }
  return out;
}
