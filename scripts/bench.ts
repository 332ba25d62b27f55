// `npm run bench [-- --quick] [-- --lines N] [-- --reps N]`: throughput and memory of the analyzer's hot path
// against a bare readline+regex loop and mtail. Thin over analyzer/src/bench/run.ts.
import { existsSync } from 'node:fs';
import { runBench } from '../analyzer/src/bench/run.ts';

const args = process.argv.slice(2);
const value = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: ${name} needs a positive integer, got ${args[i + 1] ?? 'nothing'}`);
    process.exit(2);
  }
  return n;
};
const mtail = ['/usr/bin/mtail', '/usr/local/bin/mtail'].find((p) => existsSync(p)) ?? null;
await runBench({
  root: new URL('..', import.meta.url).pathname,
  lines: value('--lines', 1_000_000),
  reps: value('--reps', 3),
  quick: args.includes('--quick'),
  mtail,
  log: (l) => console.log(l),
});
