// `--lines`: turn the corpus into real JSON log lines, run them through the real parser and the
// SeriesAggregator, and rebuild the per-minute values from what came out (an end-to-end check of the series
// path). Breadcrumb series need the classifier's rules, so they keep their generated values.
import type { ClassifiedEvent, RawLine } from '../../core/types.ts';
import { parseLine } from '../../parse/index.ts';
import { MINUTE_MS } from '../buckets.ts';
import { defaultAnomalyConfig } from '../config.ts';
import { SeriesAggregator } from '../series.ts';
import type { Corpus } from './corpus.ts';

function* linesOf(c: Corpus): Generator<{ ts: number; line: string }> {
  for (let m = 0; m < c.minutes; m++) {
    const minute = c.startMs + m * MINUTE_MS;
    const out: { ts: number; line: string }[] = [];
    c.series.forEach((s, i) => {
      const [component, metric] = s.name.split(':') as [string, string];
      const v = c.values[i]![m]!;
      if (metric === 'errors' || metric === 'warns') {
        const level = metric === 'errors' ? 'ERROR' : 'WARN';
        for (let k = 0; k < v; k++) {
          const ts = minute + Math.floor(((k + 0.5) * MINUTE_MS) / (v + 1));
          out.push({
            ts,
            line: JSON.stringify({
              '@timestamp': new Date(ts).toISOString(),
              'log.level': level,
              'service.name': component,
              message: `${metric} sample ${k}`,
            }),
          });
        }
      } else if (metric.startsWith('latency_ms')) {
        // Three INFO lines carrying the same latency: their p95 (and mean) is the generated value.
        for (let k = 0; k < 3; k++) {
          const ts = minute + 10_000 * (k + 1);
          out.push({
            ts,
            line: JSON.stringify({
              '@timestamp': new Date(ts).toISOString(),
              'log.level': 'INFO',
              'service.name': component,
              message: 'request done',
              latency_ms: v,
            }),
          });
        }
      }
    });
    out.sort((a, b) => a.ts - b.ts);
    yield* out;
  }
}

export async function replayThroughParser(c: Corpus): Promise<{ corpus: Corpus; note: string }> {
  const cfg = defaultAnomalyConfig().series;
  const idx = new Map(c.series.map((s, i) => [s.name, i]));
  const values: Float64Array[] = c.values.map((v) => new Float64Array(v.length));
  const recovered = new Set<string>();
  const agg = new SeriesAggregator({ ...cfg, allowedLatenessMs: 0 }, (samples) => {
    for (const s of samples) {
      const i = idx.get(s.series);
      if (i === undefined) continue;
      recovered.add(s.series);
      values[i]![Math.round((s.minute - c.startMs) / MINUTE_MS)] = s.value;
    }
  });
  let offset = 0;
  let lineNo = 0;
  let lines = 0;
  const t0 = performance.now();
  for (const { line } of linesOf(c)) {
    const bytes = Buffer.from(line);
    const raw: RawLine = {
      source: 'eval',
      offset,
      nextOffset: offset + bytes.length + 1,
      lineNo: ++lineNo,
      bytes,
    };
    offset = raw.nextOffset;
    const item: ClassifiedEvent = { event: parseLine(raw), breadcrumb: null };
    agg.push(item);
    lines++;
  }
  agg.flush();
  const ms = performance.now() - t0;
  c.series.forEach((s, i) => {
    if (!recovered.has(s.name)) values[i] = c.values[i]!;
  });
  let mismatched = 0;
  for (const name of recovered) {
    const i = idx.get(name)!;
    for (let m = 0; m < c.minutes; m++) if (Math.abs(values[i]![m]! - c.values[i]![m]!) > 1e-6) mismatched++;
  }
  const note = `--lines: ${lines} JSON lines through parseLine → SeriesAggregator in ${Math.round(ms)} ms; recovered ${recovered.size}/${c.series.length} series (${mismatched} minute values differ from the generated ones)`;
  return { corpus: { ...c, values }, note };
}
