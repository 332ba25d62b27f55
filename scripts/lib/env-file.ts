// .env files: parse .env.example, fill its empty secrets with strong random values, write .env safely; an
// existing .env gets its empty, default or missing secrets filled IN PLACE (a set value is never changed).
// Values are never printed: callers get only the names of the variables that were filled.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** How a secret is generated: passwords for Elasticsearch/Grafana users, keys for Kibana's encryption. */
export type SecretKind = 'password' | 'key';

/** Every secret in the stack and its kind. Anything else in .env.example is a setting with a safe default. */
export const SECRET_VARIABLES: Readonly<Record<string, SecretKind>> = {
  ELASTIC_PASSWORD: 'password',
  KIBANA_SYSTEM_PASSWORD: 'password',
  FILEBEAT_WRITER_PASSWORD: 'password',
  ANALYZER_WRITER_PASSWORD: 'password',
  PROVISIONER_PASSWORD: 'password',
  GRAFANA_READER_PASSWORD: 'password',
  GRAFANA_ADMIN_PASSWORD: 'password',
  KIBANA_ENCRYPTED_SAVED_OBJECTS_KEY: 'key',
  KIBANA_SECURITY_KEY: 'key',
  KIBANA_REPORTING_KEY: 'key',
  CRUMBTRAIL_API_TOKEN: 'key',
};

/** Shortest value setup/setup.sh accepts, by kind (Kibana refuses encryption keys under 32 characters). */
export const MIN_SECRET_LENGTH: Readonly<Record<SecretKind, number>> = { password: 12, key: 32 };

/** Values setup/setup.sh refuses as well-known defaults (compared lower-case); test/config/env.test.ts keeps
 *  this list and setup.sh's KNOWN_DEFAULTS equal. */
export const KNOWN_DEFAULTS: readonly string[] = [
  'changeme',
  'changeit',
  'admin',
  'administrator',
  'password',
  'passw0rd',
  'secret',
  'elastic',
  'kibana',
  'kibana_system',
  'filebeat',
  'grafana',
  'root',
  'test',
  'test123',
  '123456',
  '12345678',
  'letmein',
  'default',
];

/** Names that look like secrets; used by tests to catch a secret missing from SECRET_VARIABLES. */
export const SECRET_NAME = /(PASSWORD|_KEY|SECRET|TOKEN)$/;

export interface EnvEntry {
  name: string;
  value: string;
  /** 1-based line in the file. */
  line: number;
  /** Comment lines directly above the entry (without '#'), its documentation. */
  doc: string[];
}

export interface EnvFile {
  /** The original lines, kept so a rewritten file keeps every comment. */
  lines: string[];
  entries: EnvEntry[];
}

const ENTRY = /^([A-Z][A-Z0-9_]*)=(.*)$/;

/** Parses KEY=value lines and # comments. A line that is neither stops with its line number. */
export function parseEnvFile(text: string, where = '.env'): EnvFile {
  const lines = text.split(/\r?\n/);
  const entries: EnvEntry[] = [];
  let doc: string[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') {
      doc = [];
      return;
    }
    if (line.startsWith('#')) {
      doc.push(line.replace(/^#\s?/, ''));
      return;
    }
    const m = ENTRY.exec(line);
    if (!m) {
      throw new Error(`${where}:${i + 1}: expected KEY=value or a # comment, got '${line.slice(0, 40)}'`);
    }
    entries.push({ name: m[1]!, value: unquote(m[2]!), line: i + 1, doc });
    // Consecutive entries under one comment share it (e.g. the port block).
  });
  return { lines, entries };
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) {
    return t.slice(1, -1);
  }
  return t;
}

/** A strong random value: 24 random bytes as base64url for passwords (32 chars), 32 bytes hex for keys (64). */
export function generateSecret(kind: SecretKind, random: (n: number) => Buffer = randomBytes): string {
  return kind === 'key' ? random(32).toString('hex') : random(24).toString('base64url');
}

export interface FillResult {
  text: string;
  /** Names of the variables that received a generated value. */
  filled: string[];
}

