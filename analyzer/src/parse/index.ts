// (interface fixed; implementation in progress by the lead)
import type { LogEvent, RawLine } from '../core/types.ts';
import type { Stage } from '../pipeline/stage.ts';

/** Parse one line: seed plain format, JSON/ECS, else `unparsed` with a reason. Never throws. */
export function parseLine(_line: RawLine): LogEvent {
  throw new Error('not implemented yet');
}

/** Stage 'parse': RawLine → LogEvent. */
export class ParseStage implements Stage<RawLine, LogEvent> {
  readonly name = 'parse';
  process(line: RawLine, emit: (e: LogEvent) => void): void {
    emit(parseLine(line));
  }
}

/**
 * Stage 'multiline': folds unparsed continuation lines (stack traces, wrapped output) into the event before
 * them (same source), extending its nextOffset. Holds the latest event until the next one arrives or flush().
 */
export class MultilineStage implements Stage<LogEvent, LogEvent> {
  readonly name = 'multiline';
  process(_e: LogEvent, _emit: (e: LogEvent) => void): void {
    throw new Error('not implemented yet');
  }
  flush(_emit: (e: LogEvent) => void): void {}
}
