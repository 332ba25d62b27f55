// The live-ingest scenario: the service as users start it (`npm start`'s node command: one node process)
// follows a file while a writer appends the corpus at a fixed line rate. Measured from outside, as an operator
// would: ingest rate and lag (/stats), RSS over time (/proc/<pid>/status), line → /metrics latency of a lone
// line written when the service is idle, idle CPU (/proc/<pid>/stat), and the process tree (no child processes).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  appendFileSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLOCK_TICKS_PER_SECOND, procCpuTicks, procStatusKiB } from './proc.ts';

export interface LiveOptions {
  /** Node arguments that start the service (package.json's `npm start` without npm). */
  nodeArgs: string[];
  corpus: string;
  /** Lines in the corpus (all are appended). */
  lines: number;
  /** Lines per second the writer appends at. */
  rate: number;
  /** Scratch directory (followed file, state dir). */
  dir: string;
  /** Ingested line counts at which RSS is recorded (e.g. 1 M, 10 M). */
  rssAt: number[];
  log: (line: string) => void;
}

export interface LiveResult {
  linesIngested: number;
  /** Wall time from the first append until the service had read every line. */
  seconds: number;
  linesPerSecond: number;
  /** Writer's target rate and the rate it achieved. */
  targetRate: number;
  writerRate: number;
  /** Lag (bytes written but not read) sampled while the writer ran: quarter points and the end. */
  lagBytes: number[];
  lagGrowing: boolean;
  /** RSS when the ingested count first reached each of rssAt (MiB), and after the run. */
  rss: { lines: number; rssMiB: number }[];
  rssEndMiB: number;
  /** Lone line appended → its count visible on /metrics, ms (each probe). */
  latencyMs: number[];
  idleCpuPercent: number;
  /** Processes under the service's pid (it should have none: no npm, no esbuild). */
  childProcesses: number;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

interface Stats {
  totals: { linesRead: number; bytesRead: number };
}

export async function runLive(o: LiveOptions): Promise<LiveResult> {
  const logDir = join(o.dir, 'logs');
  const stateDir = join(o.dir, 'state');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const file = join(logDir, 'app.log');
  writeFileSync(file, '');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      ...o.nodeArgs,
      '--glob',
      join(logDir, '*.log'),
      '--state-dir',
      stateDir,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: serviceEnv() },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = once(child, 'exit');
  const pid = child.pid!;
  const get = async <T>(path: string): Promise<T> => (await (await fetch(base + path)).json()) as T;
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`service exited at start: ${stderr.trim()}`);
      if (i > 300) throw new Error(`service not ready after 30 s: ${stderr.trim()}`);
      const ok = await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await sleep(100);
    }

    // Writer: the corpus in 1 MiB pieces, paced to `rate` lines per second.
    const t0 = performance.now();
    let written = 0;
    let writtenBytes = 0;
    let writing = true;
    const writer = (async () => {
      const out = createWriteStream(file, { flags: 'a' });
      for await (const chunk of createReadStream(o.corpus, {
        highWaterMark: 1 << 20,
      }) as AsyncIterable<Buffer>) {
        let n = 0;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
        if (!out.write(chunk)) await once(out, 'drain');
        written += n;
        writtenBytes += chunk.length;
        const ahead = written / o.rate - (performance.now() - t0) / 1000;
        if (ahead > 0) await sleep(ahead * 1000);
      }
      out.end();
      await once(out, 'finish');
      writing = false;
      return (performance.now() - t0) / 1000;
    })();

    const rss: LiveResult['rss'] = [];
    const pending = [...o.rssAt].sort((a, b) => a - b);
    const lagWhileWriting: { at: number; lag: number }[] = [];
    let read = 0;
    let lastProgress = performance.now();
    let lastRead = 0;
    let lastLog = 0;
    while (read < o.lines) {
      await sleep(250);
      if (child.exitCode !== null) throw new Error(`service exited during ingest: ${stderr.trim()}`);
      const s = await get<Stats>('/stats');
      read = s.totals.linesRead;
      // Bytes appended but not yet read (the tailer's own size may be a poll behind).
      const lag = Math.max(0, writtenBytes - s.totals.bytesRead);
      if (writing) lagWhileWriting.push({ at: written / o.lines, lag });
      while (pending.length > 0 && read >= pending[0]!)
        rss.push({ lines: pending.shift()!, rssMiB: procStatusKiB(pid, 'VmRSS') / 1024 });
      if (read > lastRead) {
        lastRead = read;
        lastProgress = performance.now();
      } else if (!writing && performance.now() - lastProgress > 30_000)
        throw new Error(`service stopped reading at ${read} of ${o.lines} lines`);
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        o.log(`    live: ${read.toLocaleString('en-US')} lines read, lag ${(lag / 2 ** 20).toFixed(0)} MiB`);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const writerSeconds = await writer;
    const quarter = (q: number) =>
      lagWhileWriting.find((x) => x.at >= q)?.lag ?? lagWhileWriting.at(-1)?.lag ?? 0;
    const lagBytes = [quarter(0.25), quarter(0.5), quarter(0.75), lagWhileWriting.at(-1)?.lag ?? 0];
    // Growing: each quarter behind the one before and ending more than 8 MiB behind.
    const lagGrowing =
      lagBytes.every((l, i) => i === 0 || l >= lagBytes[i - 1]!) && lagBytes[3]! > 8 * 2 ** 20;

    // Let it settle (idle flush, commits), then probe latency and idle CPU.
    await sleep(2000);
    const latencyMs: number[] = [];
    const probeCount = async (): Promise<number> => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const m = /^crumbtrail_log_lines_total\{level="CRITICAL",component="bench-probe"\} (\d+)/m.exec(text);
      return m ? Number(m[1]) : 0;
    };
    for (let n = 1; n <= 5; n++) {
      const ts = new Date().toISOString().replace('T', ' ').slice(0, 23);
      const w0 = performance.now();
      appendFileSync(file, `[${ts}] CRITICAL - [bench-probe] probe ${n} after idle\n`);
      while ((await probeCount()) < n) {
        if (performance.now() - w0 > 10_000) throw new Error('the probe line never reached /metrics');
        await sleep(5);
      }
      latencyMs.push(performance.now() - w0);
      await sleep(1000);
    }
    await sleep(1000);
    const c0 = procCpuTicks(pid);
    const i0 = performance.now();
    await sleep(10_000);
    const idleCpuPercent =
      ((procCpuTicks(pid) - c0) / CLOCK_TICKS_PER_SECOND / ((performance.now() - i0) / 1000)) * 100;
    return {
      linesIngested: read,
      seconds,
      linesPerSecond: read / seconds,
      targetRate: o.rate,
      writerRate: o.lines / writerSeconds,
      lagBytes,
      lagGrowing,
      rss,
      rssEndMiB: procStatusKiB(pid, 'VmRSS') / 1024,
      latencyMs,
      idleCpuPercent,
      childProcesses: childrenOf(pid),
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** The bench's environment without Elasticsearch settings: the scenario measures the service, not a cluster. */
function serviceEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('CRUMBTRAIL_ES_')) delete env[k];
  return env;
}

/** Processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number {
  let n = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}
