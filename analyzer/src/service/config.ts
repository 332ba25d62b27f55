// One typed service config from file (YAML/JSON, --config) + env (CRUMBTRAIL_*) + flags, in that order of
// precedence (flags win). Everything is validated at start; a bad value throws ConfigError naming the key and
// where it came from, and the CLI prints that one line and exits 2.

import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../core/usage-error.ts';
import { SampleConfigError, samplingFromEnv } from '../sample/index.ts';
import { type PipelineSpec, parsePipelineSpec } from './pipeline-spec.ts';

export type ConfigSource = 'flag' | 'env' | 'file' | 'default';

export class ConfigError extends UsageError {
  constructor(
    readonly key: string,
    readonly source: ConfigSource,
    readonly reason: string,
  ) {
    super(`config error: ${key} (${source}): ${reason}`);
  }
}

export interface ServiceConfig {
  globs: string[];
  stateDir: string;
  resetCheckpoints: boolean;
  startAt: 'beginning' | 'end';
  port: number;
  /** Default 127.0.0.1 (secure by default); the image sets CRUMBTRAIL_HOST=0.0.0.0, where the port is published. */
  host: string;
  /** Serve the dashboard page at / (default true). */
  dashboard: boolean;
  /** Also serve the dashboard (and its JSON API) on a second port; null = only on `port`. */
  dashboardPort: number | null;
  /** Write each processed event as a JSON line to this file. */
  output: string | null;
  trace: boolean;
  /** Rule file for the classify stage (overrides pipeline.classify.rules). */
  rules: string | null;
  /** Write a JSON snapshot of the crumbtrail_* metrics here on exit. */
  saveMetrics: string | null;
  /**
   * Which events go to Elasticsearch: every event, or only breadcrumbs; null = the sink's own default
   * (CRUMBTRAIL_SHIP, else breadcrumbs). The sink itself is configured from CRUMBTRAIL_ES_* (sinks/elasticsearch).
   */
  ship: 'all' | 'breadcrumbs' | null;
  /** Run the time-aware anomaly monitor (CRUMBTRAIL_ANOMALY_* configure it; its DB goes in the state dir). */
  anomalies: boolean;
  pipeline: PipelineSpec;
  componentLabelCap: number;
  fileLabelCap: number;
  /** How often acked offsets are persisted as checkpoints. */
  commitIntervalMs: number;
  /** After this long without new lines the pipeline is flushed (the multiline stage holds the last event). */
  idleFlushMs: number;
  /** Bound on flushing sinks at shutdown. */
  shutdownTimeoutMs: number;
  /** Lines per pipeline batch; the service yields to the event loop between batches. */
  batchLines: number;
  /** Events dated further ahead of the clock than this are shipped but kept out of time-driven state. */
  maxEventFutureMs: number;
  /** Events dated further behind the clock than this likewise (backfills older than this are not modelled). */
  maxEventPastMs: number;
  /**
   * Bearer token for mutating and costly endpoints (POST /api/alerts, /api/monitor/*): read from
   * CRUMBTRAIL_API_TOKEN_FILE (a secret file) or CRUMBTRAIL_API_TOKEN. null = those endpoints answer only on a
   * loopback bind, and refuse when the service listens beyond loopback.
   */
  apiToken: string | null;
  /** Where the config file came from, if any. */
  configFile: string | null;
}

/** Flag name → config key. Every flag, env var and file key is listed here, so unknown ones are errors. */
interface KeySpec {
  key: keyof ServiceConfig;
  flag?: string;
  env?: string;
  kind: 'string' | 'strings' | 'int' | 'bool' | 'enum';
  values?: readonly string[];
}

