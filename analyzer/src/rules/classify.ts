// (interface fixed; implementation in progress by the lead)
import type { Breadcrumb, ClassifiedEvent, LogEvent } from '../core/types.ts';
import type { Stage } from '../pipeline/stage.ts';
import type { RuleSet } from './schema.ts';

export class Classifier {
  constructor(readonly rules: RuleSet) {}
  /** First matching rule wins; null when none matches. */
  classify(_e: LogEvent): Breadcrumb | null {
    throw new Error('not implemented yet');
  }
}

/** Stage 'classify': LogEvent → ClassifiedEvent (breadcrumb null when no rule matched). */
export class ClassifyStage implements Stage<LogEvent, ClassifiedEvent> {
  readonly name = 'classify';
  constructor(private readonly classifier: Classifier) {}
  process(event: LogEvent, emit: (c: ClassifiedEvent) => void): void {
    emit({ event, breadcrumb: this.classifier.classify(event) });
  }
}
