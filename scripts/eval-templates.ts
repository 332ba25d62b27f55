// `npm run eval:templates [-- --data DIR] [--json]`: grouping accuracy of the template miner on Loghub-2k,
// beside Drain's published figures. DIR (or LOGHUB_DIR) is a checkout of github.com/logpai/loghub (never
// committed here); without it the evaluation is skipped with a notice, exit 0.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  DATASETS,
  type DatasetResult,
  evaluateDataset,
  structuredCsv,
} from '../analyzer/src/templates/eval/loghub.ts';

const { values } = parseArgs({
  options: { data: { type: 'string' }, json: { type: 'boolean', default: false } },
});
const root = values.data ?? process.env.LOGHUB_DIR;
if (root === undefined || !existsSync(root)) {
  console.log(
    `eval:templates: skipped — Loghub-2k not found${root ? ` at ${root}` : ''}. Get it with ` +
      '`git clone --depth 1 https://github.com/logpai/loghub /tmp/loghub` and run ' +
      '`npm run eval:templates -- --data /tmp/loghub` (or set LOGHUB_DIR).',
  );
  process.exit(0);
}
const results: DatasetResult[] = [];
const missing: string[] = [];
for (const d of DATASETS) {
  const r = evaluateDataset(root, d);
  if (r) results.push(r);
  else missing.push(structuredCsv(root, d));
}
if (results.length === 0) {
  console.error(
    `eval:templates: no <Dataset>/<Dataset>_2k.log_structured.csv under ${root}; is it a loghub checkout?`,
  );
  process.exit(2);
}
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const avg = mean(results.map((r) => r.accuracy));
const drainAvg = mean(results.map((r) => r.drain));
if (values.json) {
  console.log(JSON.stringify({ results, average: avg, drainAverage: drainAvg, missing }, null, 2));
} else {
  console.log('dataset        lines  truth groups  our groups   GA (ours)   GA (Drain, published)');
  for (const r of results)
    console.log(
      `${r.dataset.padEnd(12)}${String(r.lines).padStart(7)}${String(r.truthGroups).padStart(14)}${String(r.parsedGroups).padStart(12)}${r.accuracy.toFixed(3).padStart(12)}${r.drain.toFixed(3).padStart(24)}`,
    );
  console.log(
    `${'average'.padEnd(12)}${''.padStart(33)}${avg.toFixed(3).padStart(12)}${drainAvg.toFixed(3).padStart(24)}`,
  );
  console.log(`goal: average ≥ 0.900 with one configuration — ${avg >= 0.9 ? 'met' : 'NOT met'}`);
  for (const m of missing) console.log(`missing: ${m}`);
}