const KEYS: readonly KeySpec[] = [
  { key: 'globs', flag: 'glob', env: 'CRUMBTRAIL_GLOB', kind: 'strings' },
  { key: 'stateDir', flag: 'state-dir', env: 'CRUMBTRAIL_STATE_DIR', kind: 'string' },
  { key: 'resetCheckpoints', flag: 'reset-checkpoints', env: 'CRUMBTRAIL_RESET_CHECKPOINTS', kind: 'bool' },
  {
    key: 'startAt',
    flag: 'start-at',
    env: 'CRUMBTRAIL_START_AT',
    kind: 'enum',
    values: ['beginning', 'end'],
  },
  { key: 'port', flag: 'port', env: 'CRUMBTRAIL_PORT', kind: 'int' },
  { key: 'host', flag: 'host', env: 'CRUMBTRAIL_HOST', kind: 'string' },
  { key: 'dashboard', flag: 'dashboard', env: 'CRUMBTRAIL_DASHBOARD', kind: 'bool' },
  { key: 'dashboardPort', flag: 'dashboard-port', env: 'CRUMBTRAIL_DASHBOARD_PORT', kind: 'int' },
  { key: 'output', flag: 'output', env: 'CRUMBTRAIL_OUTPUT', kind: 'string' },
  { key: 'trace', flag: 'trace', env: 'CRUMBTRAIL_TRACE', kind: 'bool' },
  { key: 'rules', flag: 'rules', env: 'CRUMBTRAIL_RULES', kind: 'string' },
  { key: 'saveMetrics', flag: 'save-metrics', env: 'CRUMBTRAIL_SAVE_METRICS', kind: 'string' },
  { key: 'ship', flag: 'ship', env: 'CRUMBTRAIL_SHIP', kind: 'enum', values: ['all', 'breadcrumbs'] },
  {
    key: 'componentLabelCap',
    flag: 'component-label-cap',
    env: 'CRUMBTRAIL_COMPONENT_LABEL_CAP',
    kind: 'int',
  },
  { key: 'fileLabelCap', flag: 'file-label-cap', env: 'CRUMBTRAIL_FILE_LABEL_CAP', kind: 'int' },
  { key: 'commitIntervalMs', flag: 'commit-interval-ms', env: 'CRUMBTRAIL_COMMIT_INTERVAL_MS', kind: 'int' },
  { key: 'idleFlushMs', flag: 'idle-flush-ms', env: 'CRUMBTRAIL_IDLE_FLUSH_MS', kind: 'int' },
  {
    key: 'shutdownTimeoutMs',
    flag: 'shutdown-timeout-ms',
    env: 'CRUMBTRAIL_SHUTDOWN_TIMEOUT_MS',
    kind: 'int',
  },
  { key: 'batchLines', flag: 'batch-lines', env: 'CRUMBTRAIL_BATCH_LINES', kind: 'int' },
  { key: 'anomalies', flag: 'anomalies', env: 'CRUMBTRAIL_ANOMALIES', kind: 'bool' },
  {
    key: 'maxEventFutureMs',
    flag: 'max-event-future-ms',
    env: 'CRUMBTRAIL_MAX_EVENT_FUTURE_MS',
    kind: 'int',
  },
  { key: 'maxEventPastMs', flag: 'max-event-past-ms', env: 'CRUMBTRAIL_MAX_EVENT_PAST_MS', kind: 'int' },
];

/** Numeric bounds (inclusive). */
const RANGES: Partial<Record<string, [number, number]>> = {
  port: [0, 65535],
  dashboardPort: [0, 65535],
  componentLabelCap: [1, 1000],
  fileLabelCap: [1, 1000],
  commitIntervalMs: [10, 600_000],
  idleFlushMs: [10, 600_000],
  shutdownTimeoutMs: [0, 600_000],
  batchLines: [1, 1_000_000],
  maxEventFutureMs: [0, 366 * 86_400_000],
  maxEventPastMs: [0, 10 * 366 * 86_400_000],
};

