// Timestamp text → epoch ms (UTC), for every shape the catalog names. Never throws: a value that cannot be
// read, or lies outside 1970…2100, gives null and leaves its reason in `timestampReason()`.
// Times without a zone are read as UTC (as the seed format always was). Year-less shapes (syslog, klog,
// logcat) take the year of the reference time (the file's mtime, or now for stdin) and step back a year
// when that would put the line more than 14 h (the widest zone offset) after the reference.
import type { TimestampKind } from './catalog/schema.ts';

export const MIN_MS = 0;
export const MAX_MS = Date.UTC(2100, 0, 1);
const ZONE_SLACK_MS = 14 * 3600_000;

let reason = '';
/** Why the last parse gave null ('unparseable', 'out-of-range', 'missing'). */
export function timestampReason(): string {
  return reason;
}

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

function fail(why: string): null {
  reason = why;
  return null;
}

function checked(ms: number): number | null {
  if (!Number.isFinite(ms)) return fail('unparseable');
  if (ms < MIN_MS || ms >= MAX_MS) return fail('out-of-range');
  return Math.round(ms);
}

/** Fraction digits ("123456") → milliseconds (with sub-ms kept as a fraction, then rounded by checked()). */
function fracMs(f: string | undefined): number {
  if (f === undefined || f === '') return 0;
  return Number(`0.${f}`) * 1000;
}

/** "+02:00" / "-0700" / "Z" / "UTC" → offset ms to subtract; NaN when unreadable. */
function zoneMs(z: string | undefined): number {
  if (z === undefined || z === '' || z === 'Z' || z === 'z' || z === 'UTC' || z === 'GMT') return 0;
  const m = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})?$/.exec(z);
  if (m === null) return 0; // a zone abbreviation (CET, PST): kept as UTC rather than lost
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return Number.NaN;
  return Date.UTC(y, mo, d, h, mi, s) + ms;
}

/** Year-less date: the reference's year, or the one before when that lands after the reference. */
function inferYear(mo: number, d: number, h: number, mi: number, s: number, ms: number, refMs: number) {
  const y = new Date(refMs).getUTCFullYear();
  const t = utc(y, mo, d, h, mi, s, ms);
  return t > refMs + ZONE_SLACK_MS ? utc(y - 1, mo, d, h, mi, s, ms) : t;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?|UTC|GMT|[A-Z]{3,4})?$/;
