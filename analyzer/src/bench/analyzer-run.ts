// (b) The analyzer's hot path in one-shot mode: LineSplitter → parse → multiline → classify (the service's
// default stages, built the same way) → metrics. No Elasticsearch. Run as a child process:
//   node --import tsx analyzer/src/bench/analyzer-run.ts FILE [REPEAT]
// REPEAT reads the file that many times as one continuous stream (offsets keep growing), for the 10 M-line
// RSS check without a 1 GB corpus on disk.
import { createReadStream, statSync } from 'node:fs';
import type { RawLine } from '../core/types.ts';
import { LineSplitter } from '../decode/lines.ts';
import { AnalyzerMetrics } from '../metrics/analyzer-metrics.ts';
import { buildPipeline, defaultStageFactories } from '../service/stages.ts';
import { maxRssBytes, report } from './child-result.ts';

const file = process.argv[2];
const repeat = Number(process.argv[3] ?? '1');
if (!file || !Number.isInteger(repeat) || repeat < 1) throw new Error('usage: analyzer-run.ts FILE [REPEAT]');

const BATCH = 2000;
const metrics = new AnalyzerMetrics();
const pipeline = buildPipeline(
  { stages: ['parse', 'multiline', 'classify'], multiline: true, rules: null, redact: {} },
  defaultStageFactories,
  { trace: false },
);
metrics.setSources({ stageStats: () => pipeline.stats() });
let events = 0;
let breadcrumbs = 0;
const consume = (out: ReturnType<typeof pipeline.run>): void => {
  const now = Date.now();
  for (const ce of out) {
    metrics.observe(ce, now);
    if (ce.breadcrumb) breadcrumbs++;
  }
  events += out.length;
};

const t0 = performance.now();
const size = statSync(file).size;
const splitter = new LineSplitter(file, 0, { chunksAreFresh: true });
let lines = 0;
let pending: RawLine[] = [];
for (let r = 0; r < repeat; r++) {
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    for (const l of splitter.push(chunk as Buffer)) {
      pending.push(l);
      if (pending.length === BATCH) {
        lines += pending.length;
        consume(pipeline.run(pending));
        pending = [];
      }
    }
  }
}
for (const l of splitter.end()) pending.push(l);
lines += pending.length;
consume(pipeline.run(pending));
consume(pipeline.flush());
// One scrape, as Prometheus would do: the metric families must hold what we counted.
const text = await metrics.exposition();
const counted = [...text.matchAll(/^crumbtrail_log_lines_total\{[^}]*\} (\d+)/gm)].reduce(
  (s, m) => s + Number(m[1]),
  0,
);
report({
  name: 'analyzer pipeline',
  lines,
  bytes: size * repeat,
  seconds: (performance.now() - t0) / 1000,
  maxRssBytes: maxRssBytes(),
  check: { events, breadcrumbs, counted, stageErrors: pipeline.errorCount },
});