export const USAGE = `Usage: npm start -- --glob '/var/log/app/*.log' [options]
  --glob PATTERN         file glob to follow (repeatable; env CRUMBTRAIL_GLOB, comma separated)
  --file PATH            a file to follow (repeatable; same as --glob with a plain path)
  --state-dir DIR        checkpoint directory (CRUMBTRAIL_STATE_DIR, default ./.crumbtrail/state)
  --reset-checkpoints    ignore existing checkpoints
  --config FILE          service + pipeline config (YAML/JSON; CRUMBTRAIL_CONFIG)
  --rules FILE           breadcrumb rule file (CRUMBTRAIL_RULES)
  --port N               HTTP port (CRUMBTRAIL_PORT, default 9464)
  --host ADDR            bind address (CRUMBTRAIL_HOST; default 127.0.0.1; the container image sets 0.0.0.0)
  --dashboard / --no-dashboard, --dashboard-port N
  --output FILE          write processed events as JSON lines
  --trace                keep per-line traces (/trace)
  --save-metrics FILE    JSON snapshot of the metrics on exit
  --ship all|breadcrumbs what goes to Elasticsearch (CRUMBTRAIL_ES_URL enables the sink)
  sampling (off by default): CRUMBTRAIL_SAMPLE_RATE=0.1 [CRUMBTRAIL_SAMPLE_KEEP_FROM=WARN] or pipeline.sample
                         in --config; breadcrumbs and WARN+ lines are always kept
  --no-anomalies         do not run the anomaly monitor
  --max-event-future-ms N, --max-event-past-ms N
                         events dated beyond these bounds of the clock (default 5 min ahead, 30 days behind)
                         are shipped but quarantined from anomaly series and incident windows
  API token (CRUMBTRAIL_API_TOKEN_FILE or CRUMBTRAIL_API_TOKEN): required as "Authorization: Bearer T" by
                         POST /api/alerts and /api/monitor/*; without one they answer only on a loopback bind`;

type Raw = { value: unknown; source: ConfigSource };

