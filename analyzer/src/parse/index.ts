// Line → event. Tries the seed plain format, then JSON; anything else is kept as an `unparsed` event with a
// reason — never a throw, whatever bytes arrive.
import { isUtf8 } from 'node:buffer';
import type { FieldValue, LogEvent, RawLine } from '../core/types.ts';
import type { Stage } from '../pipeline/stage.ts';
import { parseJson } from './json.ts';
import { extractKeyValues } from './kv.ts';
import { parsePlain } from './plain.ts';

export function parseLine(line: RawLine): LogEvent {
  const base = {
    source: line.source,
    offset: line.offset,
    nextOffset: line.nextOffset,
    lineNo: line.lineNo,
  };
  const withId = line.fileId === undefined ? base : { ...base, fileId: line.fileId };
  const bytes = line.bytes;
  if (bytes.indexOf(0) !== -1) return unparsed(withId, bytes.toString('latin1'), 'binary', line.truncated);
  const text = bytes.toString('utf8');
  if (!isUtf8(bytes)) return unparsed(withId, text, 'invalid-utf8', line.truncated);

  const plain = parsePlain(text);
  if (plain !== null) {
    const fields: Record<string, FieldValue> = {};
    extractKeyValues(plain.message, fields);
    const e: LogEvent = { ...withId, format: 'plain', ...plain, fields };
    const trace = fields.trace_id ?? fields.traceId;
    if (trace !== undefined && trace !== null) e.traceId = String(trace);
    const span = fields.span_id ?? fields.spanId;
    if (span !== undefined && span !== null) e.spanId = String(span);
    if (line.truncated) e.truncated = true;
    return e;
  }
  const json = parseJson(text);
  if (json !== null) {
    extractKeyValues(json.message, json.fields);
    const e: LogEvent = { ...withId, format: 'json', ...json };
    if (line.truncated) e.truncated = true;
    return e;
  }
  return unparsed(withId, text, text.trim() === '' ? 'blank' : 'no-format', line.truncated);
}

function unparsed(
  base: Pick<LogEvent, 'source' | 'offset' | 'nextOffset' | 'lineNo' | 'fileId'>,
  text: string,
  reason: string,
  truncated: boolean | undefined,
): LogEvent {
  const e: LogEvent = {
    ...base,
    format: 'unparsed',
    timestamp: null,
    level: 'UNKNOWN',
    component: '',
    message: text,
    fields: {},
    unparsedReason: reason,
  };
  if (truncated) e.truncated = true;
  return e;
}

/** Stage 'parse': RawLine → LogEvent. */
export class ParseStage implements Stage<RawLine, LogEvent> {
  readonly name = 'parse';
  process(line: RawLine, emit: (e: LogEvent) => void): void {
    emit(parseLine(line));
  }
}

// Lines that continue the event above them: indented, Java/Python stack frames, "Caused by", "... 12 more".
const CONTINUATION = /^(?:\s|at\s|Caused by|Traceback|\.\.\. \d+ more|File "|[\w$.]+(?:Exception|Error)\b)/;
const MAX_CONTINUATION_LINES = 200;
const MAX_CONTINUATION_CHARS = 64 * 1024;

export interface MultilineOptions {
  /** Fold every unparsed text line into the previous event, not only stack-trace-looking ones. */
  foldAllUnparsed?: boolean;
}

/**
 * Stage 'multiline': folds unparsed continuation lines (stack traces, wrapped output) into the event before
 * them (same source), extending its nextOffset. Holds the latest event until the next one arrives or flush().
 * Folded lines stay counted (the event's `continuation`), binary / invalid UTF-8 lines are never folded.
 */
export class MultilineStage implements Stage<LogEvent, LogEvent> {
  readonly name = 'multiline';
  private held: LogEvent | null = null;
  private heldChars = 0;
  /** Continuation lines folded so far (for the summary and metrics). */
  folded = 0;

  constructor(private readonly opts: MultilineOptions = {}) {}

  process(e: LogEvent, emit: (e: LogEvent) => void): void {
    const held = this.held;
    if (held !== null && e.format === 'unparsed' && this.continues(held, e)) {
      this.folded++;
      held.nextOffset = e.nextOffset;
      const cont = (held.continuation ??= []);
      if (cont.length < MAX_CONTINUATION_LINES && this.heldChars < MAX_CONTINUATION_CHARS) {
        cont.push(e.message);
        this.heldChars += e.message.length;
      }
      return;
    }
    if (held !== null) emit(held);
    if (e.format === 'unparsed') {
      // An orphan line (no event above it in this source) is passed on, not held.
      this.held = null;
      emit(e);
      return;
    }
    this.held = e;
    this.heldChars = 0;
  }

  flush(emit: (e: LogEvent) => void): void {
    if (this.held !== null) emit(this.held);
    this.held = null;
  }

  private continues(held: LogEvent, e: LogEvent): boolean {
    if (held.source !== e.source || held.fileId !== e.fileId) return false;
    if (e.unparsedReason !== 'no-format' && e.unparsedReason !== 'blank') return false;
    return this.opts.foldAllUnparsed === true || CONTINUATION.test(e.message) || e.unparsedReason === 'blank';
  }
}
