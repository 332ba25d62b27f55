// Catalog entry → a fast parser. Patterns are compiled once; captures are read by index (no m.groups object);
// every Parts object is built in one shape so the hot path stays monomorphic.
import type { EcsFields, EventFormat, FieldValue, Level } from '../core/types.ts';
import type { FormatSpec } from './catalog/schema.ts';
import { flattenJson, parseJsonObject, take } from './json.ts';
import { extractKeyValues, typedValue } from './kv.ts';
import { levelOf, writtenLevel } from './level.ts';
import { groupIndices } from './pattern.ts';
import { parsePlain } from './plain.ts';
import { parseTimestamp, timestampReason } from './timestamp.ts';

/** What a format makes of one line (the event's position comes from the line). */
export interface Parts {
  format: EventFormat;
  formatName: string;
  timestamp: number | null;
  timestampReason: string | undefined;
  level: Level;
  rawLevel: string | undefined;
  component: string;
  message: string;
  fields: Record<string, FieldValue>;
  ecs: EcsFields | undefined;
  traceId: string | undefined;
  spanId: string | undefined;
}

/** A container wrapper's view of a line: the inner line to parse again, and the wrapper's own data. */
export interface Unwrapped {
  inner: string;
  timestamp: number | null;
  stream: string;
  /** CRI `P`: a partial line, to be joined with what follows up to the next `F`. */
  partial: boolean;
}

export interface CompiledFormat {
  readonly spec: FormatSpec;
  readonly name: string;
  /** Position in the catalog (numbers, not names, key the detector's counters). */
  readonly index: number;
  readonly kind: EventFormat;
  readonly wrapper: boolean;
  /** Parse a line; null when it is not in this format. refMs: reference time for year-less timestamps. */
  parse(text: string, refMs: number): Parts | null;
  /** Wrappers only: the inner line, or null. */
  unwrap(text: string, refMs: number): Unwrapped | null;
  /** When the format declares a multi-line start rule: does this line start an event? (true otherwise) */
  startsEvent(text: string): boolean;
}

// Generic JSON key lists (what the analyzer always understood): tried after a format's own keys.
const JSON_TIME = ['@timestamp', 'timestamp', 'time', 'ts'];
const JSON_LEVEL = ['log.level', 'level', 'severity', 'levelname', 'lvl'];
const JSON_COMPONENT = ['service.name', 'service', 'component', 'logger', 'logger_name', 'app'];
const JSON_MESSAGE = ['message', 'msg', 'event.original'];
const TRACE_KEYS = ['trace_id', 'trace.id', 'traceId'];
const SPAN_KEYS = ['span_id', 'span.id', 'spanId'];
const LOGFMT_TIME = ['ts', 'time', 't', 'timestamp'];
const LOGFMT_LEVEL = ['level', 'lvl', 'severity'];
const LOGFMT_COMPONENT = ['component', 'logger', 'module', 'service'];
const LOGFMT_MESSAGE = ['msg', 'message'];

/** The keys a json/logfmt format reads each part from, in order (its own, then the generic ones). */
export function structuredKeys(spec: FormatSpec): {
  timestamp: string[];
  level: string[];
  component: string[];
  message: string[];
  trace: string[];
  span: string[];
} {
  const json = spec.decoder === 'json';
  return {
    timestamp: merge(spec.timestamp?.from, json ? JSON_TIME : LOGFMT_TIME),
    level: merge(spec.level?.from, json ? JSON_LEVEL : LOGFMT_LEVEL),
    component: merge(spec.component?.from, json ? JSON_COMPONENT : LOGFMT_COMPONENT),
    message: merge(spec.message?.from, json ? JSON_MESSAGE : LOGFMT_MESSAGE),
    trace: TRACE_KEYS,
    span: SPAN_KEYS,
  };
}

const merge = (own: string[] | undefined, generic: string[]) =>
  own === undefined ? generic : [...own, ...generic.filter((k) => !own.includes(k))];

function parts(format: EventFormat, name: string): Parts {
  return {
    format,
    formatName: name,
    timestamp: null,
    timestampReason: undefined,
    level: 'UNKNOWN',
    rawLevel: undefined,
    component: '',
    message: '',
    fields: {},
    ecs: undefined,
    traceId: undefined,
    spanId: undefined,
  };
}

function traceFrom(p: Parts): void {
  const f = p.fields;
  const trace = p.ecs?.['trace.id'] ?? f.trace_id ?? f.traceId;
  if (trace !== undefined && trace !== null) p.traceId = String(trace);
  const span = p.ecs?.['span.id'] ?? f.span_id ?? f.spanId;
  if (span !== undefined && span !== null) p.spanId = String(span);
}

