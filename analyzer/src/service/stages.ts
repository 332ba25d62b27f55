// Builds the observable pipeline from the PipelineSpec. Stage constructors are injected (StageFactories) so
// tests can run the service with small fakes and so a new stage plugs in with one line here.
import type { ClassifiedEvent, LogEvent, RawLine } from '../core/types.ts';
import { MultilineStage, ParseStage } from '../parse/index.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import type { Stage } from '../pipeline/stage.ts';
import { Classifier, ClassifyStage } from '../rules/classify.ts';
import { loadRules } from '../rules/load.ts';
import type { PipelineSpec, StageName } from './pipeline-spec.ts';

export interface StageFactories {
  parse: () => Stage<RawLine, LogEvent>;
  multiline: () => Stage<LogEvent, LogEvent>;
  /** null = the shipped default rules. */
  classify: (rulesPath: string | null) => Stage<LogEvent, ClassifiedEvent>;
  /** Present once the redact stage exists (Elasticsearch sink work); options are pipeline.redact. */
  redact?: (options: Record<string, unknown>) => Stage<LogEvent, LogEvent>;
}

export const defaultStageFactories: StageFactories = {
  parse: () => new ParseStage(),
  multiline: () => new MultilineStage(),
  classify: (rules) => new ClassifyStage(new Classifier(rules ? loadRules(rules) : loadRules())),
  // redact: (opts) => createRedactStage(opts),   ← one line once analyzer/src/redact (or sinks/…) exports it
};

export class StageSpecError extends Error {}

/** The stage names that will run for a spec (the default chain includes redact only when it exists). */
export function resolveStageNames(spec: PipelineSpec, factories: StageFactories): StageName[] {
  const names: StageName[] = spec.stages ?? [
    'parse',
    'multiline',
    ...(factories.redact ? ['redact' as const] : []),
    'classify',
  ];
  return names.filter((n) => n !== 'multiline' || spec.multiline);
}

export function buildStages(spec: PipelineSpec, factories: StageFactories): Stage<never, unknown>[] {
  return resolveStageNames(spec, factories).map((name) => buildStage(name, spec, factories));
}

function buildStage(name: StageName, spec: PipelineSpec, factories: StageFactories): Stage<never, unknown> {
  if (name === 'parse') return factories.parse() as Stage<never, unknown>;
  if (name === 'multiline') return factories.multiline() as Stage<never, unknown>;
  if (name === 'classify') return factories.classify(spec.rules) as Stage<never, unknown>;
  if (!factories.redact)
    throw new StageSpecError('pipeline.stages lists redact, but this build has no redact stage');
  return factories.redact(spec.redact) as Stage<never, unknown>;
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
