// JSON lines and ECS: common field names mapped onto the event; everything else kept (flattened with dots).
import type { FieldValue, LogEvent } from '../core/types.ts';
import { normaliseLevel } from './level.ts';
import { parseTimestamp } from './timestamp.ts';

/** The event parts a JSON line supplies (the rest comes from the line's position). */
export type JsonParts = Pick<
  LogEvent,
  'timestamp' | 'level' | 'component' | 'message' | 'traceId' | 'spanId' | 'fields'
>;

const TIME_KEYS = ['@timestamp', 'timestamp', 'time', 'ts'];
const LEVEL_KEYS = ['log.level', 'level', 'severity', 'levelname', 'lvl'];
const COMPONENT_KEYS = ['service.name', 'service', 'component', 'logger', 'logger_name', 'app'];
const MESSAGE_KEYS = ['message', 'msg', 'event.original'];
const TRACE_KEYS = ['trace_id', 'trace.id', 'traceId'];
const SPAN_KEYS = ['span_id', 'span.id', 'spanId'];
const MAX_DEPTH = 4;

export function parseJson(text: string): JsonParts | null {
  const parsed = parseJsonObject(text);
  if (parsed === null) return null;
  const flat: Record<string, FieldValue> = { ...parsed };

  const timestamp = toEpochMs(take(flat, TIME_KEYS));
  const level = normaliseLevel(take(flat, LEVEL_KEYS) ?? undefined);
  const component = String(take(flat, COMPONENT_KEYS) ?? '');
  const message = String(take(flat, MESSAGE_KEYS) ?? '');
  const traceId = take(flat, TRACE_KEYS);
  const spanId = take(flat, SPAN_KEYS);
  const parts: JsonParts = { timestamp, level, component, message, fields: flat };
  if (traceId !== undefined && traceId !== null) parts.traceId = String(traceId);
  if (spanId !== undefined && spanId !== null) parts.spanId = String(spanId);
  return parts;
}

/** Remove and return the first present key (so mapped fields are not duplicated in `fields`). */
export function take(flat: Record<string, FieldValue>, keys: string[]): FieldValue | undefined {
  for (const k of keys) {
    if (k in flat) {
      const v = flat[k]!;
      delete flat[k];
      return v;
    }
  }
  return undefined;
}

let lastText = '';
let lastFlat: Readonly<Record<string, FieldValue>> | null = null;

/**
 * A JSON object line, flattened with dots (read-only: copy before changing it), or null. The last line is
 * cached, so detection trying several JSON formats on one line parses it once.
 */
export function parseJsonObject(text: string): Readonly<Record<string, FieldValue>> | null {
  if (text === lastText) return lastFlat;
  lastText = text;
  lastFlat = null;
  if (text.charCodeAt(0) !== 123 /* { */) return null;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return null;
  const flat: Record<string, FieldValue> = {};
  flatten(obj as Record<string, unknown>, '', flat, 0);
  lastFlat = flat;
  return flat;
}

export { flatten as flattenJson };

function flatten(
  obj: Record<string, unknown>,
  prefix: string,
  into: Record<string, FieldValue>,
  depth: number,
) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') into[key] = v;
    else if (typeof v === 'object' && !Array.isArray(v) && depth < MAX_DEPTH)
      flatten(v as Record<string, unknown>, key, into, depth + 1);
    else into[key] = JSON.stringify(v);
  }
}

/** Never throws: epoch s/ms/µs/ns or ISO text, null (with a counted reason upstream) when out of range. */
function toEpochMs(v: FieldValue | undefined): number | null {
  return parseTimestamp(v, 'iso8601', Date.now());
}
