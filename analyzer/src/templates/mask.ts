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
  // One pass of character classes decides most tokens; a regular expression only confirms a likely shape.
  let digits = 0;
  let numeric = true; // only digits, a leading sign, dots and commas
  let hexOnly = true; // only hex digits and letters
  let dots = 0;
  let colons = 0;
  let dashes = 0;
  let slashes = 0;
  for (let i = 0; i < core.length; i++) {
    const c = core.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      continue;
    }
    if (c === 46) dots++;
    else if (c === 58) colons++;
    else if (c === 45) dashes++;
    else if (c === 47) slashes++;
    if (!(c === 46 || c === 44 || ((c === 45 || c === 43) && i === 0))) numeric = false;
    if (!((c >= 97 && c <= 102) || (c >= 65 && c <= 70))) hexOnly = false;
  }
  if (digits === 0) {
    if (core.length === 3 && DATE_WORDS.has(core)) return '<DATE>';
    if (dots >= 2 && DOTTED.test(core)) return '<NAME>';
    if (slashes > 0) {
      if (URL.test(core)) return '<URL>';
      if (PATH.test(core)) return '<PATH>';
    }
    // A long run of hex letters only (deadbeefcafe) is an id, not a word.
    return hexOnly && core.length >= 12 ? '<HEX>' : null;
  }
  if (numeric) {
    if (dots === 3 && IPV4.test(core)) return '<IP>';
    // Zero-padded fixed-width digits (00106210) are addresses like their hex neighbours (003a90fc).
    if (core.length >= 8 && core.charCodeAt(0) === 48 && dots === 0) return '<HEX>';
    return '<NUM>';
  }
  if (hexOnly) return core.length >= 8 || (core.length > 2 && core.charCodeAt(1) === 120) ? '<HEX>' : '<ID>';
  if (colons > 0) {
    if (dots === 3 && IPV4.test(core)) return '<IP>';
    if (TIME.test(core)) return '<TIME>';
    if (colons >= 2 && IPV6.test(core)) return '<IP>';
  }
  if (dashes === 4 && core.length === 36 && UUID.test(core)) return '<UUID>';
  if (slashes > 0) {
    if (URL.test(core)) return '<URL>';
    if (PATH.test(core)) return '<PATH>';
  }
  const first = core.charCodeAt(0);
  if (first >= 48 && first <= 57 && DURATION.test(core)) return '<DUR>';
  if (core.length > 2 && first === 48 && (core.charCodeAt(1) | 32) === 120 && HEX.test(core)) return '<HEX>';
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
  // split(' ') is native and fast; tabs and line breaks are rare in messages and are split here too.
  const parts =
    message.indexOf('\t') === -1 && message.indexOf('\n') === -1 ? message.split(' ') : message.split(/\s/);
  for (const p of parts) if (p !== '') out.push(maskToken(p));
  return out;
}

function maskToken(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isEdge(s.charCodeAt(a))) a++;
  while (b > a && isEdge(s.charCodeAt(b - 1))) b--;
  if (a === b) return s;
  // key=value: the value is judged on its own (size=512 → size=<NUM>).
  const eq = s.indexOf('=', a);
  if (eq > a && eq < b - 1) {
    const m = maskOf(s.slice(eq + 1, b));
    return m === null ? s : `${s.slice(0, eq + 1)}${m}${s.slice(b)}`;
  }
  const core = a === 0 && b === s.length ? s : s.slice(a, b);
  const m = maskOf(core);
  if (m === null) return s;
  return core === s ? m : `${s.slice(0, a)}${m}${s.slice(b)}`;
}
