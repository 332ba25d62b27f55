// Ingest pipeline for app logs shipped raw by Filebeat, GENERATED from the analyzer's format catalog
// (analyzer/formats/*.yml), so a line indexed through Filebeat and the same line analysed by crumbtrail get
// the same ECS fields: `log.level` as written, `crumbtrail.level` normalised, `crumbtrail.format`,
// `crumbtrail.component`, the format's ECS fields (`process.pid`, `client.address` …), key=value pairs in
// `crumbtrail.fields`.
//
//   1. container wrappers: Docker json-file (`json` → `log`) and CRI (`grok`) give the inner line;
//   2. JSON lines: `json` + `dot_expander`, the format chosen by its required keys (catalog priority order);
//   3. logfmt: `kv` on lines that start with `key=`;
//   4. every text format: one `grok` with the catalog's patterns (grok form: parse/grok.ts; multi-line
//      messages via `(?:.|\n)*`, Joni's `.` stops at `\n`), the matching one named by its marker capture;
//   5. `kv` only on the key=value part of the message (the text before the first `key=` is cut first: the kv
//      processor throws on any token without `=`);
//   6. `date` per timestamp shape, one `script` for level normalisation (the analyzer's own vocabulary).
// Differences that remain (documented in README): year-less timestamps take the current year here (the
// analyzer: the file's mtime), CRI partial lines are joined by Filebeat's container parser, not here.
// A line no format reads is kept (never dropped) and tagged crumbtrail_parse_failure.
import type { estypes } from '@elastic/elasticsearch';
import { builtinCatalog, type FormatSpec } from '../analyzer/src/parse/catalog/index.ts';
import { structuredKeys } from '../analyzer/src/parse/compile.ts';
import { grokCaptureNames, grokMarker, grokPrefix, toGrokPattern } from '../analyzer/src/parse/grok.ts';
import { LEVEL_NAMES, SYSLOG_SEVERITY_NAMES } from '../analyzer/src/parse/level.ts';
import { ES_DATE_FORMATS } from '../analyzer/src/parse/timestamp.ts';

export const INGEST_PIPELINE_NAME = 'crumbtrail-app-logs';
export const PARSE_FAILURE_TAG = 'crumbtrail_parse_failure';
export const KV_FAILURE_TAG = 'crumbtrail_kv_failure';

/**
 * The seed format's single-line grok in grok's named-pattern style, kept for callers that check drill lines
 * against it. The pipeline itself uses the catalog's seed pattern (multi-line aware, see toGrokPattern).
 */
export const PLAIN_GROK =
  '^\\[%{TIMESTAMP_ISO8601:_crumb.ts}\\] %{WORD:log.level} - \\[%{DATA:service.name}\\] %{GREEDYDATA:message}$';

type Processor = estypes.IngestProcessorContainer;

const FMT = 'ctx._crumb?.fmt';
const isFmt = (name: string) => `${FMT} == '${name}'`;
const oneOf = (names: string[]) =>
  names.length === 1 ? isFmt(names[0]!) : `[${names.map((n) => `'${n}'`).join(', ')}].contains(${FMT})`;
const STARTS_JSON = "ctx.message instanceof String && ctx.message.trim().startsWith('{')";
// `key=` at the very start (no space before the first `=`): the logfmt test, without a regex.
const STARTS_KEY =
  "ctx.message instanceof String && ctx.message.indexOf('=') > 0 && ctx.message.indexOf('=') < 64 && !ctx.message.substring(0, ctx.message.indexOf('=')).contains(' ')";
/** kv splits only where a new `key=` begins, so quoted values keep their spaces. */
const KV_FIELD_SPLIT = '\\s+(?=[A-Za-z_][\\w.-]*=)';
/** Everything before the first `key=` of a message (the prose part, which would make kv throw). */
const BEFORE_FIRST_KEY = '^.*?(?:^|\\s)(?=[A-Za-z_][\\w.-]*=)';
const MESSAGE_LEVEL_GROK =
  '\\A[\\[<(]?(?<crumbl_word>emerg|alert|crit|critical|err|error|warn|warning|notice|info|debug|fatal|panic|EMERG|ALERT|CRIT|CRITICAL|ERR|ERROR|WARN|WARNING|NOTICE|INFO|DEBUG|FATAL|PANIC|Error|Warning|Fatal)\\b';

