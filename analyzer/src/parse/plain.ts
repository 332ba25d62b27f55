// The seed format: `[2010-05-06 14:32:05.123] CRITICAL - [exchange-gateway] message`.
// Milliseconds optional (1–9 fraction digits), optional `T` and zone; times without a zone are UTC.
// The common shape is read by a hand-written scanner (no regex, no Date per line: the day is cached); anything
// unusual (a zone, odd spacing) falls back to the full regular expression.
import type { Level } from '../core/types.ts';
import { seedLevel } from './level.ts';

const PLAIN =
  /^\[(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?\]\s+([A-Za-z]+)\s+-\s+\[([^\]]*)\]\s?(.*)$/;

export interface PlainParts {
  timestamp: number;
  level: Level;
  /** The level word as written. */
  rawLevel: string;
  component: string;
  message: string;
}

const LEVEL_WORDS: Record<string, Level> = {};
for (const w of ['TRACE', 'DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'CRITICAL', 'FATAL'])
  LEVEL_WORDS[w] = seedLevel(w);

let cachedDay = '';
let cachedDayMs = 0;

export function parsePlain(text: string): PlainParts | null {
  if (text.charCodeAt(0) !== 91 /* [ */) return null;
  return scan(text) ?? parseWithRegex(text);
}

/** Digits at text[i..i+n) as a number, or -1. */
function digits(text: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = text.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function scan(text: string): PlainParts | null {
  // [YYYY-MM-DD HH:MM:SS(.f+)?] LEVEL - [component] message
  if (text.length < 26 || text.charCodeAt(5) !== 45 || text.charCodeAt(8) !== 45) return null;
  const sep = text.charCodeAt(11);
  if ((sep !== 32 && sep !== 84) || text.charCodeAt(14) !== 58 || text.charCodeAt(17) !== 58) return null;
  const h = digits(text, 12, 2);
  const mi = digits(text, 15, 2);
  const s = digits(text, 18, 2);
  if (h < 0 || mi < 0 || s < 0 || h > 23 || mi > 59 || s > 60) return null;
  let i = 20;
  let ms = 0;
  const dot = text.charCodeAt(i);
  if (dot === 46 || dot === 44) {
    let n = 0;
    let frac = 0;
    for (i++; i < text.length; i++, n++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (n < 3) frac = frac * 10 + c;
    }
    if (n === 0) return null;
    ms = n >= 3 ? frac : frac * (n === 1 ? 100 : 10);
  }
  if (text.charCodeAt(i) !== 93 /* ] */ || text.charCodeAt(i + 1) !== 32) return null;
  const day = text.slice(1, 11);
  if (day !== cachedDay) {
    const y = digits(text, 1, 4);
    const mo = digits(text, 6, 2);
    const d = digits(text, 9, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31) return null;
    cachedDayMs = Date.UTC(y, mo - 1, d);
    cachedDay = day;
  }
  const levelStart = i + 2;
  const levelEnd = text.indexOf(' ', levelStart);
  if (levelEnd < 0) return null;
  const word = text.slice(levelStart, levelEnd);
  const level = LEVEL_WORDS[word] ?? seedLevel(word);
  if (level === 'UNKNOWN') return null;
  // " - [component] "
  if (
    text.charCodeAt(levelEnd + 1) !== 45 ||
    text.charCodeAt(levelEnd + 2) !== 32 ||
    text.charCodeAt(levelEnd + 3) !== 91
  )
    return null;
  const compEnd = text.indexOf(']', levelEnd + 4);
  if (compEnd < 0) return null;
  const component = text.slice(levelEnd + 4, compEnd).trim();
  const msgStart = text.charCodeAt(compEnd + 1) === 32 ? compEnd + 2 : compEnd + 1;
  return {
    timestamp: cachedDayMs + ((h * 60 + mi) * 60 + s) * 1000 + ms,
    level,
    rawLevel: word,
    component,
    message: text.slice(msgStart),
  };
}

function parseWithRegex(text: string): PlainParts | null {
  const m = PLAIN.exec(text);
  if (m === null) return null;
  const level = seedLevel(m[9]!);
  if (level === 'UNKNOWN') return null;
  const frac = m[7];
  const ms = frac === undefined ? 0 : Math.floor(Number(frac.padEnd(3, '0').slice(0, 3)));
  let t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms);
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digitsOnly = zone.slice(1).replace(':', '');
    t -= sign * (Number(digitsOnly.slice(0, 2)) * 60 + Number(digitsOnly.slice(2, 4))) * 60_000;
  }
  if (Number.isNaN(t)) return null;
  return { timestamp: t, level, rawLevel: m[9]!, component: m[10]!.trim(), message: m[11]! };
}