/** Fills every empty secret of the example with a generated value; everything else is copied verbatim. */
export function fillSecrets(example: EnvFile, random: (n: number) => Buffer = randomBytes): FillResult {
  const out = [...example.lines];
  const filled: string[] = [];
  for (const e of example.entries) {
    const kind = SECRET_VARIABLES[e.name];
    if (kind === undefined || e.value !== '') continue;
    out[e.line - 1] = `${e.name}=${generateSecret(kind, random)}`;
    filled.push(e.name);
  }
  return { text: out.join('\n'), filled };
}

/** A secret the stack would refuse that is not ours to replace (set by the operator, but too short). */
export interface RefusedSecret {
  name: string;
  reason: string;
}

export interface FillInPlaceResult extends FillResult {
  /** Set values setup/setup.sh will refuse; left as they are (never overwrite a set secret). */
  refused: RefusedSecret[];
}

/** True when the value is one setup/setup.sh refuses as empty or a well-known default: ours to fill. */
export function needsFill(value: string): boolean {
  return value === '' || KNOWN_DEFAULTS.includes(value.toLowerCase());
}

/**
 * Fills an existing .env in place: each secret that is empty or a well-known default gets a generated value
 * on its own line, a secret missing altogether is added at the end with the example's comment; every other
 * line (settings, comments, secrets already set) is kept byte for byte.
 */
export function fillSecretsInPlace(
  current: EnvFile,
  example: EnvFile,
  random: (n: number) => Buffer = randomBytes,
): FillInPlaceResult {
  const out = [...current.lines];
  const filled: string[] = [];
  const refused: RefusedSecret[] = [];
  const appended: string[] = [];
  for (const [name, kind] of Object.entries(SECRET_VARIABLES)) {
    const entries = current.entries.filter((e) => e.name === name);
    const last = entries.at(-1); // the last definition is the one Compose uses
    if (!last) {
      const doc = example.entries.find((e) => e.name === name)?.doc ?? [];
      appended.push(...doc.map((d) => `# ${d}`), `${name}=${generateSecret(kind, random)}`);
      filled.push(name);
    } else if (needsFill(last.value)) {
      out[last.line - 1] = `${name}=${generateSecret(kind, random)}`;
      filled.push(name);
    } else if (last.value.length < MIN_SECRET_LENGTH[kind]) {
      refused.push({
        name,
        reason: `is ${last.value.length} characters; setup needs at least ${MIN_SECRET_LENGTH[kind]}`,
      });
    }
  }
  if (appended.length > 0) {
    while (out.length > 0 && out.at(-1) === '') out.pop();
    out.push('', ...appended, '');
  }
  return { text: out.join('\n'), filled, refused };
}

export interface WriteEnvOptions {
  examplePath: string;
  outPath: string;
  /** Rewrite the whole file from the example with all-new secrets (the data volumes keep the old ones!). */
  force: boolean;
}

export interface WriteEnvResult {
  /** created: a new file; updated: secrets filled in place; unchanged: nothing was needed. */
  action: 'created' | 'updated' | 'unchanged';
  filled: string[];
  refused: RefusedSecret[];
}

/**
 * Writes outPath from examplePath with secrets filled; an existing outPath is filled in place (see
 * fillSecretsInPlace) and rewritten only when something was filled. Mode 0600 either way.
 */
export async function writeEnvFromExample(opts: WriteEnvOptions): Promise<WriteEnvResult> {
  const example = parseEnvFile(await readFile(opts.examplePath, 'utf8'), opts.examplePath);
  if (!existsSync(opts.outPath) || opts.force) {
    const { text, filled } = fillSecrets(example);
    // 0600: the file holds every password of the stack.
    writeFileSync(opts.outPath, text, { mode: 0o600 });
    chmodSync(opts.outPath, 0o600);
    return { action: 'created', filled, refused: [] };
  }
  const current = parseEnvFile(await readFile(opts.outPath, 'utf8'), opts.outPath);
  const { text, filled, refused } = fillSecretsInPlace(current, example);
  if (filled.length > 0) writeFileSync(opts.outPath, text, { mode: 0o600 });
  // `cp .env.example .env` leaves the file world-readable: tighten it whatever was filled.
  chmodSync(opts.outPath, 0o600);
  return { action: filled.length > 0 ? 'updated' : 'unchanged', filled, refused };
}