/** Painless: is the dotted `key` present in the map at `root` (after dot_expander: nested maps)? */
function hasPath(root: string, key: string): string {
  const parts = key.split('.');
  const checks: string[] = [];
  let at = root;
  for (let i = 0; i < parts.length - 1; i++) {
    at = `${at}['${parts[i]}']`;
    checks.push(`${at} instanceof Map`);
  }
  const last = parts[parts.length - 1]!;
  const parent = parts.length === 1 ? root : at;
  checks.push(`${parent}.containsKey('${last}')`);
  return checks.join(' && ');
}

/** `set` from the first present of `keys` under `base`: written in reverse, so the first present wins. */
function firstOf(base: string, keys: string[], field: string, cond: string): Processor[] {
  return [...keys].reverse().map((k) => ({
    set: { field, copy_from: `${base}.${k}`, ignore_empty_value: true, if: cond },
  }));
}

function wrappers(): Processor[] {
  const unwrapped = 'ctx._crumb?.wrapper != null';
  return [
    // Docker json-file: the record is JSON with log/stream/time; its `log` is the application's line.
    { json: { field: 'message', target_field: '_crumb.json', if: STARTS_JSON, ignore_failure: true } },
    {
      set: {
        field: '_crumb.wrapper',
        value: 'docker-json',
        if: 'ctx._crumb?.json?.log instanceof String && ctx._crumb.json.stream != null && ctx._crumb.json.time != null',
      },
    },
    { set: { field: 'stream', copy_from: '_crumb.json.stream', if: unwrapped } },
    { set: { field: '_crumb.wrapper_ts', copy_from: '_crumb.json.time', if: unwrapped } },
    { set: { field: 'message', copy_from: '_crumb.json.log', if: unwrapped } },
    { gsub: { field: 'message', pattern: '\\r?\\n$', replacement: '', if: unwrapped } },
    { remove: { field: '_crumb.json', if: unwrapped } },
    // CRI (containerd, CRI-O): `<time> <stream> <P|F> <line>`.
    {
      grok: {
        field: 'message',
        patterns: [
          '\\A(?<crumbw_ts>\\S+) (?<crumbw_stream>stdout|stderr) (?<crumbw_tag>[PF])\\S* ?(?<crumbw_msg>(?:.|\\n)*)$',
        ],
        if: `ctx._crumb?.json == null && ${unwrapped.replace('!=', '==')}`,
        ignore_failure: true,
      },
    },
    { set: { field: '_crumb.wrapper', value: 'cri', if: 'ctx.crumbw_msg != null' } },
    { set: { field: 'stream', copy_from: 'crumbw_stream', if: 'ctx.crumbw_msg != null' } },
    { set: { field: '_crumb.wrapper_ts', copy_from: 'crumbw_ts', if: 'ctx.crumbw_msg != null' } },
    { set: { field: 'message', copy_from: 'crumbw_msg', if: 'ctx.crumbw_msg != null' } },
    {
      remove: {
        field: ['crumbw_ts', 'crumbw_stream', 'crumbw_tag', 'crumbw_msg'],
        ignore_missing: true,
      },
    },
    // The inner line of a wrapper may itself be JSON.
    {
      json: {
        field: 'message',
        target_field: '_crumb.json',
        if: `ctx._crumb?.json == null && ${STARTS_JSON}`,
        ignore_failure: true,
      },
    },
  ];
}

