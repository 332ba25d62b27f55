// Load and validate format catalog files (YAML). Every problem names the file, the line and what to change;
// nothing half-valid is used. The built-in catalog is analyzer/formats/*.yml; `--formats my.yml` adds to it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { LEVELS, type Level } from '../../core/types.ts';
import { portabilityProblem } from '../pattern.ts';
import {
  type Catalog,
  DECODERS,
  type Decoder,
  type FormatExample,
  type FormatSpec,
  type LevelKind,
  type Source,
  type TimestampKind,
} from './schema.ts';

/** analyzer/formats, found from the sources (tsx) or from a bundle in analyzer/.build. */
export const BUILTIN_FORMATS_DIR =
  ['../../../formats', '../../formats', '../formats']
    .map((rel) => new URL(rel, import.meta.url).pathname)
    .find((p) => existsSync(join(p, 'seed.yml'))) ?? new URL('../../../formats', import.meta.url).pathname;

export class FormatFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'FormatFileError';
  }
}

const TS_KINDS: TimestampKind[] = [
  'iso8601',
  'epoch',
  'syslog',
  'clf',
  'ctime',
  'ymd-slash',
  'yymmdd',
  'yy-slash',
  'klog',
  'md-time',
  'dmy-month',
  'any',
];
const LEVEL_KINDS: LevelKind[] = ['name', 'pino', 'syslog-pri', 'syslog-severity', 'http-status'];
const FORMAT_KEYS = new Set([
  'name',
  'title',
  'decoder',
  'priority',
  'pattern',
  'require_keys',
  'timestamp',
  'level',
  'component',
  'message',
  'fields',
  'kv',
  'level_from_message',
  'multiline_start',
  'examples',
]);
const NAME = /^[a-z][a-z0-9-]*$/;

/** The built-in catalog (every *.yml in analyzer/formats, sorted), plus user files appended. */
export function loadCatalog(extraFiles: string[] = [], dir: string = BUILTIN_FORMATS_DIR): Catalog {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith('.yml'))
      .sort();
  } catch {
    throw new FormatFileError(dir, 0, 'cannot read the built-in format catalog directory');
  }
  const files = [...names.map((f) => join(dir, f)), ...extraFiles];
  const formats: FormatSpec[] = [];
  const seen = new Map<string, FormatSpec>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new FormatFileError(file, 0, `cannot read the format file (${code}); check the --formats path`);
    }
    for (const f of parseFormatFile(text, file)) {
      const before = seen.get(f.name);
      if (before !== undefined)
        throw new FormatFileError(
          file,
          f.line,
          `format '${f.name}' is already defined at ${before.file}:${before.line}; pick another name`,
        );
      seen.set(f.name, f);
      formats.push(f);
    }
  }
  return { formats, files };
}

type Path = (string | number)[];

/** Validate one catalog file's text; `origin` names it in errors. */
export function parseFormatFile(text: string, origin: string): FormatSpec[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax)
    throw new FormatFileError(
      origin,
      lc.linePos(syntax.pos[0]).line,
      `not valid YAML: ${syntax.message.split('\n')[0]}`,
    );
  const lineOf = (path: Path): number => {
    for (let p = path; p.length >= 0; p = p.slice(0, -1)) {
      const node = (p.length === 0 ? doc.contents : doc.getIn(p, true)) as Node | null | undefined;
      if (node?.range) return lc.linePos(node.range[0]).line;
      if (p.length === 0) break;
    }
    return 1;
  };
  const fail = (path: Path, reason: string): never => {
    throw new FormatFileError(origin, lineOf(path), reason);
  };
  const root = doc.contents;
  if (!isMap(root)) return fail([], 'expected a mapping with `family:` and `formats:` (a list)');
  const js = doc.toJS() as Record<string, unknown>;
  for (const k of Object.keys(js))
    if (k !== 'family' && k !== 'formats')
      fail([k], `unknown top-level key '${k}' (allowed: family, formats)`);
  const family = js.family;
  if (typeof family !== 'string' || !NAME.test(family))
    fail(['family'], '`family` must be a lower-case name like `syslog`');
  if (!isSeq(root.get('formats', true))) fail(['formats'], '`formats` must be a list of formats');
  const list = js.formats as unknown[];
  return list.map((item, i) => toFormat(item, ['formats', i], family as string, origin, lineOf, fail));
}

type Fail = (path: Path, reason: string) => never;