export interface LoadConfigInput {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

export function loadConfig(input: LoadConfigInput): ServiceConfig {
  const cwd = input.cwd ?? process.cwd();
  const flags = parseFlags(input.argv);
  const raw = new Map<string, Raw>();

  // 1. file
  const cfgFlag = flags.get('config');
  const configFile = cfgFlag
    ? { path: String(cfgFlag[0]), source: 'flag' as const }
    : input.env.CRUMBTRAIL_CONFIG
      ? { path: input.env.CRUMBTRAIL_CONFIG, source: 'env' as const }
      : null;
  let pipelineRaw: unknown;
  if (configFile) {
    const path = resolve(cwd, configFile.path);
    const doc = readConfigFile(path, configFile.source);
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'pipeline') {
        pipelineRaw = v;
        continue;
      }
      const spec = KEYS.find((s) => s.key === k);
      if (!spec)
        throw new ConfigError(
          k,
          'file',
          `unknown key in ${path}; known: pipeline, ${KEYS.map((s) => s.key).join(', ')}`,
        );
      raw.set(spec.key, { value: v, source: 'file' });
    }
  }
  // 2. env
  for (const spec of KEYS) {
    const v = spec.env ? input.env[spec.env] : undefined;
    if (v !== undefined && v !== '') {
      raw.set(spec.key, {
        value:
          spec.kind === 'strings'
            ? v
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : v,
        source: 'env',
      });
    }
  }
  // 3. flags
  for (const [name, values] of flags) {
    if (name === 'config') continue;
    const flagName = name === 'file' ? 'glob' : name;
    const spec = KEYS.find((s) => s.flag === flagName);
    if (!spec) throw new ConfigError(`--${name}`, 'flag', `unknown flag\n${USAGE}`);
    if (spec.kind === 'strings') {
      const prev = raw.get(spec.key);
      const merged =
        prev?.source === 'flag' ? [...(prev.value as string[]), ...values.map(String)] : values.map(String);
      raw.set(spec.key, { value: merged, source: 'flag' });
    } else {
      if (values.length > 1) throw new ConfigError(`--${name}`, 'flag', 'given more than once');
      raw.set(spec.key, { value: values[0], source: 'flag' });
    }
  }

  const get = <T>(key: string, fallback: T): T => {
    const r = raw.get(key);
    if (!r) return fallback;
    const spec = KEYS.find((s) => s.key === key)!;
    return coerce(spec, r, flagOrKey(spec, r.source)) as T;
  };
  const cfg: ServiceConfig = {
    globs: get<string[]>('globs', []),
    stateDir: resolve(cwd, get('stateDir', '.crumbtrail/state')),
    resetCheckpoints: get('resetCheckpoints', false),
    startAt: get('startAt', 'beginning'),
    port: get('port', 9464),
    host: get('host', '127.0.0.1'),
    dashboard: get('dashboard', true),
    dashboardPort: get<number | null>('dashboardPort', null),
    output: nullablePath(get<string | null>('output', null), cwd),
    trace: get('trace', false),
    rules: nullablePath(get<string | null>('rules', null), cwd),
    saveMetrics: nullablePath(get<string | null>('saveMetrics', null), cwd),
    ship: get<'all' | 'breadcrumbs' | null>('ship', null),
    anomalies: get('anomalies', true),
    pipeline: parsePipelineSpec(
      pipelineRaw ?? {},
      (key, reason) => new ConfigError(`pipeline.${key}`, 'file', reason),
    ),
    componentLabelCap: get('componentLabelCap', 50),
    fileLabelCap: get('fileLabelCap', 50),
    commitIntervalMs: get('commitIntervalMs', 250),
    idleFlushMs: get('idleFlushMs', 100),
    shutdownTimeoutMs: get('shutdownTimeoutMs', 10_000),
    batchLines: get('batchLines', 2000),
    maxEventFutureMs: get('maxEventFutureMs', 5 * 60_000),
    maxEventPastMs: get('maxEventPastMs', 30 * 86_400_000),
    apiToken: readApiToken(input.env, cwd),
    configFile: configFile ? resolve(cwd, configFile.path) : null,
  };
  if (cfg.globs.length === 0) {
    throw new ConfigError(
      '--glob',
      'default',
      'nothing to follow: give --glob PATTERN (or CRUMBTRAIL_GLOB, or globs: in --config)',
    );
  }
  cfg.globs = cfg.globs.map((g) => (isAbsolute(g) ? g : resolve(cwd, g)));
  if (cfg.rules) cfg.pipeline.rules = cfg.rules;
  // Sampling from the environment (CRUMBTRAIL_SAMPLE_RATE, CRUMBTRAIL_SAMPLE_KEEP_FROM) wins over pipeline.sample.
  if (input.env.CRUMBTRAIL_SAMPLE_RATE?.trim()) {
    try {
      cfg.pipeline.sample = samplingFromEnv(input.env);
    } catch (err) {
      if (!(err instanceof SampleConfigError)) throw err;
      const [key, ...reason] = err.message.split(': ');
      throw new ConfigError(key!, 'env', reason.join(': '));
    }
  }
  if (cfg.host.trim() === '')
    throw new ConfigError(
      flagOrKey(KEYS.find((s) => s.key === 'host')!, raw.get('host')?.source ?? 'default'),
      raw.get('host')?.source ?? 'default',
      'empty bind address',
    );
  return cfg;
}

