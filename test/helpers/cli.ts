// Runs a repo CLI (TypeScript, via tsx) in a child process and captures its output and exit code.
import { spawn } from 'node:child_process';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** Run as users do (`npm run analyze` → scripts/launch.mjs, a bundle on plain node) instead of via tsx. */
  launcher?: boolean;
}

export function runCli(script: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const name = /cli\/([a-z-]+)\.ts$/.exec(script)?.[1];
  const argv =
    opts.launcher && name ? ['scripts/launch.mjs', name, ...args] : ['--import', 'tsx', script, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}