export function compileFormat(spec: FormatSpec, index: number): CompiledFormat {
  const start = spec.multilineStart === undefined ? null : new RegExp(spec.multilineStart);
  const base = {
    spec,
    name: spec.name,
    index,
    wrapper: spec.decoder === 'docker-json' || spec.decoder === 'cri',
    startsEvent: start === null ? () => true : (text: string) => start.test(text),
    unwrap: (_text: string, _refMs: number): Unwrapped | null => null,
  };
  switch (spec.decoder) {
    case 'seed':
      return { ...base, kind: 'plain', parse: seedParser(spec) };
    case 'regex':
      return { ...base, kind: 'plain', parse: regexParser(spec) };
    case 'json':
      return { ...base, kind: 'json', parse: structuredParser(spec, 'json') };
    case 'logfmt':
      return { ...base, kind: 'plain', parse: structuredParser(spec, 'logfmt') };
    case 'docker-json':
      return { ...base, kind: 'json', parse: () => null, unwrap: dockerUnwrap };
    case 'cri':
      return { ...base, kind: 'plain', parse: () => null, unwrap: criUnwrap };
  }
}

function seedParser(spec: FormatSpec) {
  const name = spec.name;
  return (text: string): Parts | null => {
    const plain = parsePlain(text);
    if (plain === null) return null;
    const p = parts('plain', name);
    p.timestamp = plain.timestamp;
    p.level = plain.level;
    p.rawLevel = plain.rawLevel;
    p.component = plain.component;
    p.message = plain.message;
    extractKeyValues(plain.message, p.fields);
    traceFrom(p);
    return p;
  };
}

function regexParser(spec: FormatSpec) {
  const re = new RegExp(spec.pattern!);
  const idx = groupIndices(spec.pattern!);
  const at = (name: string | undefined) => (name === undefined ? -1 : (idx.get(name) ?? -1));
  const tsAt = at(spec.timestamp?.from[0]);
  const tsKind = spec.timestamp?.kind ?? 'iso8601';
  // A level named by a capture is read from it; one named by a key is looked up in the message's k=v pairs.
  const levelAt = at(spec.level?.from[0]);
  const levelKeys = levelAt === -1 && spec.level ? spec.level.from : null;
  const levelKind = spec.level?.kind ?? 'name';
  const levelMap = spec.level?.map;
  const compAt = (spec.component?.from ?? []).map((n) => at(n)).filter((i) => i > 0);
  const msgAt = at(spec.message!.from[0]);
  const ecsAt = Object.entries(spec.fields).map(([cap, ecs]) => [at(cap), ecs] as const);
  const kv = spec.kv;
  const sniff = spec.levelFromMessage;
  const name = spec.name;
  return (text: string, refMs: number): Parts | null => {
    const m = re.exec(text);
    if (m === null) return null;
    const p = parts('plain', name);
    if (tsAt > 0) {
      p.timestamp = parseTimestamp(m[tsAt], tsKind, refMs);
      if (p.timestamp === null) p.timestampReason = timestampReason();
    }
    p.message = m[msgAt] ?? '';
    for (const i of compAt) {
      const c = m[i];
      if (c !== undefined && c !== '') {
        p.component = c.trim();
        break;
      }
    }
    if (ecsAt.length > 0) {
      const ecs: EcsFields = {};
      for (const [i, key] of ecsAt) {
        const v = m[i];
        if (v !== undefined && v !== '' && v !== '-') ecs[key] = typedValue(v);
      }
      p.ecs = ecs;
    }
    if (kv) extractKeyValues(p.message, p.fields);
    let raw: FieldValue | undefined;
    if (levelAt > 0) raw = m[levelAt];
    else if (levelKeys !== null) raw = take(p.fields, levelKeys);
    if (raw !== undefined && raw !== null) {
      p.level = levelOf(raw, levelKind, levelMap);
      p.rawLevel = writtenLevel(raw, levelKind);
    }
    if (sniff && p.level === 'UNKNOWN') {
      const w = MESSAGE_LEVEL.exec(p.message);
      if (w !== null) {
        p.level = levelOf(w[1], 'name', levelMap);
        p.rawLevel = w[1];
      }
    }
    traceFrom(p);
    return p;
  };
}

// A level word leading a message (`error: …`, `<warning> …`, `[crit] …`), for formats whose header has none.
const MESSAGE_LEVEL =
  /^[[<(]?(emerg|alert|crit|critical|err|error|warn|warning|notice|info|debug|fatal|panic|EMERG|ALERT|CRIT|CRITICAL|ERR|ERROR|WARN|WARNING|NOTICE|INFO|DEBUG|FATAL|PANIC|Error|Warning|Fatal)\b[\]>):]?/;

