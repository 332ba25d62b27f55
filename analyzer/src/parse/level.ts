import type { Level } from '../core/types.ts';
import type { LevelKind } from './catalog/schema.ts';

// Names seen in the wild (syslog, log4j, JUL, Python, Go zap/klog, pino, winston, Serilog, GCP, PostgreSQL,
// MySQL, Android) folded onto our eight levels. syslog `alert`/`emerg` are severities (CRITICAL/FATAL),
// never the alerting breadcrumb category.
export const LEVEL_NAMES: Readonly<Record<string, Level>> = {
  trace: 'TRACE',
  verbose: 'TRACE',
  silly: 'TRACE',
  finest: 'TRACE',
  finer: 'TRACE',
  v: 'TRACE',
  t: 'TRACE',
  debug: 'DEBUG',
  debug1: 'DEBUG',
  debug2: 'DEBUG',
  debug3: 'DEBUG',
  debug4: 'DEBUG',
  debug5: 'DEBUG',
  dbg: 'DEBUG',
  fine: 'DEBUG',
  config: 'DEBUG',
  http: 'DEBUG',
  d: 'DEBUG',
  info: 'INFO',
  information: 'INFO',
  informational: 'INFO',
  notice: 'INFO',
  note: 'INFO',
  system: 'INFO',
  log: 'INFO',
  default: 'INFO',
  i: 'INFO',
  n: 'INFO',
  warn: 'WARN',
  warning: 'WARN',
  w: 'WARN',
  error: 'ERROR',
  err: 'ERROR',
  eror: 'ERROR',
  e: 'ERROR',
  critical: 'CRITICAL',
  crit: 'CRITICAL',
  severe: 'CRITICAL',
  dpanic: 'CRITICAL',
  alert: 'CRITICAL',
  c: 'CRITICAL',
  fatal: 'FATAL',
  emerg: 'FATAL',
  emergency: 'FATAL',
  panic: 'FATAL',
  f: 'FATAL',
};

// The words the seed format has always accepted (its level field is a closed vocabulary: anything else makes
// the line unparsed there, so the seed format stays exactly as it was).
const SEED_WORDS = new Set([
  'trace',
  'debug',
  'fine',
  'info',
  'information',
  'notice',
  'warn',
  'warning',
  'error',
  'err',
  'critical',
  'crit',
  'severe',
  'fatal',
  'alert',
  'emerg',
  'emergency',
  'panic',
]);

/** The seed format's level word → level; UNKNOWN for words it never accepted. */
export function seedLevel(word: string): Level {
  const w = word.toLowerCase();
  if (w === 'alert') return 'FATAL'; // what the seed format always made of it
  return SEED_WORDS.has(w) ? (LEVEL_NAMES[w] ?? 'UNKNOWN') : 'UNKNOWN';
}

/** syslog severity 0…7 (RFC 5424 §6.2.1), in order. */
export const SYSLOG_SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** Normalise a level name or pino-style number; UNKNOWN when unrecognised. */
export function normaliseLevel(value: unknown): Level {
  if (typeof value === 'string') return LEVEL_NAMES[value.toLowerCase()] ?? 'UNKNOWN';
  if (typeof value === 'number') return pinoLevel(value);
  return 'UNKNOWN';
}

function pinoLevel(n: number): Level {
  if (n >= 60) return 'FATAL';
  if (n >= 50) return 'ERROR';
  if (n >= 40) return 'WARN';
  if (n >= 30) return 'INFO';
  if (n >= 20) return 'DEBUG';
  return 'TRACE';
}

/** HTTP status → level for access logs: 5xx ERROR, 4xx WARN, the rest INFO. */
function httpLevel(n: number): Level {
  if (n >= 500) return 'ERROR';
  if (n >= 400) return 'WARN';
  if (n >= 100) return 'INFO';
  return 'UNKNOWN';
}

/**
 * A level as a format writes it → [normalised, as written]. `map` is the format's own vocabulary (keys
 * lower-case, tried first). For syslog PRI the written form is the severity keyword (`<11>` → `err`).
 */
export function levelOf(
  raw: unknown,
  kind: LevelKind,
  map: Readonly<Record<string, Level>> | undefined,
): Level {
  if (raw === undefined || raw === null || raw === '') return 'UNKNOWN';
  switch (kind) {
    case 'name': {
      if (typeof raw === 'number') return pinoLevel(raw);
      const s = String(raw);
      const own = map === undefined ? undefined : map[s.toLowerCase()];
      return own ?? LEVEL_NAMES[s.toLowerCase()] ?? LEVEL_NAMES[s.trim().toLowerCase()] ?? 'UNKNOWN';
    }
    case 'pino': {
      const n = Number(raw);
      return Number.isFinite(n) && String(raw).trim() !== '' ? pinoLevel(n) : levelOf(raw, 'name', map);
    }
    case 'http-status':
      return httpLevel(Number(raw));
    case 'syslog-pri':
    case 'syslog-severity': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) return levelOf(raw, 'name', map);
      const sev = kind === 'syslog-pri' ? n % 8 : n;
      return sev > 7 ? 'UNKNOWN' : (LEVEL_NAMES[SYSLOG_SEVERITY_NAMES[sev]!] ?? 'UNKNOWN');
    }
  }
}

/** The level as written, for ECS log.level: syslog numbers become their keyword. */
export function writtenLevel(raw: unknown, kind: LevelKind): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (kind === 'syslog-pri' || kind === 'syslog-severity') {
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 0) return SYSLOG_SEVERITY_NAMES[kind === 'syslog-pri' ? n % 8 : n];
  }
  return String(raw);
}