/** JSON and logfmt: pick the format by its keys, then copy each part from its first present key. */
function structured(formats: FormatSpec[], base: '_crumb.json' | '_crumb.kvline'): Processor[] {
  const root = base === '_crumb.json' ? 'ctx._crumb.json' : 'ctx._crumb.kvline';
  const present = `ctx._crumb?.${base.split('.')[1]} != null`;
  const out: Processor[] = [];
  for (const f of formats) {
    const keys = structuredKeys(f);
    const needs = f.requireKeys.map((k) => hasPath(root, k));
    if (f.decoder === 'logfmt')
      needs.push(
        `(${[...keys.message, ...keys.level, ...keys.timestamp].map((k) => hasPath(root, k)).join(' || ')})`,
      );
    out.push({
      set: {
        field: '_crumb.fmt',
        value: f.name,
        if: [present, `${FMT} == null`, ...needs].join(' && '),
      },
    });
  }
  for (const f of formats) {
    const keys = structuredKeys(f);
    const cond = isFmt(f.name);
    // JSON without a message key gives '' (as the analyzer); logfmt keeps its line.
    if (f.decoder === 'json') out.push({ set: { field: 'message', value: '', if: cond } });
    out.push(...firstOf(base, keys.message, 'message', cond));
    out.push(...firstOf(base, keys.timestamp, '_crumb.ts', cond));
    out.push(...firstOf(base, keys.level, '_crumb.level_raw', cond));
    out.push(...firstOf(base, keys.component, 'crumbtrail.component', cond));
    out.push(...firstOf(base, keys.trace, 'trace.id', cond));
    out.push(...firstOf(base, keys.span, 'span.id', cond));
    for (const [k, ecs] of Object.entries(f.fields))
      out.push({ set: { field: ecs, copy_from: `${base}.${k}`, ignore_empty_value: true, if: cond } });
  }
  return out;
}

/** Every regex/seed format in one grok (detection order), then each one's captures moved to ECS fields. */
function textFormats(formats: { spec: FormatSpec; index: number }[]): Processor[] {
  const out: Processor[] = [
    {
      grok: {
        field: 'message',
        patterns: formats.map((f) => toGrokPattern(f.spec, f.index)),
        if: `${FMT} == null && ctx.message instanceof String`,
        on_failure: [{ append: { field: 'tags', value: [PARSE_FAILURE_TAG] } }],
      },
    },
  ];
  for (const { spec, index } of formats) {
    const cap = (name: string) => `${grokPrefix(index)}${name}`;
    const cond = `ctx.${grokMarker(index)} != null`;
    out.push({ set: { field: '_crumb.fmt', value: spec.name, if: cond } });
    const ts = spec.timestamp?.from[0];
    if (ts !== undefined)
      out.push({ set: { field: '_crumb.ts', copy_from: cap(ts), if: cond, ignore_empty_value: true } });
    const level = spec.level?.from[0];
    if (level !== undefined && spec.pattern?.includes(`(?<${level}>`))
      out.push({
        set: { field: '_crumb.level_raw', copy_from: cap(level), if: cond, ignore_empty_value: true },
      });
    for (const c of [...(spec.component?.from ?? [])].reverse())
      out.push({
        set: { field: 'crumbtrail.component', copy_from: cap(c), if: cond, ignore_empty_value: true },
      });
    out.push({
      set: { field: 'message', copy_from: cap(spec.message!.from[0]!), if: cond, ignore_empty_value: false },
    });
    for (const [c, ecs] of Object.entries(spec.fields))
      out.push({
        set: {
          field: ecs,
          copy_from: cap(c),
          if: `${cond} && ctx.${cap(c)} != '-'`,
          ignore_empty_value: true,
        },
      });
    out.push({ remove: { field: grokCaptureNames(spec, index), ignore_missing: true, if: cond } });
  }
  return out;
}

/** key=value pairs of the message, for the formats that read them (the JS side: parse/kv.ts). */
function keyValues(kvFormats: string[], levelFromKv: FormatSpec[]): Processor[] {
  const out: Processor[] = [
    {
      gsub: {
        field: 'message',
        pattern: BEFORE_FIRST_KEY,
        replacement: '',
        target_field: '_crumb.kv',
        if: `(${oneOf(kvFormats)}) && ctx.message instanceof String && ctx.message.contains('=')`,
      },
    },
    {
      kv: {
        field: '_crumb.kv',
        field_split: KV_FIELD_SPLIT,
        value_split: '=',
        target_field: 'crumbtrail.fields',
        strip_brackets: true,
        ignore_missing: true,
        if: "ctx._crumb?.kv instanceof String && ctx._crumb.kv.contains('=')",
        on_failure: [{ append: { field: 'tags', value: [KV_FAILURE_TAG] } }],
      },
    },
  ];
  for (const f of levelFromKv)
    out.push(...firstOf('crumbtrail.fields', f.level!.from, '_crumb.level_raw', isFmt(f.name)));
  return out;
}

