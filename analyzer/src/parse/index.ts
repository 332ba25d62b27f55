// Line → event. ParseStage detects each source's format from the catalog (analyzer/formats) and parses with
// it; parseLine() is the stateless seed-then-JSON parser. Anything unreadable is kept as an `unparsed` event
// with a reason — never a throw, whatever bytes arrive. Events are built in one fixed shape (all keys, same
// order) so V8 keeps the hot path monomorphic.
import { isUtf8 } from 'node:buffer';
import type { DetectionDecision, EventFormat, FieldValue, Level, LogEvent, RawLine } from '../core/types.ts';
import type { Stage } from '../pipeline/stage.ts';
import { builtinCatalog, type CompiledCatalog } from './catalog/compiled.ts';
import type { Parts } from './compile.ts';
import { CONTINUATION, PARTIAL, SourceParser } from './detect.ts';
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
    formatName: format === 'unparsed' ? undefined : format === 'plain' ? 'seed' : 'json',
    timestamp,
    timestampReason: undefined,
    level,
    rawLevel: undefined,
    component,
    message,
    traceId: undefined,
    spanId: undefined,
    fields,
    ecs: undefined,
    continuation: undefined,
    unparsedReason: undefined,
    truncated: line.truncated === true ? true : undefined,
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
    e.rawLevel = plain.rawLevel;
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

export interface ParseOptions {
  /** The catalog to detect from (default: the built-in one, analyzer/formats). */
  catalog?: CompiledCatalog;
  /** A format name for every source, or 'auto' (default). */
  format?: string;
  /** Reference time for year-less timestamps per source (the file's mtime); default the clock. */
  refTime?: (source: string) => number | undefined;
  /** Each detection decision, as it is made. */
  onDecision?: (d: DetectionDecision) => void;
}

interface Held {
  offset: number;
  lineNo: number;
}

/** Stage 'parse': RawLine → LogEvent, with the format detected once per source (see detect.ts). */
export class ParseStage implements Stage<RawLine, LogEvent> {
  readonly name = 'parse';
  private readonly catalog: CompiledCatalog;
  private readonly parsers = new Map<string, SourceParser>();
  /** Where a partial (CRI `P`) record began, per source, so the joined event starts there. */
  private readonly held = new Map<SourceParser, Held>();
  private lastKey: string | undefined;
  private lastParser: SourceParser | null = null;

  constructor(private readonly opts: ParseOptions = {}) {
    this.catalog = opts.catalog ?? builtinCatalog();
  }

  process(line: RawLine, emit: (e: LogEvent) => void): void {
    const e = this.parse(line);
    if (e !== null) emit(e);
  }

  /** The line's event, or null while a partial record waits for its last piece. */
  parse(line: RawLine): LogEvent | null {
    const bytes = line.bytes;
    if (bytes.indexOf(0) !== -1) return unparsed(line, bytes.toString('latin1'), 'binary');
    const text = bytes.toString('utf8');
    if (!isUtf8(bytes)) return unparsed(line, text, 'invalid-utf8');
    const parser = this.parserFor(line);
    const r = parser.parse(text);
    if (r === PARTIAL) {
      if (!this.held.has(parser)) this.held.set(parser, { offset: line.offset, lineNo: line.lineNo });
      return null;
    }
    if (r === CONTINUATION) return unparsed(line, text, 'continuation');
    if (r === null) return unparsed(line, text, text.trim() === '' ? 'blank' : 'no-format');
    const e = fromParts(line, r);
    if (this.held.size > 0) {
      const h = this.held.get(parser);
      if (h !== undefined) {
        e.offset = h.offset;
        e.lineNo = h.lineNo;
        this.held.delete(parser);
      }
    }
    return e;
  }

  flush(): void {
    for (const p of this.parsers.values()) p.finish();
  }

  private parserFor(line: RawLine): SourceParser {
    const key = line.fileId ?? line.source;
    if (key === this.lastKey && this.lastParser !== null) return this.lastParser;
    let p = this.parsers.get(key);
    if (p === undefined) {
      p = new SourceParser(this.catalog, line.source, {
        format: this.opts.format,
        refMs: this.opts.refTime?.(line.source),
        onDecision: this.opts.onDecision,
      });
      this.parsers.set(key, p);
    }
    this.lastKey = key;
    this.lastParser = p;
    return p;
  }
}

function fromParts(line: RawLine, p: Parts): LogEvent {
  // makeEvent's literal has every key, so these assignments keep the one shape.
  const e = makeEvent(line, p.format, p.timestamp, p.level, p.component, p.message, p.fields);
  e.formatName = p.formatName;
  e.timestampReason = p.timestampReason;
  e.rawLevel = p.rawLevel;
  e.traceId = p.traceId;
  e.spanId = p.spanId;
  e.ecs = p.ecs;
  return e;
}

// Lines that continue the event above them: indented, Java/Python stack frames, "Caused by", "... 12 more".
const CONTINUATION_LINE =
  /^(?:\s|at\s|Caused by|Traceback|\.\.\. \d+ more|File "|[\w$.]+(?:Exception|Error)\b)/;
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
    if (e.unparsedReason === 'continuation') return true;
    if (e.unparsedReason !== 'no-format' && e.unparsedReason !== 'blank') return false;
    return (
      this.opts.foldAllUnparsed === true || CONTINUATION_LINE.test(e.message) || e.unparsedReason === 'blank'
    );
  }
}
