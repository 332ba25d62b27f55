// key=value pairs inside a message: `latency_ms=850 price=0.01 user="a b"`. A hand-written scanner (this is
// the hottest code in the analyzer): jump from '=' to '=', read the key backwards and the value forwards.
// Keys: a letter or _ then [\w.-], up to 64 chars, at the start or after white space , ; ( [ {.
// Values: "double quoted" (with \-escapes), 'single quoted', or up to the next white space , ; ) ] }.
import type { FieldValue } from '../core/types.ts';

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Convert a raw token to a number/boolean where it plainly is one; strings stay strings. */
export function typedValue(raw: string): FieldValue {
  const c = raw.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 || c === 46) {
    if (NUMBER.test(raw)) {
      const n = Number(raw);
      if (Number.isFinite(n)) return n;
    }
  }
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return raw;
}

const isKeyChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
const isKeyStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
// white space , ; ( [ {
const isBefore = (c: number) =>
  c === 32 || c === 9 || c === 44 || c === 59 || c === 40 || c === 91 || c === 123;
// white space , ; ) ] }
const isValueEnd = (c: number) =>
  c === 32 || c === 9 || c === 44 || c === 59 || c === 41 || c === 93 || c === 125;

/** Extract key=value pairs into `into` (existing keys win: JSON fields beat text). Cheap exit without '='. */
export function extractKeyValues(message: string, into: Record<string, FieldValue>): void {
  let eq = message.indexOf('=');
  while (eq !== -1) {
    // Key: backwards from '='.
    let k = eq - 1;
    while (k >= 0 && eq - k <= 64 && isKeyChar(message.charCodeAt(k))) k--;
    const keyStart = k + 1;
    let next = eq + 1;
    if (
      keyStart < eq &&
      isKeyStart(message.charCodeAt(keyStart)) &&
      (k < 0 || isBefore(message.charCodeAt(k)))
    ) {
      // Value: forwards from '='.
      const q = message.charCodeAt(eq + 1);
      let value: string | null = null;
      if (q === 34 /* " */) {
        let j = eq + 2;
        while (j < message.length && message.charCodeAt(j) !== 34) j += message.charCodeAt(j) === 92 ? 2 : 1;
        if (j < message.length) {
          value = message.slice(eq + 2, j);
          next = j + 1;
        }
      } else if (q === 39 /* ' */) {
        const j = message.indexOf("'", eq + 2);
        if (j > 0) {
          value = message.slice(eq + 2, j);
          next = j + 1;
        }
      }
      if (value === null) {
        let j = eq + 1;
        while (j < message.length && !isValueEnd(message.charCodeAt(j))) j++;
        if (j > eq + 1) {
          value = message.slice(eq + 1, j);
          next = j;
        }
      }
      if (value !== null) {
        const key = message.slice(keyStart, eq);
        if (!(key in into)) into[key] = typedValue(value);
      }
    }
    eq = message.indexOf('=', next);
  }
}