/** json and logfmt: a flat key → value map, then the format's keys (before the generic ones) pick the parts. */
function structuredParser(spec: FormatSpec, how: 'json' | 'logfmt') {
  const json = how === 'json';
  const timeKeys = merge(spec.timestamp?.from, json ? JSON_TIME : LOGFMT_TIME);
  const tsKind = spec.timestamp?.kind ?? 'iso8601';
  const levelKeys = merge(spec.level?.from, json ? JSON_LEVEL : LOGFMT_LEVEL);
  const levelKind = spec.level?.kind ?? 'name';
  const levelMap = spec.level?.map;
  const compKeys = merge(spec.component?.from, json ? JSON_COMPONENT : LOGFMT_COMPONENT);
  const msgKeys = merge(spec.message?.from, json ? JSON_MESSAGE : LOGFMT_MESSAGE);
  const required = spec.requireKeys;
  const ecsKeys = Object.entries(spec.fields);
  const name = spec.name;
  return (text: string, refMs: number): Parts | null => {
    let flat: Record<string, FieldValue>;
    if (json) {
      const cached = parseJsonObject(text);
      if (cached === null) return null;
      for (const k of required) if (!(k in cached)) return null;
      flat = { ...cached };
    } else {
      if (!startsWithKey(text)) return null;
      flat = {};
      extractKeyValues(text, flat);
      for (const k of required) if (!(k in flat)) return null;
      if (!anyKey(flat, msgKeys) && !anyKey(flat, levelKeys) && !anyKey(flat, timeKeys)) return null;
    }
    const p = parts(json ? 'json' : 'plain', name);
    const t = take(flat, timeKeys);
    p.timestamp = t === undefined ? null : parseTimestamp(t, tsKind, refMs);
    if (p.timestamp === null) p.timestampReason = t === undefined ? 'missing' : timestampReason();
    const lv = take(flat, levelKeys);
    if (lv !== undefined && lv !== null) {
      p.level = levelOf(lv, levelKind, levelMap);
      p.rawLevel = writtenLevel(lv, levelKind);
    }
    p.component = String(take(flat, compKeys) ?? '');
    const msg = take(flat, msgKeys);
    // A logfmt line without msg= (Prometheus' `level=info fd_limits=…`): the line itself says what happened.
    p.message = msg === undefined || msg === null ? (json ? '' : text) : String(msg);
    if (ecsKeys.length > 0) {
      const ecs: EcsFields = {};
      for (const [k, target] of ecsKeys) {
        if (k in flat) {
          ecs[target] = flat[k]!;
          delete flat[k];
        }
      }
      p.ecs = ecs;
    }
    const trace = take(flat, TRACE_KEYS);
    if (trace !== undefined && trace !== null) p.traceId = String(trace);
    else if (p.ecs?.['trace.id'] !== undefined) p.traceId = String(p.ecs['trace.id']);
    const span = take(flat, SPAN_KEYS);
    if (span !== undefined && span !== null) p.spanId = String(span);
    else if (p.ecs?.['span.id'] !== undefined) p.spanId = String(p.ecs['span.id']);
    p.fields = flat;
    if (json) extractKeyValues(p.message, p.fields);
    return p;
  };
}

function anyKey(flat: Record<string, FieldValue>, keys: string[]): boolean {
  for (const k of keys) if (k in flat) return true;
  return false;
}

/** logfmt lines begin with `key=`. */
function startsWithKey(text: string): boolean {
  const c = text.charCodeAt(0);
  if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) return false;
  for (let i = 1; i < text.length && i < 64; i++) {
    const d = text.charCodeAt(i);
    if (d === 61) return true;
    if (
      !(
        (d >= 97 && d <= 122) ||
        (d >= 65 && d <= 90) ||
        (d >= 48 && d <= 57) ||
        d === 95 ||
        d === 46 ||
        d === 45
      )
    )
      return false;
  }
  return false;
}

function dockerUnwrap(text: string, refMs: number): Unwrapped | null {
  const flat = parseJsonObject(text);
  if (flat === null) return null;
  const log = flat.log;
  if (typeof log !== 'string' || typeof flat.stream !== 'string' || !('time' in flat)) return null;
  const inner = log.endsWith('\n') ? log.slice(0, log.endsWith('\r\n') ? -2 : -1) : log;
  // json-file splits lines over 16 KiB: such a piece has no trailing newline and continues in the next record.
  return {
    inner,
    timestamp: parseTimestamp(flat.time, 'iso8601', refMs),
    stream: flat.stream,
    partial: !log.endsWith('\n'),
  };
}

const CRI = /^(\S+) (stdout|stderr) ([PF])(?:\S*) ?(.*)$/;
function criUnwrap(text: string, refMs: number): Unwrapped | null {
  const m = CRI.exec(text);
  if (m === null) return null;
  const timestamp = parseTimestamp(m[1], 'iso8601', refMs);
  if (timestamp === null) return null;
  return { inner: m[4]!, timestamp, stream: m[2]!, partial: m[3] === 'P' };
}

export { flattenJson };
