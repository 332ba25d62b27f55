// The analyzer service as a child process (analyzer/src/cli/serve.ts), and a log writer that records every line's
// byte range and whether the rules classify it: the two halves of the process-level fault matrices
// (test/integration/es-matrix.test.ts against the stand-in, test/engine/es-fault-matrix.test.ts against a real node).
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawLine } from '../../analyzer/src/core/types.ts';
import { parseLine } from '../../analyzer/src/parse/index.ts';
import { Classifier } from '../../analyzer/src/rules/classify.ts';
import { loadRules } from '../../analyzer/src/rules/load.ts';
import { sleep } from './wait.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
export const SERVE = join(ROOT, 'analyzer/src/cli/serve.ts');
const MAX_LINE = 1024 * 1024; // the tailer's default maxLineBytes
const classifier = existsSync(SERVE) ? new Classifier(loadRules()) : null;

/** Everything written, per physical file, with byte ranges and whether the rules classify the line. */
export class Writer {
  readonly lines: { seq: number; file: string; start: number; end: number; classified: boolean }[] = [];
  private seq = 0;
  private readonly size = new Map<string, number>();

  constructor(readonly dir: string) {}

  path(name = 'app.log'): string {
    return join(this.dir, name);
  }

  /** Append `n` lines; about one in three is a breadcrumb (ERROR … crashed). */
  write(n: number, name = 'app.log'): void {
    let text = '';
    for (let i = 0; i < n; i++) {
      const s = ++this.seq;
      text +=
        s % 3 === 0
          ? `[2026-11-21 10:00:00.000] ERROR - [exchange] seq=${s} service crashed while matching\n`
          : `[2026-11-21 10:00:00.000] INFO - [gateway] seq=${s} request served in 3ms\n`;
    }
    this.raw(Buffer.from(text), name);
  }

  /** Append exact bytes (must end with \n); each line is recorded and classified like the tailer would. */
  raw(bytes: Buffer, name = 'app.log'): void {
    const file = this.path(name);
    let off = this.size.get(file) ?? 0;
    appendFileSync(file, bytes);
    let from = 0;
    for (;;) {
      const nl = bytes.indexOf(10, from);
      if (nl === -1) break;
      const line = bytes.subarray(from, nl);
      const m = /seq=(\d+)/.exec(line.subarray(0, 200).toString('latin1'));
      const raw: RawLine = {
        source: file,
        offset: off,
        nextOffset: off + line.length + 1,
        lineNo: 0,
        bytes: line.length > MAX_LINE ? line.subarray(0, MAX_LINE) : line,
        truncated: line.length > MAX_LINE,
      };
      const classified = classifier!.classify(parseLine(raw)) !== null;
      this.lines.push({
        seq: m ? Number(m[1]) : -1,
        file,
        start: off,
        end: off + line.length + 1,
        classified,
      });
      off += line.length + 1;
      from = nl + 1;
    }
    this.size.set(file, off);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** The file was renamed: its lines now live under the new path. */
  renamed(from: string, to: string): void {
    const a = this.path(from);
    const b = this.path(to);
    for (const l of this.lines) if (l.file === a) l.file = b;
    this.size.set(b, this.size.get(a) ?? 0);
    this.size.delete(a);
  }

  truncated(name: string): void {
    this.size.set(this.path(name), 0);
  }
}

export interface Running {
  proc: ChildProcess;
  port: number;
  stderr: string[];
  maxRssMb: number;
  exited: Promise<number | null>;
  rssTimer: NodeJS.Timeout;
}

/** Analyzers started and not yet exited: a failed assertion must not leave one running (it would keep the test
 * file's process alive, and the whole run with it). */
const live = new Set<ChildProcess>();

/** SIGKILLs every analyzer still running; test files call it from `after()`. */
export function killAllAnalyzers(): void {
  for (const p of live) p.kill('SIGKILL');
  live.clear();
}

export async function startAnalyzer(
  stateDir: string,
  logDir: string,
  esUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<Running> {
  const proc: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SERVE,
      '--glob',
      join(logDir, '*.log'),
      '--state-dir',
      stateDir,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--no-anomalies',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        CRUMBTRAIL_ES_URL: esUrl,
        CRUMBTRAIL_ES_FLUSH_INTERVAL_MS: '50',
        CRUMBTRAIL_ES_BATCH_SIZE: '200',
        CRUMBTRAIL_ES_RETRY_BASE_MS: '20',
        CRUMBTRAIL_ES_MAX_RETRY_BACKOFF_MS: '300',
        CRUMBTRAIL_ES_REQUEST_TIMEOUT_MS: '1000',
        CRUMBTRAIL_ES_PROBE_INTERVAL_MS: '200',
        CRUMBTRAIL_ES_MAX_QUEUE_EVENTS: '2000',
        ...extraEnv,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  const stderr: string[] = [];
  let port = 0;
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => {
    stderr.push(d);
    if (stderr.length > 2000) stderr.splice(0, 1000);
    const m = /listening on http:\/\/[^:]+:(\d+)/.exec(d);
    if (m) port = Number(m[1]);
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const run: Running = {
    proc,
    port: 0,
    stderr,
    maxRssMb: 0,
    exited,
    rssTimer: undefined as unknown as NodeJS.Timeout,
  };
  run.rssTimer = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      if (m) run.maxRssMb = Math.max(run.maxRssMb, Number(m[1]) / 1024);
    } catch {
      // exited
    }
  }, 100);
  // The sampler ends with the process, however it ends (a failed test may never call stopAnalyzer).
  proc.once('exit', () => clearInterval(run.rssTimer));
  const deadline = Date.now() + 120_000;
  while (port === 0 && Date.now() < deadline && proc.exitCode === null) await sleep(25);
  if (port === 0) {
    clearInterval(run.rssTimer);
    proc.kill('SIGKILL');
    throw new Error(`analyzer did not start:\n${stderr.join('').slice(-3000)}`);
  }
  run.port = port;
  return run;
}

export async function stopAnalyzer(r: Running, signal: NodeJS.Signals): Promise<number | null> {
  r.proc.kill(signal);
  const code = await Promise.race([r.exited, sleep(20_000).then(() => 'timeout' as const)]);
  clearInterval(r.rssTimer);
  if (code === 'timeout') {
    r.proc.kill('SIGKILL');
    await r.exited;
    throw new Error(`analyzer ignored ${signal} for 20 s`);
  }
  return code;
}

export function checkpoints(stateDir: string): { path: string; offset: number }[] {
  const f = join(stateDir, 'checkpoints.json');
  if (!existsSync(f)) return [];
  try {
    const doc = JSON.parse(readFileSync(f, 'utf8')) as {
      files: Record<string, { path: string; offset: number }>;
    };
    return Object.values(doc.files);
  } catch {
    return [];
  }
}
