// One-shot analysis: each source → lines → parse → multiline, merged by time → classify → templates → summary,
// incidents, CSV rows.
// Streams with constant memory: only the look-back window of breadcrumbs and capped samples are held.
import { OneShotAnomalies, type OneShotAnomalyOptions } from '../anomaly/oneshot.ts';
import type { Breadcrumb, ClassifiedEvent, LogEvent, ReportData } from '../core/types.ts';
import { mergeByTime } from '../merge/kway.ts';
import { readSourceEvents, type SourceCounters } from '../merge/sources.ts';
import type { CompiledCatalog } from '../parse/catalog/compiled.ts';
import { ParseStage } from '../parse/index.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import type { Stage } from '../pipeline/stage.ts';
import { Classifier, ClassifyStage } from '../rules/classify.ts';
import type { RuleSet } from '../rules/schema.ts';
import { TemplateStage, type TemplateStageOptions } from '../templates/stage.ts';
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
  /** Template mining and its signals (default on); false skips it. */
  templates?: TemplateStageOptions | false;
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
  const templates = opts.templates === false ? null : new TemplateStage(opts.templates);
  const pipeline = new Pipeline<LogEvent, ClassifiedEvent>([
    ...(opts.extraStages ?? []),
    new ClassifyStage(new Classifier(opts.rules)),
    ...(templates ? [templates] : []),
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
  const counters: SourceCounters = {
    folded: 0,
    onLines(lines, bytes) {
      bytesRead += bytes;
      linesRead += lines;
      summary.addLines(lines, bytes);
    },
  };
  // Each input parsed and folded on its own, then merged by event time: one timeline whatever the file order.
  const sources = inputs.map((i) => ({
    name: i.path,
    batches: readSourceEvents(
      i.path,
      {
        maxLineBytes: opts.maxLineBytes,
        // Detection runs per source: each input gets its own parse stage (and so its own format decision).
        parse: () =>
          new ParseStage({
            catalog: opts.catalog,
            format: opts.format,
            refTime: () => i.mtimeMs,
            onDecision: (d) => summary.addDetection(d),
          }),
      },
      counters,
    ),
  }));
  for await (const batch of mergeByTime(sources)) {
    await handle(pipeline.run(batch));
    hooks.onProgress?.(bytesRead, linesRead);
    if (hooks.drain) await hooks.drain();
  }
  await handle(pipeline.flush());
  summary.setContinuationLines(counters.folded);
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
    timeline: incidents.stats(),
  };
  if (found) data.anomalies = found;
  if (templates) data.templates = templates.summary();
  return data;
}
