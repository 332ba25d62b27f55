// A deterministic benchmark corpus in the seed format ("[ts] LEVEL - [component] message key=value"):
// mixed levels, 10 components, 1 % UTF-8/emoji lines, 0.1 % ~10 KB lines, 0.5 % malformed lines, a few stack
// traces (continuation lines). Same seed → same bytes on every machine.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mulberry32 } from '../samples/prng.ts';

export const CORPUS_VERSION = 1;

const COMPONENTS = [
  'api-gateway',
  'auth-service',
  'order-router',
  'risk-engine',
  'settlement',
  'market-data',
  'payments',
  'ledger',
  'notifier',
  'scheduler',
];
const LEVELS: [string, number][] = [
  ['DEBUG', 0.15],
  ['INFO', 0.62],
  ['WARN', 0.13],
  ['ERROR', 0.07],
  ['CRITICAL', 0.02],
  ['FATAL', 0.01],
];
const MESSAGES = [
  'request handled route=/v1/orders status=200 latency_ms=%n',
  'token issued client=c-%n ttl_s=900',
  'exposure recalculated account=A-%n exposure_musd=%f',
  'batch settled batch=%n trades=%n',
  'queue depth high depth=%n limit=5000',
  'retrying upstream call attempt=%n',
  'limit check bypassed account=A-%n reason=manual_override',
  'order rejected price deviation pct=%f',
  'circuit breaker open venue=CME failures=%n',
  'connection pool exhausted pool=primary waiters=%n',
];
const EMOJI = ['🔥 hot path', '📣 paging on-call', 'données reçues', '注文処理', 'ß→ss ümlaut'];

export interface CorpusStats {
  lines: number;
  bytes: number;
}

/** Write `lines` lines to `path`. */
export async function writeCorpus(path: string, lines: number, seed = 42): Promise<CorpusStats> {
  const rnd = mulberry32(seed);
  const out = createWriteStream(path);
  let t = Date.UTC(2010, 4, 6, 14, 0, 0);
  let bytes = 0;
  let buf: string[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const level = (): string => {
    let r = rnd();
    for (const [l, w] of LEVELS) {
      r -= w;
      if (r <= 0) return l;
    }
    return 'INFO';
  };
  let written = 0;
  while (written < lines) {
    t += Math.floor(rnd() * 50);
    const r = rnd();
    let line: string;
    if (r < 0.005) {
      line = `garbage ${Math.floor(rnd() * 1e9).toString(36)} \u0007 no format here`;
    } else {
      const msg = pick(MESSAGES)
        .replace(/%n/g, () => String(Math.floor(rnd() * 100000)))
        .replace(/%f/g, () => (rnd() * 100).toFixed(2));
      const ts = new Date(t).toISOString().replace('T', ' ').replace('Z', '');
      line = `[${ts}] ${level()} - [${pick(COMPONENTS)}] ${msg}`;
      if (r < 0.015) line += ` note="${pick(EMOJI)}"`;
      else if (r < 0.016) line += ` payload=${'x'.repeat(10_000)}`;
    }
    buf.push(line);
    written++;
    // A stack trace now and then: continuation lines the multiline stage folds into the event before.
    if (r > 0.998 && written + 3 <= lines) {
      buf.push(
        'java.lang.IllegalStateException: boom',
        '\tat com.example.Foo.bar(Foo.java:42)',
        '\tat com.example.Main.run(Main.java:7)',
      );
      written += 3;
    }
    if (buf.length >= 4096) {
      const chunk = `${buf.join('\n')}\n`;
      bytes += Buffer.byteLength(chunk);
      buf = [];
      if (!out.write(chunk)) await once(out, 'drain');
    }
  }
  if (buf.length > 0) {
    const chunk = `${buf.join('\n')}\n`;
    bytes += Buffer.byteLength(chunk);
    out.write(chunk);
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return { lines: written, bytes };
}
