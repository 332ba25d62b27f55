// (c) mtail --one_shot with a program equivalent to the reference: counters by level and component from the
// same regex. Peak RSS is sampled from /proc/<pid>/status (VmHWM, the kernel's own high-water mark) while it runs.
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildResult } from './child-result.ts';

export const MTAIL_PROGRAM = `# crumbtrail bench: the same counts as the reference loop (level × component).
counter crumbtrail_log_lines_total by level, component

/^\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\] (?P<level>[A-Z]+) - \\[(?P<component>[^\\]]+)\\]/ {
  crumbtrail_log_lines_total[$level][$component]++
}
`;

function vmHwmBytes(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export async function runMtail(
  mtailBin: string,
  progDir: string,
  file: string,
  lines: number,
): Promise<ChildResult> {
  writeFileSync(join(progDir, 'crumbtrail-bench.mtail'), MTAIL_PROGRAM);
  const t0 = performance.now();
  const child = spawn(
    mtailBin,
    ['--one_shot', '--one_shot_format', 'prometheus', '--progs', progDir, '--logs', file, '--logtostderr'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  let peak = 0;
  const sampler = setInterval(() => {
    if (child.pid) peak = Math.max(peak, vmHwmBytes(child.pid));
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`mtail exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`);
  const matched = [...out.matchAll(/^crumbtrail_log_lines_total\{[^}]*\} (\d+)/gm)].reduce(
    (s, m) => s + Number(m[1]),
    0,
  );
  return {
    name: 'mtail --one_shot',
    lines,
    bytes: statSync(file).size,
    seconds,
    maxRssBytes: peak,
    check: { matched },
  };
}