const SYSLOG = /^([A-Z][a-z]{2})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;
const CLF = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? ?([+-]\d{4})?$/;
const CTIME = /^(?:[A-Z][a-z]{2} )?([A-Z][a-z]{2})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? (\d{4})$/;
const YMD_SLASH = /^(\d{4})\/(\d{2})\/(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?$/;
const YYMMDD = /^(\d{2})(\d{2})(\d{2})\s+(\d{1,2}):?(\d{2}):?(\d{2})(?:[.,](\d+))?$/;
const YY_SLASH = /^(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?$/;
const KLOG = /^(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;
const MD_TIME = /^(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;
const DMY_MONTH = /^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;
const TIME_ONLY = /^(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?$/;
const DIGITS = /^-?\d+(?:\.\d+)?$/;
const DAY_MS = 86_400_000;

/** Epoch seconds / ms / µs / ns, told apart by magnitude (values after 1973 in seconds … 2100 in ns). */
export function fromEpoch(n: number): number | null {
  if (!Number.isFinite(n)) return fail('unparseable');
  const a = Math.abs(n);
  if (a < 1e11) return checked(n * 1000);
  if (a < 1e14) return checked(n);
  if (a < 1e17) return checked(n / 1000);
  return checked(n / 1e6);
}

/** Last resort for ISO-ish text (RFC 1123 `Tue, 12 Mar 2024 15:04:00 GMT` …): what Date.parse reads. */
function viaDateParse(s: string): number | null {
  // Only text that names its year: V8 reads a year-less "Mar 12 15:04:00" as 2001.
  if (!/^[A-Za-z0-9]/.test(s) || s.length > 64 || !/(?:^|\D)\d{4}(?:\D|$)/.test(s))
    return fail('unparseable');
  const t = Date.parse(s);
  return Number.isNaN(t) ? fail('unparseable') : checked(t);
}

function month(name: string | undefined): number {
  return name === undefined ? -1 : (MONTHS[name.toLowerCase()] ?? -1);
}

/** Parse `v` as `kind`; `refMs` is the reference for year-less shapes. */
export function parseTimestamp(
  v: unknown,
  kind: TimestampKind,
  refMs: number,
  lenient = true,
): number | null {
  if (v === undefined || v === null || v === '') return fail('missing');
  if (typeof v === 'number') return fromEpoch(v);
  if (typeof v !== 'string') return fail('unparseable');
  const s = v.trim();
  let m: RegExpExecArray | null;
  switch (kind) {
    case 'iso8601':
      m = ISO.exec(s);
      if (m === null)
        return DIGITS.test(s) ? fromEpoch(Number(s)) : lenient ? viaDateParse(s) : fail('unparseable');
      return checked(
        utc(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), fracMs(m[7])) -
          zoneMs(m[8]),
      );
    case 'epoch':
      return DIGITS.test(s) ? fromEpoch(Number(s)) : parseTimestamp(s, 'iso8601', refMs);
    case 'syslog':
      m = SYSLOG.exec(s);
      if (m === null) return fail('unparseable');
      return checked(inferYear(month(m[1]), +m[2]!, +m[3]!, +m[4]!, +m[5]!, fracMs(m[6]), refMs));
    case 'clf':
      m = CLF.exec(s);
      if (m === null) return fail('unparseable');
      return checked(utc(+m[3]!, month(m[2]), +m[1]!, +m[4]!, +m[5]!, +m[6]!, fracMs(m[7])) - zoneMs(m[8]));
    case 'ctime':
      m = CTIME.exec(s);
      if (m === null) return fail('unparseable');
      return checked(utc(+m[7]!, month(m[1]), +m[2]!, +m[3]!, +m[4]!, +m[5]!, fracMs(m[6])));
    case 'ymd-slash':
      m = YMD_SLASH.exec(s);
      if (m === null) return fail('unparseable');
      return checked(utc(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, fracMs(m[7])));
    case 'yymmdd':
      m = YYMMDD.exec(s);
      if (m === null) return fail('unparseable');
      return checked(utc(2000 + +m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, fracMs(m[7])));
    case 'yy-slash':
      m = YY_SLASH.exec(s);
      if (m === null) return fail('unparseable');
      return checked(utc(2000 + +m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, fracMs(m[7])));
    case 'klog':
      m = KLOG.exec(s);
      if (m === null) return fail('unparseable');
      return checked(inferYear(+m[1]! - 1, +m[2]!, +m[3]!, +m[4]!, +m[5]!, fracMs(m[6]), refMs));
    case 'md-time':
      m = MD_TIME.exec(s);
      if (m === null) return fail('unparseable');
      return checked(inferYear(+m[1]! - 1, +m[2]!, +m[3]!, +m[4]!, +m[5]!, fracMs(m[6]), refMs));
    case 'dmy-month':
      m = DMY_MONTH.exec(s);
      if (m === null) return fail('unparseable');
      return checked(utc(+m[3]!, month(m[2]), +m[1]!, +m[4]!, +m[5]!, +m[6]!, fracMs(m[7])));
    case 'any':
      return parseAny(s, refMs);
  }
}

const ANY_ORDER: TimestampKind[] = [
  'iso8601',
  'syslog',
  'clf',
  'ctime',
  'ymd-slash',
  'dmy-month',
  'yy-slash',
  'md-time',
  'yymmdd',
  'klog',
];

/** The generic fallback: try each shape (cheap: every shape is anchored and fails on its first chars). */
function parseAny(s: string, refMs: number): number | null {
  let m: RegExpExecArray | null;
  if (DIGITS.test(s) && s.length >= 10) return fromEpoch(Number(s));
  for (const k of ANY_ORDER) {
    const t = parseTimestamp(s, k, refMs, false);
    if (t !== null || reason === 'out-of-range') return t;
  }
  m = TIME_ONLY.exec(s);
  if (m !== null) {
    // A time of day alone (log4j2/logback defaults): the reference's day, or the one before.
    const day = refMs - (refMs % DAY_MS);
    let t = day + ((+m[1]! * 60 + +m[2]!) * 60 + +m[3]!) * 1000 + fracMs(m[4]);
    if (+m[1]! > 23 || +m[2]! > 59 || +m[3]! > 60) return fail('unparseable');
    if (t > refMs + ZONE_SLACK_MS) t -= DAY_MS;
    return checked(t);
  }
  return fail('unparseable');
}

/**
 * Elasticsearch `date` processor formats for each kind (Java DateTimeFormatter patterns). Year-less shapes
 * take the current year there (Elasticsearch's rule), the analyzer the file's mtime year.
 */
export const ES_DATE_FORMATS: Readonly<Record<TimestampKind, readonly string[]>> = {
  iso8601: [
    'ISO8601',
    'yyyy-MM-dd HH:mm:ss,SSS',
    'yyyy-MM-dd HH:mm:ss.SSS',
    'yyyy-MM-dd HH:mm:ss',
    'yyyy-MM-dd HH:mm:ss.SSS z',
  ],
  epoch: ['UNIX_MS', 'UNIX', 'ISO8601'],
  syslog: ['MMM  d HH:mm:ss', 'MMM d HH:mm:ss', 'MMM dd HH:mm:ss'],
  clf: ['dd/MMM/yyyy:HH:mm:ss Z'],
  ctime: ['EEE MMM dd HH:mm:ss yyyy', 'EEE MMM dd HH:mm:ss.SSSSSS yyyy'],
  'ymd-slash': ['yyyy/MM/dd HH:mm:ss'],
  yymmdd: ['yyMMdd HHmmss', 'yyMMdd H:mm:ss', 'yyMMdd  H:mm:ss'],
  'yy-slash': ['yy/MM/dd HH:mm:ss'],
  klog: ['MMdd HH:mm:ss.SSSSSS'],
  'md-time': ['MM-dd HH:mm:ss.SSS'],
  'dmy-month': ['dd MMM yyyy HH:mm:ss.SSS', 'd MMM yyyy HH:mm:ss.SSS'],
  any: [
    'ISO8601',
    'yyyy-MM-dd HH:mm:ss,SSS',
    'yyyy-MM-dd HH:mm:ss.SSS',
    'yyyy-MM-dd HH:mm:ss',
    'MMM d HH:mm:ss',
    'dd/MMM/yyyy:HH:mm:ss Z',
    'yyyy/MM/dd HH:mm:ss',
    'HH:mm:ss.SSS',
    'UNIX_MS',
    'UNIX',
  ],
};
