// Builds the observable pipeline from the PipelineSpec. Stage constructors are injected (StageFactories) so
// tests can run the service with small fakes and so a new stage plugs in with one line here.
//
// Default chain: parse → multiline → reorder → redact → classify → templates, then sample when pipeline.sample
// is set. Reorder puts the files' events in event-time order (within its window) before anything counts them;
// templates run after classify so a rule's breadcrumb wins over a template signal. Redaction runs
// before classify so that nothing downstream (rules, metrics, incidents, anomalies, --output, Elasticsearch)
// ever sees a secret. Sampling runs after classify: it sees the breadcrumb, so it can keep every breadcrumb of
// any level, plus every event at or above keepFrom (WARN), and thin out only the plain lines that matched no rule.

import type { Registry } from 'prom-client';
import type { ClassifiedEvent, LogEvent, RawLine } from '../core/types.ts';
import { UsageError } from '../core/usage-error.ts';
import { ReorderStage } from '../merge/reorder.ts';
import { MultilineStage, ParseStage } from '../parse/index.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import type { Stage } from '../pipeline/stage.ts';
import { createRedactStage, RedactionConfigError } from '../redact/index.ts';
import { Classifier, ClassifyStage } from '../rules/classify.ts';
import { loadRules } from '../rules/load.ts';
import { ClassifiedSampleStage, SampleConfigError, type SampleOptions } from '../sample/index.ts';
import { TemplateStage } from '../templates/stage.ts';
import type { PipelineSpec, StageName } from './pipeline-spec.ts';

export interface StageFactories {
  parse: () => Stage<RawLine, LogEvent>;
  multiline: () => Stage<LogEvent, LogEvent>;
  /** null = the shipped default rules. */
  classify: (rulesPath: string | null) => Stage<LogEvent, ClassifiedEvent>;
  /** Options are pipeline.redact; absent in test fakes (then the default chain has no redact stage). */
  redact?: (options: Record<string, unknown>) => Stage<LogEvent, LogEvent>;
  /** Options are pipeline.sample (or CRUMBTRAIL_SAMPLE_*); runs after classify. */
  sample?: (options: SampleOptions) => Stage<ClassifiedEvent, ClassifiedEvent>;
  /** Event-time order across files within a window (pipeline.reorder); after multiline. */
  reorder?: (options: NonNullable<PipelineSpec['reorder']>) => Stage<LogEvent, LogEvent>;
  /** Log templates and their signals; right after classify. */
  templates?: () => Stage<ClassifiedEvent, ClassifiedEvent>;
}

/** The real stages; `registry` receives crumbtrail_redactions_total{pattern}. */
export function createStageFactories(registry?: Registry): StageFactories {
  return {
    parse: () => new ParseStage(),
    multiline: () => new MultilineStage(),
    classify: (rules) => new ClassifyStage(new Classifier(rules ? loadRules(rules) : loadRules())),
    redact: (opts) => createRedactStage(opts, registry),
    sample: (opts) => new ClassifiedSampleStage(opts),
    reorder: (opts) => new ReorderStage({ ...opts, registry }),
    templates: () => new TemplateStage(),
  };
}

/** The real stages without a metrics registry (benchmarks, one-shot tools). */
export const defaultStageFactories: StageFactories = createStageFactories();

export class StageSpecError extends UsageError {}

/** The stage names that will run for a spec (the default chain includes redact only when it exists). */
export function resolveStageNames(spec: PipelineSpec, factories: StageFactories): StageName[] {
  const names: StageName[] = spec.stages ?? [
    'parse',
    'multiline',
    ...(factories.reorder ? ['reorder' as const] : []),
    ...(factories.redact ? ['redact' as const] : []),
    'classify',
    ...(factories.templates ? ['templates' as const] : []),
    ...(spec.sample ? ['sample' as const] : []),
  ];
  if (spec.sample && !names.includes('sample'))
    throw new StageSpecError(
      'pipeline.sample is set but pipeline.stages does not list sample; add it after classify or drop pipeline.sample',
    );
  return names.filter((n) => (n !== 'multiline' || spec.multiline) && (n !== 'sample' || spec.sample));
}

export function buildStages(spec: PipelineSpec, factories: StageFactories): Stage<never, unknown>[] {
  return resolveStageNames(spec, factories).map((name) => buildStage(name, spec, factories));
}

function buildStage(name: StageName, spec: PipelineSpec, factories: StageFactories): Stage<never, unknown> {
  if (name === 'parse') return factories.parse() as Stage<never, unknown>;
  if (name === 'multiline') return factories.multiline() as Stage<never, unknown>;
  if (name === 'classify') return factories.classify(spec.rules) as Stage<never, unknown>;
  if (name === 'reorder' || name === 'templates') {
    const make = name === 'reorder' ? factories.reorder : factories.templates;
    if (!make) throw new StageSpecError(`pipeline.stages lists ${name}, but this build has no ${name} stage`);
    return (name === 'reorder' ? factories.reorder!(spec.reorder ?? {}) : factories.templates!()) as Stage<
      never,
      unknown
    >;
  }
  const factory = name === 'redact' ? factories.redact : factories.sample;
  if (!factory)
    throw new StageSpecError(`pipeline.stages lists ${name}, but this build has no ${name} stage`);
  try {
    if (name === 'redact') return factories.redact!(spec.redact) as Stage<never, unknown>;
    return factories.sample!(spec.sample!) as Stage<never, unknown>;
  } catch (err) {
    // Bad stage options are configuration errors: one line naming the key, exit 2 (serve.ts).
    if (err instanceof RedactionConfigError || err instanceof SampleConfigError)
      throw new StageSpecError(err.message);
    throw err;
  }
}

export function buildPipeline(
  spec: PipelineSpec,
  factories: StageFactories,
  opts: { trace: boolean },
): Pipeline<RawLine, ClassifiedEvent> {
  return new Pipeline<RawLine, ClassifiedEvent>(buildStages(spec, factories), {
    trace: opts.trace,
    traceCapacity: 1000,
  });
}
