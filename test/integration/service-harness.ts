// Runs the real service (`analyzer/src/cli/serve.ts`) as a child process on 127.0.0.1, port 0, for the
// integration tests; every child is killed and every temp dir removed by `cleanup()`.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const SERVE = join(root, 'analyzer/src/cli/serve.ts');

export const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export interface RunningService {
  child: ChildProcess;
  port: number;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

export function cleanup(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

export async function startService(
  args: string[],
  env: Record<string, string> = {},
): Promise<RunningService> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SERVE,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--commit-interval-ms',
      '50',
      '--idle-flush-ms',
      '200',
      ...args,
    ],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.add(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in 30 s:\n${err}`)), 30_000);
    const onData = (): void => {
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited ${code} before listening:\n${err}`));
    });
  });
  return { child, port, url: `http://127.0.0.1:${port}`, stderr: () => err, exited };
}

/** Seed-format lines with known level/component, appended to `file`; returns the ground truth counts. */
export function writeLines(file: string, n: number, components: number, start = 0): Map<string, number> {
  const truth = new Map<string, number>();
  const out: string[] = [];
  for (let i = start; i < start + n; i++) {
    const level = LEVELS[i % LEVELS.length]!;
    const component = `svc-${i % components}`;
    const ts = new Date(Date.UTC(2026, 0, 1) + i * 10).toISOString().replace('T', ' ').replace('Z', '');
    out.push(`[${ts}] ${level} - [${component}] request handled n=${i} note="ok ✓"`);
    const key = `${level} ${component}`;
    truth.set(key, (truth.get(key) ?? 0) + 1);
  }
  appendFileSync(file, `${out.join('\n')}\n`);
  return truth;
}

/** `crumbtrail_log_lines_total` per "LEVEL component" from a /metrics text. */
export function lineCounts(metrics: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of metrics.matchAll(
    /^crumbtrail_log_lines_total\{level="([^"]+)",component="([^"]+)"\} (\S+)$/gm,
  )) {
    out.set(`${m[1]} ${m[2]}`, Number(m[3]));
  }
  return out;
}

export function sum(m: Map<string, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  return (await r.json()) as T;
}

export interface StatsView {
  totals: { events: number; linesRead: number };
  files: {
    path: string;
    committedOffset: number;
    persistedOffset: number | null;
    size: number;
    readOffset: number;
  }[];
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (let i = 0; i < 10_000; i++) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}