/** The API token from its secret file (preferred) or the environment; a present but unusable one is an error. */
function readApiToken(env: Readonly<Record<string, string | undefined>>, cwd: string): string | null {
  const file = env.CRUMBTRAIL_API_TOKEN_FILE?.trim();
  let token: string | undefined;
  let key = 'CRUMBTRAIL_API_TOKEN';
  if (file) {
    key = 'CRUMBTRAIL_API_TOKEN_FILE';
    try {
      token = readFileSync(resolve(cwd, file), 'utf8').trim();
    } catch (err) {
      throw new ConfigError(key, 'env', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  } else token = env.CRUMBTRAIL_API_TOKEN?.trim();
  if (token === undefined || token === '') {
    if (file) throw new ConfigError(key, 'env', `${file} is empty: put the token in it`);
    return null;
  }
  if (token.length < 16 || /\s/.test(token))
    throw new ConfigError(
      key,
      'env',
      'the token must be at least 16 characters without spaces (npm run secrets makes one)',
    );
  return token;
}

function nullablePath(p: string | null, cwd: string): string | null {
  return p ? resolve(cwd, p) : null;
}

function flagOrKey(spec: KeySpec, source: ConfigSource): string {
  if (source === 'flag' && spec.flag) return `--${spec.flag}`;
  if (source === 'env' && spec.env) return spec.env;
  return spec.key;
}

function coerce(spec: KeySpec, r: Raw, name: string): unknown {
  const v = r.value;
  const fail = (reason: string): never => {
    throw new ConfigError(name, r.source, reason);
  };
  switch (spec.kind) {
    case 'string':
      if (typeof v !== 'string' || v === '') fail(`expected a non-empty string, got ${show(v)}`);
      return v;
    case 'strings': {
      const list = Array.isArray(v)
        ? v
        : typeof v === 'string'
          ? [v]
          : fail(`expected a list of strings, got ${show(v)}`);
      for (const s of list)
        if (typeof s !== 'string' || s === '') fail(`expected non-empty strings, got ${show(s)}`);
      return list;
    }
    case 'int': {
      const n =
        typeof v === 'number'
          ? v
          : typeof v === 'string' && /^-?\d+$/.test(v.trim())
            ? Number(v)
            : Number.NaN;
      if (!Number.isInteger(n)) fail(`expected an integer, got ${show(v)}`);
      const range = RANGES[spec.key];
      if (range && (n < range[0] || n > range[1])) fail(`${n} is out of range ${range[0]}–${range[1]}`);
      return n;
    }
    case 'bool': {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(1|true|yes|on)$/i.test(v)) return true;
      if (typeof v === 'string' && /^(0|false|no|off)$/i.test(v)) return false;
      return fail(`expected true or false, got ${show(v)}`);
    }
    case 'enum':
      if (typeof v !== 'string' || !spec.values!.includes(v))
        fail(`expected one of ${spec.values!.join('|')}, got ${show(v)}`);
      return v;
  }
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

function readConfigFile(path: string, source: ConfigSource): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      source === 'flag' ? '--config' : 'CRUMBTRAIL_CONFIG',
      source,
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      source === 'flag' ? '--config' : 'CRUMBTRAIL_CONFIG',
      source,
      `${path} is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(
      source === 'flag' ? '--config' : 'CRUMBTRAIL_CONFIG',
      source,
      `${path} must hold a mapping at the top`,
    );
  }
  return doc as Record<string, unknown>;
}

/** `--name value`, `--name=value`, bare booleans `--trace`, and `--no-name` for false. */
export function parseFlags(argv: readonly string[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const booleans = new Set(KEYS.filter((k) => k.kind === 'bool').map((k) => k.flag));
  const push = (k: string, v: unknown): void => {
    const list = out.get(k) ?? [];
    list.push(v);
    out.set(k, list);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--'))
      throw new ConfigError(arg, 'flag', `unexpected argument (flags start with --)\n${USAGE}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (eq !== -1) {
      push(name, arg.slice(eq + 1));
      continue;
    }
    if (booleans.has(name)) {
      push(name, true);
      continue;
    }
    if (name.startsWith('no-') && booleans.has(name.slice(3))) {
      push(name.slice(3), false);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--'))
      throw new ConfigError(`--${name}`, 'flag', 'needs a value');
    push(name, next);
    i++;
  }
  return out;
}
