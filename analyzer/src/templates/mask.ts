// Message → tokens, with the variable parts masked. Split on whitespace (as Drain does); a token's leading
// and trailing punctuation stays as it is, its core is judged: UUIDs, IPs (with port), hex, numbers,
// durations, paths and URLs, and any other word holding a digit (ids such as blk_-1608 or req-7f3a) become
// typed masks, so `took 12ms` and `took 7ms` share a template. Cheap on purpose: a char scan decides, and
// only tokens with a digit or a slash reach a regular expression.

export const WILDCARD = '<*>';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?$/;
const IPV6 = /^(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}$/i;
const HEX = /^(?:0x[0-9a-f]+|[0-9a-f]{8,})$/i;
const NUM = /^[-+]?\d+(?:[.,]\d+)*$/;
const DURATION = /^\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|sec|secs|min|mins)$/i;
const TIME = /^\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$/;
/** Month and weekday names as written in embedded dates (May is left out: it is also a word). */
const DATE_WORDS = new Set(
  'Jan Feb Mar Apr Jun Jul Aug Sep Oct Nov Dec Mon Tue Wed Thu Fri Sat Sun'.split(' '),
);
const DOTTED = /^[A-Za-z_$][\w$-]*(?:\.[\w$-]+){2,}$/;
const URL = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const PATH = /^(?:~|\.{1,2})?\/[^/\s]*\//;

/** Punctuation that is trimmed off a token before its core is judged (and kept around the mask). */
function isEdge(c: number): boolean {
  // ( ) [ ] { } < > , ; : " ' . ! ?
  return (
    c === 40 ||
    c === 41 ||
    c === 91 ||
    c === 93 ||
    c === 123 ||
    c === 125 ||
    c === 60 ||
    c === 62 ||
    c === 44 ||
    c === 59 ||
    c === 58 ||
    c === 34 ||
    c === 39 ||
    c === 46 ||
    c === 33 ||
    c === 63
  );
}

/** The mask for a token core, or null when it is a constant word. */
export function maskOf(core: string): string | null {
  let digits = 0;
  let slash = false;
  let hexOnly = true;
  for (let i = 0; i < core.length; i++) {
    const c = core.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 47) slash = true;
    else if (!((c >= 97 && c <= 102) || (c >= 65 && c <= 70))) hexOnly = false;
  }
  if (digits === 0) {
    if (core.length === 3 && DATE_WORDS.has(core)) return '<DATE>';
    if (DOTTED.test(core)) return '<NAME>';
    if (slash && (PATH.test(core) || URL.test(core))) return URL.test(core) ? '<URL>' : '<PATH>';
    // A long run of hex letters only (deadbeefcafe) is an id, not a word.
    return hexOnly && core.length >= 12 ? '<HEX>' : null;
  }
  if (IPV4.test(core)) return '<IP>';
  // Zero-padded fixed-width digits (00106210) are addresses like their hex neighbours (003a90fc).
  if (NUM.test(core))
    return core.length >= 8 && core.charCodeAt(0) === 48 && HEX.test(core) ? '<HEX>' : '<NUM>';
  if (TIME.test(core)) return '<TIME>';
  if (UUID.test(core)) return '<UUID>';
  if (DURATION.test(core)) return '<DUR>';
  if (HEX.test(core)) return '<HEX>';
  if (slash) {
    if (URL.test(core)) return '<URL>';
    if (PATH.test(core)) return '<PATH>';
  }
  if (core.includes(':') && IPV6.test(core)) return '<IP>';
  return '<ID>';
}

const HAS_MASK = /<(?:\*|[A-Z]+)>/;

/** Whether a token is or holds a mask (typed or the wildcard): such tokens never route the prefix tree. */
export function hasMask(t: string): boolean {
  return t.indexOf('<') !== -1 && HAS_MASK.test(t);
}

/** Tokens of a message with variables masked. `out` is reused by the caller to spare an allocation. */
export function tokenize(message: string, out: string[] = []): string[] {
  out.length = 0;
  const n = message.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(message.charCodeAt(i))) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && !isSpace(message.charCodeAt(j))) j++;
    out.push(maskToken(message, i, j));
    i = j;
  }
  return out;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function maskToken(s: string, start: number, end: number): string {
  let a = start;
  let b = end;
  while (a < b && isEdge(s.charCodeAt(a))) a++;
  while (b > a && isEdge(s.charCodeAt(b - 1))) b--;
  if (a === b) return s.slice(start, end);
  // key=value: the value is judged on its own (size=512 → size=<NUM>).
  const eq = s.indexOf('=', a);
  if (eq > a && eq < b - 1) {
    const m = maskOf(s.slice(eq + 1, b));
    if (m !== null) return `${s.slice(start, eq + 1)}${m}${s.slice(b, end)}`;
    return s.slice(start, end);
  }
  const core = s.slice(a, b);
  const m = maskOf(core);
  if (m === null) return s.slice(start, end);
  return a === start && b === end ? m : `${s.slice(start, a)}${m}${s.slice(b, end)}`;
}