/** One `date` per timestamp shape; the wrapper's time when the inner line had none. */
function dates(formats: FormatSpec[]): Processor[] {
  const out: Processor[] = [
    {
      // Epoch s / ms / µs / ns told apart by magnitude, as the analyzer does (parse/timestamp.ts).
      script: {
        lang: 'painless',
        if: 'ctx._crumb?.ts != null',
        source: [
          'def t = ctx._crumb.ts; Double v = null;',
          'if (t instanceof Number) { v = ((Number) t).doubleValue(); }',
          'else if (t instanceof String && ((String) t).length() >= 9 && ((String) t).length() <= 21) { try { v = Double.parseDouble((String) t); } catch (NumberFormatException e) { v = null; } }',
          'if (v != null) { double a = Math.abs(v); long ms = a < 1e11 ? (long) (v * 1000) : a < 1e14 ? (long) v.doubleValue() : a < 1e17 ? (long) (v / 1000) : (long) (v / 1e6); ctx._crumb.ts = Long.toString(ms); }',
        ].join(' '),
      },
    },
  ];
  const byKind = new Map<string, string[]>();
  for (const f of formats) {
    if (!f.timestamp) continue;
    byKind.set(f.timestamp.kind, [...(byKind.get(f.timestamp.kind) ?? []), f.name]);
  }
  for (const [kind, names] of byKind) {
    out.push({
      date: {
        field: '_crumb.ts',
        target_field: '@timestamp',
        formats: ['UNIX_MS', ...ES_DATE_FORMATS[kind as keyof typeof ES_DATE_FORMATS]],
        timezone: 'UTC',
        if: `ctx._crumb?.ts != null && (${oneOf(names)})`,
        on_failure: [{ set: { field: 'crumbtrail.timestamp_reason', value: 'unparseable' } }],
      },
    });
  }
  out.push({
    date: {
      field: '_crumb.wrapper_ts',
      target_field: '@timestamp',
      formats: ['ISO8601'],
      timezone: 'UTC',
      if: 'ctx._crumb?.wrapper_ts != null && ctx._crumb?.ts == null',
      on_failure: [{ set: { field: 'crumbtrail.timestamp_reason', value: 'unparseable' } }],
    },
  });
  return out;
}

/** The level as written → `log.level`; normalised (the analyzer's vocabulary and number scales) → `crumbtrail.level`. */
function levels(formats: FormatSpec[]): Processor {
  const perFormat: Record<string, { kind: string; map: Record<string, string> }> = {};
  for (const f of formats) perFormat[f.name] = { kind: f.level?.kind ?? 'name', map: f.level?.map ?? {} };
  return {
    script: {
      lang: 'painless',
      if: `${FMT} != null`,
      params: { formats: perFormat, names: { ...LEVEL_NAMES }, syslog: SYSLOG_SEVERITY_NAMES },
      source: [
        'if (ctx.crumbtrail == null) { ctx.crumbtrail = new HashMap(); }',
        "def raw = ctx._crumb.level_raw; String out = 'UNKNOWN';",
        "def f = params.formats[ctx._crumb.fmt]; String kind = f == null ? 'name' : f.kind;",
        "if (raw != null && raw.toString() != '') {",
        '  String s = raw.toString().trim(); Integer n = null;',
        '  try { n = Integer.parseInt(s); } catch (NumberFormatException e) { n = null; }',
        "  if (kind == 'http-status') { if (n != null) { out = n >= 500 ? 'ERROR' : n >= 400 ? 'WARN' : n >= 100 ? 'INFO' : 'UNKNOWN'; } }",
        "  else if ((kind == 'syslog-pri' || kind == 'syslog-severity') && n != null && n >= 0) { int sev = kind == 'syslog-pri' ? n % 8 : n; if (sev <= 7) { s = params.syslog[sev]; out = params.names[s]; } }",
        "  else if (n != null && (kind == 'pino' || raw instanceof Number)) { out = n >= 60 ? 'FATAL' : n >= 50 ? 'ERROR' : n >= 40 ? 'WARN' : n >= 30 ? 'INFO' : n >= 20 ? 'DEBUG' : 'TRACE'; }",
        '  else { String w = s.toLowerCase(); if (f != null && f.map.containsKey(w)) { out = f.map[w]; } else if (params.names.containsKey(w)) { out = params.names[w]; } }',
        '  ctx.log = ctx.log instanceof Map ? ctx.log : new HashMap(); ctx.log.level = s;',
        '}',
        'ctx.crumbtrail.level = out;',
      ].join('\n'),
    },
  };
}

