// The seed format: `[2010-05-06 14:32:05.123] CRITICAL - [exchange-gateway] message`.
// Milliseconds optional (1–6 fraction digits), optional `T` and zone; times without a zone are UTC.
import type { Level } from '../core/types.ts';
import { normaliseLevel } from './level.ts';

const PLAIN =
  /^\[(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?\]\s+([A-Za-z]+)\s+-\s+\[([^\]]*)\]\s?(.*)$/;

export interface PlainParts {
  timestamp: number;
  level: Level;
  component: string;
  message: string;
}

export function parsePlain(text: string): PlainParts | null {
  if (text.charCodeAt(0) !== 91 /* [ */) return null;
  const m = PLAIN.exec(text);
  if (m === null) return null;
  const level = normaliseLevel(m[9]);
  if (level === 'UNKNOWN') return null;
  const frac = m[7];
  const ms = frac === undefined ? 0 : Math.floor(Number(frac.padEnd(3, '0').slice(0, 3)));
  let t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms);
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  if (Number.isNaN(t)) return null;
  return { timestamp: t, level, component: m[10]!.trim(), message: m[11]! };
}
