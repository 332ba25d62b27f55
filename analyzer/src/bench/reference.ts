// (a) The reference: a bare readline + regex loop counting by level and component. Run as a child process:
//   node --import tsx analyzer/src/bench/reference.ts FILE
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { maxRssBytes, report } from './child-result.ts';

export const SEED_LINE = /^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})\] ([A-Z]+) - \[([^\]]+)\]/;

const file = process.argv[2];
if (!file) throw new Error('usage: reference.ts FILE');
const t0 = performance.now();
const counts = new Map<string, number>();
let lines = 0;
let matched = 0;
const rl = createInterface({
  input: createReadStream(file, { highWaterMark: 256 * 1024 }),
  crlfDelay: Number.POSITIVE_INFINITY,
});
for await (const line of rl) {
  lines++;
  const m = SEED_LINE.exec(line);
  if (!m) continue;
  matched++;
  const key = `${m[2]} ${m[3]}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
report({
  name: 'readline+regex',
  lines,
  bytes: statSync(file).size,
  seconds: (performance.now() - t0) / 1000,
  maxRssBytes: maxRssBytes(),
  check: { matched, series: counts.size },
});
