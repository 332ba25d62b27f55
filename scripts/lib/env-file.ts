// .env files: parse .env.example, fill its empty secrets with strong random values, write .env safely.
// Values are never printed: callers get only the names of the variables that were filled.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
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

export interface WriteEnvOptions {
  examplePath: string;
  outPath: string;
  force: boolean;
}

/** Writes outPath from examplePath with secrets filled. Refuses to replace an existing file unless forced. */
export async function writeEnvFromExample(opts: WriteEnvOptions): Promise<string[]> {
  if (existsSync(opts.outPath) && !opts.force) {
    throw new Error(
      `${opts.outPath} already exists; not overwriting it (its secrets may already be in use by the data volumes). ` +
        'Pass --force to replace it.',
    );
  }
  const example = parseEnvFile(await readFile(opts.examplePath, 'utf8'), opts.examplePath);
  const { text, filled } = fillSecrets(example);
  // 0600: the file holds every password of the stack.
  writeFileSync(opts.outPath, text, { mode: 0o600 });
  return filled;
}
