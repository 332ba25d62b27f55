// Whole-process measurement for the bench: wall time from spawn to exit and the kernel's peak RSS of that
// process (/usr/bin/time's %M when it is installed — exact, read after exit — else VmHWM sampled from
// /proc/<pid>/status while it runs), plus /proc readers for a long-running process (RSS now, CPU ticks).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProcessRun {
  seconds: number;
  /** Peak resident set size, bytes. */
  peakRssBytes: number;
  stdout: string;
  stderr: string;
}

const TIME_BIN = '/usr/bin/time';

/** Run `cmd args` to completion; rejects with its stderr tail on a non-zero exit. */
export async function runTimed(
  cmd: string,
  args: string[],
  opts: { cwd?: string } = {},
): Promise<ProcessRun> {
  const useTime = existsSync(TIME_BIN);
  const dir = useTime ? mkdtempSync(join(tmpdir(), 'crumbtrail-bench-time-')) : null;
  const timeFile = dir ? join(dir, 'time') : '';
  const [bin, argv] = useTime ? [TIME_BIN, ['-o', timeFile, '-f', '%M', cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const child = spawn(bin, argv, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-20_000);
  });
  let sampled = 0;
  // Without /usr/bin/time the child is the measured process itself.
  const sampler = useTime
    ? null
    : setInterval(() => {
        if (child.pid) sampled = Math.max(sampled, procStatusKiB(child.pid, 'VmHWM') * 1024);
      }, 20);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = (performance.now() - t0) / 1000;
  if (sampler) clearInterval(sampler);
  let peak = sampled;
  if (dir) {
    const kib = Number(/(\d+)\s*$/.exec(readFileSync(timeFile, 'utf8').trim())?.[1] ?? 0);
    peak = kib * 1024;
    rmSync(dir, { recursive: true, force: true });
  }
  if (code !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-4).join(' | ')}`,
    );
  return { seconds, peakRssBytes: peak, stdout, stderr };
}

/** A `Vm…:` line of /proc/<pid>/status in KiB (0 when the process is gone). */
export function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU time of a process so far, in clock ticks (USER_HZ, 100 a second on Linux). */
export function procCpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

export const CLOCK_TICKS_PER_SECOND = 100;
