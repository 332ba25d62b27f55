// Redaction patterns: a cheap precheck (substring or tiny regex) guards every real regex, because this runs on
// every line and almost no line holds a secret. A pattern may veto a match (the Luhn check on card numbers).
import { UsageError } from '../core/usage-error.ts';
import { compileUserPattern } from '../rules/user-pattern.ts';

export interface RedactionPattern {
  /** Bounded label value for crumbtrail_redactions_total{pattern}. */
  readonly name: string;
  /** True when the text could contain a match; false skips the regex. Must never miss a real match. */
  precheck(text: string): boolean;
  /** Global regex. */
  readonly regex: RegExp;
  /** Replacement for one match, or null to keep the match as is. */
  replace(match: string, groups: (string | undefined)[]): string | null;
}

export const REDACTED = '[REDACTED]';

/** Keys whose value is a secret (key=value, key: value, "key":"value"). */
export const SECRET_KEY =
  /(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key)/i;

const secretKeyValue: RedactionPattern = {
  name: 'secret_kv',
  precheck: (t) => /pass|pwd|secret|token|key/i.test(t),
  // keyword (+ suffix: password_hash, api_key_v2), optional closing quote, = or :, value. The key's prefix
  // (db_password) is left out of the regex: it is kept anyway, and a leading [\w]* would go quadratic on long runs.
  regex:
    /((?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key)[A-Za-z0-9_.-]*["']?)(\s*[=:]\s*)(\[REDACTED\]|"[^"]*"|'[^']*'|[^\s,;&"'}\]]+)/gi,
  replace: (_m, g) => {
    const value = g[2] ?? '';
    if (value === REDACTED || value === `"${REDACTED}"`) return null;
    const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
    return `${g[0]}${g[1]}${quote}${REDACTED}${quote}`;
  },
};

const authorizationHeader: RedactionPattern = {
  name: 'authorization',
  precheck: (t) => /bearer|basic|apikey|authorization/i.test(t),
  regex: /\b(Bearer|Basic|ApiKey)(\s+)([A-Za-z0-9._~+/-]{6,}=*)/gi,
  replace: (_m, g) => (g[2] === REDACTED ? null : `${g[0]}${g[1]}${REDACTED}`),
};

const creditCard: RedactionPattern = {
  name: 'credit_card',
  // Every real card layout (16 in a row, 4-4-4-4, Amex 4-6-5) has 8 digits with at most one separator among its
  // first 9 characters; timestamps and short numbers do not, so most lines skip the regex below.
  precheck: (t) => /\d{4}[ -]?\d{4}/.test(t),
  // 13–19 digits, optionally grouped by single spaces or dashes.
  regex: /(?<![\d.-])(?:\d[ -]?){12,18}\d(?![\d])/g,
  replace: (m) => (luhn(m.replace(/[ -]/g, '')) ? '[REDACTED-CARD]' : null),
};

const emailLocalPart: RedactionPattern = {
  name: 'email',
  precheck: (t) => t.includes('@'),
  regex: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})\b/g,
  replace: (m, g) => (m.startsWith(`${REDACTED}@`) ? null : `${REDACTED}@${g[0]}`),
};

export const DEFAULT_PATTERNS: readonly RedactionPattern[] = [
  authorizationHeader,
  secretKeyValue,
  creditCard,
  emailLocalPart,
];

/** Luhn checksum: keeps most long numbers (ids, timestamps) that are not card numbers. */
export function luhn(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A user pattern from configuration: `{ name, regex, flags?, replacement?, precheck?: [substrings] }`. */
export interface PatternSpec {
  name: string;
  regex: string;
  flags?: string;
  /** Replacement string ($1 … allowed). Default "[REDACTED]". */
  replacement?: string;
  /** Case-insensitive substrings, one of which must occur for the regex to run. Default: always run. */
  precheck?: string[];
}

export class RedactionConfigError extends UsageError {}

/**
 * Compile a pattern spec. The built-in patterns are vetted and use native RegExp; patterns from the config are
 * user patterns and run in RE2 ('linear': linear time, no backreferences or lookaround).
 */
export function compilePattern(
  spec: PatternSpec,
  where = 'redact.patterns',
  engine: 'native' | 'linear' = 'native',
): RedactionPattern {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(spec.name ?? '')) {
    throw new RedactionConfigError(
      `${where}: pattern name "${spec.name}" must be lower-case letters, digits, _ (it becomes a metric label)`,
    );
  }
  const make = engine === 'native' ? (src: string, f: string) => new RegExp(src, f) : compileUserPattern;
  let regex: RegExp;
  let single: RegExp;
  try {
    const flags = spec.flags ?? 'i';
    regex = make(spec.regex, flags.includes('g') ? flags : `${flags}g`);
    single = make(spec.regex, flags.replace('g', ''));
  } catch (err) {
    throw new RedactionConfigError(`${where}.${spec.name}.regex: ${(err as Error).message}`);
  }
  const replacement = spec.replacement ?? REDACTED;
  const needles = (spec.precheck ?? []).map((s) => s.toLowerCase());
  return {
    name: spec.name,
    regex,
    precheck: needles.length === 0 ? () => true : (t) => needles.some((n) => t.toLowerCase().includes(n)),
    replace: (m) => m.replace(single, replacement),
  };
}
