// A deterministic benchmark corpus in the seed format ("[ts] LEVEL - [component] message key=value"), shaped
// like a real service's log rather than a uniform mix, so incident and anomaly state actually grows:
// - traffic follows the hour of day (busy days, quiet nights, occasional gaps of minutes), so timestamps vary
//   and span days at 10 M lines;
// - mostly INFO/DEBUG request lines with key=value fields; WARN (5 %) and ERROR (0.4 %) noise;
// - every ~20–60 k lines a failure burst: a change event, stress, a bypassed control, a safeguard that failed,
//   accelerating errors and a CRITICAL/FATAL failure, with alerts — the breadcrumb trail the analyzer rebuilds —
//   sometimes a sustained storm of failures lasting thousands of lines (incidents that keep growing);
// - 1 % UTF-8/emoji lines, 0.1 % ~10 KB lines, 0.3 % malformed lines, stack traces (continuation lines).
// Same seed → same bytes on every machine (mulberry32 from analyzer/src/samples/prng.ts).

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mulberry32 } from '../samples/prng.ts';

export const CORPUS_VERSION = 2;

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
  'pricing',
  'inventory',
];
const ROUTINE = [
  'request handled route=/v1/orders status=200 latency_ms=%s user=u%n',
  'request handled route=/v1/quotes status=200 latency_ms=%s user=u%n',
  'token issued client=c-%n ttl_s=900',
  'exposure recalculated account=A-%n exposure_musd=%f',
  'batch settled batch=%n trades=%n',
  'cache refreshed entries=%n took_ms=%n',
  'heartbeat ok peers=%n',
  'order accepted order=O-%n qty=%s price=%f',
];
const NOISE_WARN = [
  'slow query took_ms=%n table=orders',
  'retrying upstream call attempt=%n',
  'cache miss ratio=%f',
];
const NOISE_ERROR = [
  'request failed route=/v1/orders status=502 upstream=pricing',
  'socket reset peer=10.0.%n.%n',
];
/** One failure burst, in order: the breadcrumb trail the default rules recognise. */
const BURST: [level: string, message: string][] = [
  ['INFO', 'deployment started version=v%n.%n'],
  ['WARN', 'high latency detected p99_ms=%n'],
  ['WARN', 'queue backlog depth=%n limit=5000'],
  ['WARN', 'limit check bypassed account=A-%n reason=manual_override'],
  ['ERROR', 'circuit breaker did not trip venue=CME failures=%n'],
  ['ERROR', 'error rate accelerating rate=%f'],
  ['WARN', 'connection pool exhausted pool=primary waiters=%n'],
  ['CRITICAL', 'service down: order matching halted'],
  ['ERROR', 'alert fired rule=HighErrorRate severity=page'],
];
/** A storm: failures that keep coming (each one extends the open incident). */
const STORM: [level: string, message: string][] = [
  ['ERROR', 'circuit breaker did not trip venue=CME failures=%n'],
  ['CRITICAL', 'service unavailable upstream=ledger'],
  ['WARN', 'request timed out route=/v1/orders after_ms=%n'],
  ['ERROR', 'alert firing rule=LedgerDown'],
];
const EMOJI = ['🔥 hot path', '📣 paging on-call', 'données reçues', '注文処理', 'ß→ss ümlaut'];

export interface CorpusStats {
  lines: number;
  bytes: number;
  /** Failure bursts and storms written (each is at least one incident). */
  bursts: number;
  firstTimestamp: number;
  lastTimestamp: number;
}

/** Write `lines` lines to `path`. */
export async function writeCorpus(path: string, lines: number, seed = 42): Promise<CorpusStats> {
  const rnd = mulberry32(seed);
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const start = Date.UTC(2026, 2, 2, 6, 0, 0);
  let t = start;
  let bytes = 0;
  let chunk = '';
  let written = 0;
  let bursts = 0;
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const fill = (msg: string): string =>
    msg
      .replace(/%n/g, () => String(int(100_000)))
      .replace(/%s/g, () => String(int(400)))
      .replace(/%f/g, () => (rnd() * 100).toFixed(2));
  const stamp = (): string => new Date(t).toISOString().replace('T', ' ').slice(0, 23);
  const emit = (line: string): void => {
    chunk += `${line}\n`;
    written++;
  };
  // Mean gap between lines by hour of day: ~4 ms at the 14:00 peak, ~60 ms in the night.
  const meanGapMs = (): number => {
    const hour = new Date(t).getUTCHours();
    return 4 + 56 * (0.5 - 0.5 * Math.cos(((hour - 14) / 24) * 2 * Math.PI)) ** 3;
  };
  let nextBurst = 20_000 + int(40_000);
  while (written < lines) {
    t += Math.floor(rnd() * 2 * meanGapMs());
    // Now and then the service goes quiet for a few minutes (a gap in the per-minute series).
    if (rnd() < 0.00001) t += 60_000 * (2 + int(10));
    if (written >= nextBurst) {
      bursts++;
      const component = pick(COMPONENTS);
      const steps = rnd() < 0.1 ? STORM : BURST;
      // A storm repeats its failures for 2–8 k lines; a burst runs its trail once, a few hundred ms apart.
      const repeats = steps === STORM ? 500 + int(1500) : 1;
      for (let r = 0; r < repeats && written < lines; r++)
        for (const [level, msg] of steps) {
          if (written >= lines) break;
          t += 50 + int(400);
          emit(`[${stamp()}] ${level} - [${component}] ${fill(msg)}`);
        }
      nextBurst = written + 20_000 + int(40_000);
      continue;
    }
    const r = rnd();
    if (r < 0.003) emit(`garbage ${int(1e9).toString(36)} \u0007 no format here`);
    else if (r < 0.004 && written + 4 <= lines) {
      emit(`[${stamp()}] ERROR - [${pick(COMPONENTS)}] unhandled exception in worker id=${int(1000)}`);
      emit('java.lang.IllegalStateException: boom');
      emit('\tat com.example.Foo.bar(Foo.java:42)');
      emit('\tat com.example.Main.run(Main.java:7)');
    } else {
      const x = rnd();
      const [level, msg] =
        x < 0.004
          ? ['ERROR', pick(NOISE_ERROR)]
          : x < 0.06
            ? ['WARN', pick(NOISE_WARN)]
            : x < 0.2
              ? ['DEBUG', pick(ROUTINE)]
              : ['INFO', pick(ROUTINE)];
      let line = `[${stamp()}] ${level} - [${pick(COMPONENTS)}] ${fill(msg)}`;
      if (r < 0.014) line += ` note="${pick(EMOJI)}"`;
      else if (r < 0.015) line += ` payload=${'x'.repeat(10_000)}`;
      emit(line);
    }
    if (chunk.length >= 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  await new Promise<void>((resolve, reject) =>
    out.end(chunk, (err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return { lines: written, bytes, bursts, firstTimestamp: start, lastTimestamp: t };
}