function toFormat(
  item: unknown,
  at: Path,
  family: string,
  file: string,
  lineOf: (p: Path) => number,
  fail: Fail,
): FormatSpec {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return fail(at, `format #${(at[1] as number) + 1} must be a mapping`);
  const m = item as Record<string, unknown>;
  for (const k of Object.keys(m))
    if (!FORMAT_KEYS.has(k)) fail([...at, k], `unknown key '${k}' (allowed: ${[...FORMAT_KEYS].join(', ')})`);
  const name = m.name;
  if (typeof name !== 'string' || !NAME.test(name))
    fail([...at, 'name'], "'name' must be lower-case letters, digits and - (e.g. `syslog-rfc3164`)");
  const where = `format '${name}'`;
  const decoder = (m.decoder ?? 'regex') as Decoder;
  if (!DECODERS.includes(decoder))
    fail([...at, 'decoder'], `${where}: 'decoder' must be one of ${DECODERS.join(', ')}`);
  const priority = m.priority ?? 50;
  if (typeof priority !== 'number') fail([...at, 'priority'], `${where}: 'priority' must be a number`);

  const pattern = m.pattern;
  let groups: Set<string> | null = null;
  if (decoder === 'regex' || decoder === 'seed') {
    if (typeof pattern !== 'string' || pattern === '')
      fail([...at, 'pattern'], `${where}: a ${decoder} format needs 'pattern' (a regular expression)`);
    const problem = portabilityProblem(pattern as string);
    if (problem !== null) fail([...at, 'pattern'], `${where}: the pattern ${problem}`);
    if (!(pattern as string).startsWith('^'))
      fail(
        [...at, 'pattern'],
        `${where}: the pattern must start with ^ (patterns are anchored in both engines)`,
      );
    groups = new Set([...(pattern as string).matchAll(/\(\?<([a-z][a-z0-9_]*)>/g)].map((g) => g[1]!));
  } else if (pattern !== undefined) fail([...at, 'pattern'], `${where}: 'pattern' is only for regex formats`);

  const source = (key: string): Source | undefined => {
    const v = m[key];
    if (v === undefined) return undefined;
    const raw =
      typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>).from : v;
    const from = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(from) || from.length === 0 || !from.every((x) => typeof x === 'string' && x !== ''))
      fail([...at, key], `${where}: '${key}' needs 'from': a capture name or a list of keys`);
    if (groups !== null && decoder === 'regex' && key !== 'level')
      for (const g of from as string[])
        if (!groups.has(g))
          fail([...at, key], `${where}: '${key}' names '${g}', which is not a capture of the pattern`);
    return { from: from as string[] };
  };

  const spec: FormatSpec = {
    name: name as string,
    family,
    title: typeof m.title === 'string' ? m.title : (name as string),
    file,
    line: lineOf(at),
    decoder,
    priority: priority as number,
    requireKeys: [],
    fields: {},
    kv: m.kv !== false,
    levelFromMessage: m.level_from_message === true,
    examples: [],
  };
  if (typeof pattern === 'string') spec.pattern = pattern;
  if (m.require_keys !== undefined) {
    const r = m.require_keys;
    if (!Array.isArray(r) || !r.every((x) => typeof x === 'string'))
      fail([...at, 'require_keys'], `${where}: 'require_keys' must be a list of key names`);
    spec.requireKeys = r as string[];
  }
  const ts = source('timestamp');
  if (ts) {
    const kind = (m.timestamp as Record<string, unknown>).kind ?? 'iso8601';
    if (!TS_KINDS.includes(kind as TimestampKind))
      fail([...at, 'timestamp', 'kind'], `${where}: timestamp 'kind' must be one of ${TS_KINDS.join(', ')}`);
    spec.timestamp = { ...ts, kind: kind as TimestampKind };
  }
  const lv = source('level');
  if (lv) {
    const o = (typeof m.level === 'object' && !Array.isArray(m.level) ? m.level : {}) as Record<
      string,
      unknown
    >;
    const kind = o.kind ?? 'name';
    if (!LEVEL_KINDS.includes(kind as LevelKind))
      fail([...at, 'level', 'kind'], `${where}: level 'kind' must be one of ${LEVEL_KINDS.join(', ')}`);
    const map: Record<string, Level> = {};
    const rawMap = o.map ?? {};
    if (typeof rawMap !== 'object' || rawMap === null || Array.isArray(rawMap))
      fail([...at, 'level', 'map'], `${where}: level 'map' must map words to levels`);
    for (const [k, v] of Object.entries(rawMap as Record<string, unknown>)) {
      if (!LEVELS.includes(v as Level))
        fail(
          [...at, 'level', 'map', k],
          `${where}: level '${k}' maps to '${v}'; use one of ${LEVELS.join(', ')}`,
        );
      map[k.toLowerCase()] = v as Level;
    }
    spec.level = { ...lv, kind: kind as LevelKind, map };
  }
  const comp = source('component');
  if (comp) spec.component = comp;
  const msg = source('message');
  if (msg) spec.message = msg;
  if (decoder === 'regex' && !spec.message)
    fail(at, `${where}: a regex format needs 'message' (the capture holding the message body)`);
  if (m.fields !== undefined) {
    if (typeof m.fields !== 'object' || m.fields === null || Array.isArray(m.fields))
      fail([...at, 'fields'], `${where}: 'fields' maps captures/keys to ECS field names`);
    for (const [k, v] of Object.entries(m.fields as Record<string, unknown>)) {
      if (typeof v !== 'string' || !/^[a-z@_][\w.@]*$/.test(v))
        fail([...at, 'fields', k], `${where}: field '${k}' must map to an ECS name like process.pid`);
      if (groups !== null && decoder === 'regex' && !groups.has(k))
        fail([...at, 'fields', k], `${where}: field '${k}' is not a capture of the pattern`);
      spec.fields[k] = v as string;
    }
  }
  if (m.multiline_start !== undefined) {
    const s = m.multiline_start;
    const problem = typeof s === 'string' ? portabilityProblem(s) : 'must be a regular expression';
    if (problem !== null) fail([...at, 'multiline_start'], `${where}: multiline_start ${problem}`);
    spec.multilineStart = s as string;
  }
  const ex = m.examples ?? [];
  if (!Array.isArray(ex)) fail([...at, 'examples'], `${where}: 'examples' must be a list`);
  spec.examples = (ex as unknown[]).map((e, j): FormatExample => {
    const p = [...at, 'examples', j];
    if (typeof e !== 'object' || e === null || typeof (e as FormatExample).line !== 'string')
      fail(p, `${where}: example #${j + 1} needs 'line' (a log line) and 'expect'`);
    const out = e as FormatExample;
    return { line: out.line, expect: out.expect ?? {}, ...(out.ref ? { ref: out.ref } : {}) };
  });
  return spec;
}
