// Demo log writer (compose profile `demo`): replays a sample log into the shared app-log volume with the
// timestamps moved to "now", at a steady pace, so Filebeat, the analyzer and the alerts see a live incident.
// Usage: tsx demo/replay.ts [--source samples/flash-crash.log] [--out /var/log/app/demo.log]
//        [--lines-per-second 5] [--loop] [--pause-seconds 60]
// Env (compose): DEMO_SOURCE, DEMO_OUT, DEMO_LINES_PER_SECOND, DEMO_LOOP, DEMO_PAUSE_SECONDS.
import { appendFile, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

/** `[2010-05-06 14:32:05.123]` at the start of a line: the seed format's timestamp. */
const LEADING_TS = /^\[\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?\]/;

export interface ReplayOptions {
  source: string;
  out: string;
  linesPerSecond: number;
  loop: boolean;
  pauseSeconds: number;
}

/** Formats a time the way the seed format writes it (UTC, milliseconds): `[YYYY-MM-DD HH:MM:SS.mmm]`. */
export function formatSeedTimestamp(at: Date): string {
  return `[${at.toISOString().slice(0, 23).replace('T', ' ')}]`;
}

/** Moves a line's leading timestamp to `at`; continuation lines (stack traces) pass through unchanged. */
export function retimestamp(line: string, at: Date): string {
  return LEADING_TS.test(line) ? line.replace(LEADING_TS, formatSeedTimestamp(at)) : line;
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`demo: ${name} must be a positive number (got '${raw}')`);
  }
  return n;
}

/** Reads flags, falling back to the DEMO_* environment variables. Throws one clear error on a bad value. */
export function parseReplayOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ReplayOptions {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const loopEnv = (env.DEMO_LOOP ?? '').toLowerCase();
  return {
    source: flag('source') ?? env.DEMO_SOURCE ?? 'samples/flash-crash.log',
    out: flag('out') ?? env.DEMO_OUT ?? '/var/log/app/demo.log',
    linesPerSecond: positive('lines per second', flag('lines-per-second') ?? env.DEMO_LINES_PER_SECOND, 5),
    loop: argv.includes('--loop') || loopEnv === 'true' || loopEnv === '1',
    pauseSeconds: positive('pause seconds', flag('pause-seconds') ?? env.DEMO_PAUSE_SECONDS, 60),
  };
}

/** Writes every line of the source once, retimestamped, one newline-terminated line at a time. */
export async function replayOnce(opts: ReplayOptions, now: () => Date = () => new Date()): Promise<number> {
  const text = await readFile(opts.source, 'utf8');
  const lines = text.split(/\r?\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
  const gapMs = 1000 / opts.linesPerSecond;
  for (const line of lines) {
    // Filebeat and the analyzer only ship newline-terminated lines: always end the line.
    await appendFile(opts.out, `${retimestamp(line, now())}\n`);
    await sleep(gapMs);
  }
  return lines.length;
}

async function main(): Promise<void> {
  const opts = parseReplayOptions(process.argv.slice(2), process.env);
  for (;;) {
    const n = await replayOnce(opts);
    console.log(`demo: replayed ${n} lines of ${opts.source} into ${opts.out}`);
    if (!opts.loop) return;
    await sleep(opts.pauseSeconds * 1000);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
