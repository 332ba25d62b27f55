// `npm run eval:anomalies [-- --seed N --days N --train N --anomalies N --rolling --lines]`: evaluate the
// time-aware anomaly detector against a global mean/σ detector on a seeded synthetic corpus.
import { parseArgs } from 'node:util';
import { generateCorpus } from '../analyzer/src/anomaly/eval/corpus.ts';
import { evaluate, formatReport } from '../analyzer/src/anomaly/eval/evaluate.ts';
import { replayThroughParser } from '../analyzer/src/anomaly/eval/lines.ts';

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) {
    console.error(`eval:anomalies: --${name} ${raw} is invalid: expected an integer in [${min}, ${max}]`);
    process.exit(2);
  }
  return v;
}

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    days: { type: 'string' },
    train: { type: 'string' },
    anomalies: { type: 'string' },
    rolling: { type: 'boolean', default: false },
    lines: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'min-samples': { type: 'string' },
  },
});
const days = int('days', values.days, 30, 8, 120);
const opts = {
  seed: int('seed', values.seed, 7, 0, 2 ** 31),
  days,
  trainDays: int('train', values.train, Math.round(days * 0.7), 7, days - 1),
  anomalies: int('anomalies', values.anomalies, 50, 1, 1000),
  rolling: values.rolling,
  minSamples: int('min-samples', values['min-samples'], 120, 1, 100_000),
};
const corpusOpts = { ...opts, evalFromDay: opts.trainDays };
let corpus = generateCorpus(corpusOpts);
if (values.lines) {
  try {
    const replay = await replayThroughParser(corpus);
    console.log(replay.note);
    corpus = replay.corpus;
  } catch (err) {
    console.error(
      `eval:anomalies --lines: ${String(err)} (the parser must be implemented; run without --lines)`,
    );
    process.exit(2);
  }
}
const result = evaluate({ ...corpusOpts, corpus });
console.log(values.json ? JSON.stringify(result, null, 2) : formatReport(result));
process.exit(result.pass ? 0 : 1);
