// A classified event with only what metric and rule tests care about (level, component), the rest neutral.
import type { ClassifiedEvent, Level } from '../../analyzer/src/core/types.ts';

export function classifiedEvent(
  level: Level,
  component: string,
  extra: Partial<ClassifiedEvent['event']> = {},
): ClassifiedEvent {
  return {
    event: {
      source: '/x.log',
      offset: 0,
      nextOffset: 1,
      lineNo: 1,
      format: 'plain',
      timestamp: 0,
      level,
      component,
      message: 'm',
      fields: {},
      ...extra,
    },
    breadcrumb: null,
  };
}
