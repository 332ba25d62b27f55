// One-shot analysis: sources → lines → parse → multiline → classify → summary, incidents, CSV rows.
// Streams with constant memory: only the look-back window of breadcrumbs and capped samples are held.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { OneShotAnomalies, type OneShotAnomalyOptions } from '../anomaly/oneshot.ts';
import type { Breadcrumb, ClassifiedEvent, LogEvent, RawLine, ReportData } from '../core/types.ts';
import { LineSplitter } from '../decode/lines.ts';
import type { CompiledCatalog } from '../parse/catalog/compiled.ts';
import { MultilineStage, ParseStage } from '../parse/index.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import type { Stage } from '../pipeline/stage.ts';
import { Classifier, ClassifyStage } from '../rules/classify.ts';
import type { RuleSet } from '../rules/schema.ts';
import { IncidentBuilder, type TimelineOptions } from '../timeline/incidents.ts';
import { SummaryBuilder } from './summary.ts';

export interface AnalyzeInput {
  /** File path, or '-' for stdin. */
  path: string;
  /** Size in bytes when known (progress). */
  size?: number;
  /** Modification time (epoch ms): the reference year for year-less timestamps (syslog, klog, logcat). */
  mtimeMs?: number;
}

export interface AnalyzeOptions {
  rules: RuleSet;
  timeline?: TimelineOptions;
  maxLineBytes?: number;
  /** Breadcrumbs kept for the report's table (all go to the CSV). Default 2,000. */
  tableCap?: number;
  /** Extra stages after parse/multiline (e.g. redaction), before classify. */
  extraStages?: Stage<LogEvent, LogEvent>[];
  /** Per-minute anomaly pass (baseline: this input, or a store's thresholds); omit to skip it. */
  anomalies?: OneShotAnomalyOptions;
  /** Format catalog (default: the built-in one) and a format to force ('auto' or undefined: detect per source). */
  catalog?: CompiledCatalog;
  format?: string;
}

export interface AnalyzeHooks {
  /** Every classified event, in order (critical.csv). May return a promise to apply backpressure. */
  onEvent?: (c: ClassifiedEvent) => void | Promise<void>;
  /** Every breadcrumb once its incident id is final (breadcrumbs.csv). */
  onBreadcrumb?: (b: Breadcrumb) => void;
  /** Progress: bytes read so far. */
  onProgress?: (bytesRead: number, lines: number) => void;
  /** Lets the caller wait (e.g. CSV drain) between chunks. */
  drain?: () => Promise<void>;
}

export async function analyze(
  inputs: AnalyzeInput[],
  opts: AnalyzeOptions,
  hooks: AnalyzeHooks = {},
): Promise<ReportData> {
  const summary = new SummaryBuilder(inputs.map((i) => i.path));
  const tableCap = opts.tableCap ?? 2000;
  const table: Breadcrumb[] = [];
  let breadcrumbsTotal = 0;
  const incidents = new IncidentBuilder(opts.timeline, (b) => {
    breadcrumbsTotal++;
    if (table.length < tableCap) table.push(b);
    hooks.onBreadcrumb?.(b);
  });
  const anomalies = opts.anomalies ? new OneShotAnomalies(opts.anomalies) : null;
  const multiline = new MultilineStage();
  const mtimes = new Map(inputs.map((i) => [i.path, i.mtimeMs]));
  const pipeline = new Pipeline<RawLine, ClassifiedEvent>([
    new ParseStage({
      catalog: opts.catalog,
      format: opts.format,
      refTime: (source) => mtimes.get(source),
      onDecision: (d) => summary.addDetection(d),
    }),
    multiline,
    ...(opts.extraStages ?? []),
    new ClassifyStage(new Classifier(opts.rules)),
  ]);

  const handle = async (out: ClassifiedEvent[]) => {
    for (const c of out) {
      summary.add(c);
      if (c.breadcrumb) incidents.add(c.breadcrumb);
      anomalies?.push(c);
      const p = hooks.onEvent?.(c);
      if (p) await p;
    }
  };

  let bytesRead = 0;
  let linesRead = 0;
  for (const input of inputs) {
    // Read streams hand out a new buffer per chunk, so lines can borrow it rather than copy.
    const splitter = new LineSplitter(input.path, 0, {
      maxLineBytes: opts.maxLineBytes,
      chunksAreFresh: true,
    });
    const stream: Readable =
      input.path === '-' ? process.stdin : createReadStream(input.path, { highWaterMark: 64 * 1024 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      const lines = splitter.push(chunk);
      linesRead += lines.length;
      summary.addLines(lines.length, chunk.length);
      await handle(pipeline.run(lines));
      hooks.onProgress?.(bytesRead, linesRead);
      if (hooks.drain) await hooks.drain();
    }
    const tail = splitter.end();
    summary.addLines(tail.length, 0);
    await handle(pipeline.run(tail));
    // A source's last event must not swallow the next source's first lines as continuations.
    await handle(pipeline.flush());
  }
  summary.setContinuationLines(multiline.folded);
  const openSignals = incidents.finish();
  // Before summary.finish(), so the reported duration includes the anomaly judgement.
  const found = anomalies?.finish();
  const data: ReportData = {
    generatedAt: Date.now(),
    summary: summary.finish(),
    incidents: incidents.incidents(),
    breadcrumbs: table,
    breadcrumbsTotal,
    openSignals,
  };
  if (found) data.anomalies = found;
  return data;
}
