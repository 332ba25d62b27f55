// `npm run bench [-- --quick] [-- --lines N] [-- --big-lines N] [-- --reps N]`: whole-process throughput and
// memory of `npm run analyze` against mtail and a bare readline+regex loop, the 10 M-line memory bound and the
// live service. Full run ≈ 10–15 min; --quick (200 k lines, 2 repetitions, no 10 M corpus) is a smoke run.
// Thin over analyzer/src/bench/run.ts.
import { existsSync } from 'node:fs';
import { runBench } from '../analyzer/src/bench/run.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const value = (name: string, fallback: number, min = 1): number => {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < min) {
    console.error(`bench: ${name} needs a whole number ≥ ${min}, got ${args[i + 1] ?? 'nothing'}`);
    process.exit(2);
  }
  return n;
};
const mtail = ['/usr/bin/mtail', '/usr/local/bin/mtail'].find((p) => existsSync(p)) ?? null;
await runBench({
  root: new URL('..', import.meta.url).pathname,
  lines: value('--lines', quick ? 200_000 : 1_000_000, 1000),
  bigLines: value('--big-lines', quick ? 0 : 10_000_000, 0),
  reps: value('--reps', quick ? 2 : 5),
  quick,
  mtail,
  log: (l) => console.log(l),
});
