// (c) mtail --one_shot with a program equivalent to the reference loop: counters by level and component from
// the same regex. Timed as a whole process like every other contender (proc.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProcessRun, runTimed } from './proc.ts';

export const MTAIL_PROGRAM = `# crumbtrail bench: the same counts as the reference loop (level × component).
counter crumbtrail_log_lines_total by level, component

/^\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\] (?P<level>[A-Z]+) - \\[(?P<component>[^\\]]+)\\]/ {
  crumbtrail_log_lines_total[$level][$component]++
}
`;

export async function runMtail(
  mtailBin: string,
  progDir: string,
  file: string,
): Promise<ProcessRun & { matched: number }> {
  writeFileSync(join(progDir, 'crumbtrail-bench.mtail'), MTAIL_PROGRAM);
  const r = await runTimed(mtailBin, [
    '--one_shot',
    '--one_shot_format',
    'prometheus',
    '--progs',
    progDir,
    '--logs',
    file,
    '--logtostderr',
  ]);
  const matched = [...r.stdout.matchAll(/^crumbtrail_log_lines_total\{[^}]*\} (\d+)/gm)].reduce(
    (s, m) => s + Number(m[1]),
    0,
  );
  return { ...r, matched };
}
