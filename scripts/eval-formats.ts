// `npm run eval:formats [-- --json] [--formats my.yml] [--no-throughput]`: the format catalog against its own
// documentation-written examples and the real-program logs in test/fixtures/real (see analyzer/src/parse/eval.ts).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { catalogWith } from '../analyzer/src/parse/catalog/index.ts';
import {
  evalExamples,
  evalReal,
  familySamples,
  familyThroughput,
  formatTable,
} from '../analyzer/src/parse/eval.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    formats: { type: 'string', multiple: true, default: [] },
    manifest: { type: 'string', default: 'test/fixtures/real/manifest.json' },
    'no-throughput': { type: 'boolean', default: false },
  },
});
const catalog = catalogWith(values.formats);
const manifest = existsSync(values.manifest) ? values.manifest : null;
if (manifest === null) console.error(`eval:formats: no ${values.manifest}; real-log corpus skipped`);
const rows = [...evalExamples(catalog), ...(manifest ? evalReal(catalog, manifest) : [])];
const throughput = values['no-throughput'] ? [] : familyThroughput(catalog, familySamples(catalog, manifest));
if (values.json) {
  console.log(JSON.stringify({ rows, throughput }, null, 2));
} else {
  console.log(formatTable(rows));
  const real = rows.filter((r) => r.corpus === 'real');
  const okReal = real.filter((r) => r.ok).length;
  const okEx = rows.filter((r) => r.corpus === 'examples' && r.ok).length;
  console.log(
    `\ndetection as expected: examples ${okEx}/${rows.length - real.length}, real files ${okReal}/${real.length}`,
  );
  if (throughput.length > 0) {
    console.log('\n| family | lines | parse lines/s |\n| --- | --- | --- |');
    for (const t of throughput)
      console.log(`| ${t.family} | ${t.lines} | ${t.linesPerSecond.toLocaleString('en')} |`);
  }
}
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
