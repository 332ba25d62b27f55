// Builds the observable pipeline from the PipelineSpec. Stage constructors are injected (StageFactories) so
// tests can run the service with small fakes and so a new stage plugs in with one line here.
//
// Default chain: parse → multiline → redact → classify, then sample when pipeline.sample is set. Redaction runs
// before classify so that nothing downstream (rules, metrics, incidents, anomalies, --output, Elasticsearch)
// ever sees a secret. Sampling runs after classify: it sees the breadcrumb, so it can keep every breadcrumb of
// any level, plus every event at or above keepFrom (WARN), and thin out only the plain lines that matched no rule.

import type { Registry } from 'prom-client';
import type { ClassifiedEvent, LogEvent, RawLine } from '../core/types.ts';
import { UsageError } from '../core/usage-error.ts';
import { MultilineStage, ParseStage } from '../parse/index.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import type { Stage } from '../pipeline/stage.ts';
import { createRedactStage, RedactionConfigError } from '../redact/index.ts';
import { Classifier, ClassifyStage } from '../rules/classify.ts';
import { loadRules } from '../rules/load.ts';
import { ClassifiedSampleStage, SampleConfigError, type SampleOptions } from '../sample/index.ts';
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
}

/** The real stages; `registry` receives crumbtrail_redactions_total{pattern}. */
export function createStageFactories(registry?: Registry): StageFactories {
  return {
    parse: () => new ParseStage(),
    multiline: () => new MultilineStage(),
    classify: (rules) => new ClassifyStage(new Classifier(rules ? loadRules(rules) : loadRules())),
    redact: (opts) => createRedactStage(opts, registry),
    sample: (opts) => new ClassifiedSampleStage(opts),
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
    ...(factories.redact ? ['redact' as const] : []),
    'classify',
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