export function ingestPipeline(): estypes.IngestPutPipelineRequest {
  const catalog = builtinCatalog();
  const all = catalog.formats.map((f) => f.spec);
  const byPriority = catalog.byPriority;
  const json = byPriority.filter((f) => f.spec.decoder === 'json').map((f) => f.spec);
  const logfmt = byPriority.filter((f) => f.spec.decoder === 'logfmt').map((f) => f.spec);
  const text = byPriority
    .filter((f) => f.spec.decoder === 'regex' || f.spec.decoder === 'seed')
    .map((f) => ({ spec: f.spec, index: f.index }));
  const kvFormats = [...json, ...text.map((t) => t.spec)].filter((f) => f.kv).map((f) => f.name);
  const levelFromKv = text
    .map((t) => t.spec)
    .filter((f) => f.level !== undefined && !f.pattern?.includes(`(?<${f.level.from[0]}>`));
  const sniff = text
    .map((t) => t.spec)
    .filter((f) => f.levelFromMessage)
    .map((f) => f.name);
  return {
    id: INGEST_PIPELINE_NAME,
    description: `crumbtrail: ${all.length} log formats from the analyzer's catalog (analyzer/formats) to ECS`,
    _meta: { managed_by: 'crumbtrail provision', formats: all.map((f) => f.name).join(',') },
    processors: [
      { set: { field: 'event.original', copy_from: 'message', override: false, ignore_empty_value: true } },
      ...wrappers(),
      { dot_expander: { field: '*', path: '_crumb.json', if: 'ctx._crumb?.json != null' } },
      ...structured(json, '_crumb.json'),
      {
        kv: {
          field: 'message',
          field_split: KV_FIELD_SPLIT,
          value_split: '=',
          target_field: '_crumb.kvline',
          strip_brackets: true,
          if: `${FMT} == null && ctx._crumb?.json == null && ${STARTS_KEY}`,
          ignore_failure: true, // a text line that merely starts like `a=b c` is not logfmt: the grok below reads it
        },
      },
      ...structured(logfmt, '_crumb.kvline'),
      ...textFormats(text),
      ...keyValues(kvFormats, levelFromKv),
      {
        grok: {
          field: 'message',
          patterns: [MESSAGE_LEVEL_GROK],
          if: `ctx._crumb?.level_raw == null && (${oneOf(sniff)})`,
          ignore_failure: true, // most messages start with no level word
        },
      },
      { set: { field: '_crumb.level_raw', copy_from: 'crumbl_word', if: 'ctx.crumbl_word != null' } },
      { remove: { field: 'crumbl_word', ignore_missing: true } },
      ...dates(all),
      levels(all),
      {
        set: {
          field: 'crumbtrail.format',
          value: '{{{_crumb.wrapper}}}/{{{_crumb.fmt}}}',
          if: `ctx._crumb?.wrapper != null && ${FMT} != null`,
        },
      },
      {
        set: {
          field: 'crumbtrail.format',
          copy_from: '_crumb.fmt',
          if: `ctx._crumb?.wrapper == null && ${FMT} != null`,
        },
      },
      {
        set: {
          field: 'crumbtrail.format',
          copy_from: '_crumb.wrapper',
          if: `ctx._crumb?.wrapper != null && ${FMT} == null`,
        },
      },
      { set: { field: 'crumbtrail.format', value: 'unparsed', override: false } },
      {
        set: {
          field: 'service.name',
          copy_from: 'crumbtrail.component',
          override: false,
          ignore_empty_value: true,
        },
      },
      { set: { field: 'event.kind', value: 'event' } },
      { set: { field: 'event.ingested', value: '{{{_ingest.timestamp}}}' } },
      { remove: { field: '_crumb', ignore_missing: true } },
    ],
    on_failure: [
      { set: { field: 'error.message', value: '{{{ _ingest.on_failure_message }}}' } },
      { append: { field: 'tags', value: [PARSE_FAILURE_TAG] } },
      { remove: { field: '_crumb', ignore_missing: true } },
    ],
  } satisfies estypes.IngestPutPipelineRequest;
}
