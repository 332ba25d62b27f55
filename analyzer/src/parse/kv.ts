import type { FieldValue } from '../core/types.ts';

// key=value pairs inside a message: `latency_ms=850 price=0.01 user="a b"`. Keys start with a letter.
const KV = /(?:^|[\s,;(\[{])([A-Za-z_][\w.-]{0,63})=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;)\]}]+)/g;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Convert a raw token to a number/boolean where it plainly is one; strings stay strings. */
export function typedValue(raw: string): FieldValue {
  if (NUMBER.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return raw;
}

/** Extract key=value pairs into `into` (existing keys win: JSON fields beat text). Cheap exit without '='. */
export function extractKeyValues(message: string, into: Record<string, FieldValue>): void {
  if (message.indexOf('=') === -1) return;
  KV.lastIndex = 0;
  for (let m = KV.exec(message); m !== null; m = KV.exec(message)) {
    let v = m[2]!;
    const q = v.charCodeAt(0);
    if ((q === 34 || q === 39) && v.length >= 2) v = v.slice(1, -1);
    const key = m[1]!;
    if (!(key in into)) into[key] = typedValue(v);
  }
}
