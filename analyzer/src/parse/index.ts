// Line → event. Tries the seed plain format, then JSON; anything else is kept as an `unparsed` event with a
// reason — never a throw, whatever bytes arrive. Events are built in one fixed shape (all keys, same order) so
// V8 keeps the hot path monomorphic.
import { isUtf8 } from 'node:buffer';
import type { EventFormat, FieldValue, Level, LogEvent, RawLine } from '../core/types.ts';
import type { Stage } from '../pipeline/stage.ts';
import { parseJson } from './json.ts';
import { extractKeyValues } from './kv.ts';
import { parsePlain } from './plain.ts';

function makeEvent(
  line: RawLine,
  format: EventFormat,
  timestamp: number | null,
  level: Level,
  component: string,
  message: string,
  fields: Record<string, FieldValue>,
): LogEvent {
  return {
    source: line.source,
    fileId: line.fileId,
    offset: line.offset,
    nextOffset: line.nextOffset,
    lineNo: line.lineNo,
    format,
    timestamp,
    level,
    component,
    message,
    traceId: undefined,
    spanId: undefined,
    fields,
    continuation: undefined,
    unparsedReason: undefined,
    truncated: line.truncated === true ? true : undefined,
    // Filled by the templates stage; declared here so every event keeps one shape.
    template: undefined,
    templateId: undefined,
  };
}

export function parseLine(line: RawLine): LogEvent {
  const bytes = line.bytes;
  if (bytes.indexOf(0) !== -1) return unparsed(line, bytes.toString('latin1'), 'binary');
  const text = bytes.toString('utf8');
  if (!isUtf8(bytes)) return unparsed(line, text, 'invalid-utf8');

  const plain = parsePlain(text);
  if (plain !== null) {
    const fields: Record<string, FieldValue> = {};
    extractKeyValues(plain.message, fields);
    const e = makeEvent(line, 'plain', plain.timestamp, plain.level, plain.component, plain.message, fields);
    const trace = fields.trace_id ?? fields.traceId;
    if (trace !== undefined && trace !== null) e.traceId = String(trace);
    const span = fields.span_id ?? fields.spanId;
    if (span !== undefined && span !== null) e.spanId = String(span);
    return e;
  }
  const json = parseJson(text);
  if (json !== null) {
    extractKeyValues(json.message, json.fields);
    const e = makeEvent(line, 'json', json.timestamp, json.level, json.component, json.message, json.fields);
    e.traceId = json.traceId;
    e.spanId = json.spanId;
    return e;
  }
  return unparsed(line, text, text.trim() === '' ? 'blank' : 'no-format');
}

function unparsed(line: RawLine, text: string, reason: string): LogEvent {
  const e = makeEvent(line, 'unparsed', null, 'UNKNOWN', '', text, {});
  e.unparsedReason = reason;
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
      if (held.continuation === undefined) held.continuation = [];
      const cont = held.continuation;
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
