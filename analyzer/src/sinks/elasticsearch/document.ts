// ClassifiedEvent → ECS document, and the deterministic _id that makes re-sends idempotent.
import { createHash } from 'node:crypto';
import type { estypes } from '@elastic/elasticsearch';
import type { ClassifiedEvent, FieldValue, Level } from '../../core/types.ts';

/** A classified event, optionally with what the timeline knows once the breadcrumb joined an incident. */
export type ShippableEvent = ClassifiedEvent & { incident?: { id: string; leadTimeMs: number } };

/**
 * _id = sha1(fileKey NUL byteOffset), base64url, first 20 chars (120 bits; Elasticsearch's own ids are 20 chars).
 * fileKey is the file identity (survives renames), so a line re-read after a restart gets the same _id.
 */
export function documentId(fileKey: string, offset: number): string {
  return createHash('sha1')
    .update(fileKey)
    .update('\0')
    .update(String(offset))
    .digest('base64url')
    .slice(0, 20);
}

export function ackKey(item: ClassifiedEvent): string {
  return item.event.fileId ?? item.event.source;
}

/** The action line of a bulk `create`. `satisfies` keeps it honest against the client's own types. */
export function createAction(index: string, id: string): estypes.BulkOperationContainer {
  return { create: { _index: index, _id: id } } satisfies estypes.BulkOperationContainer;
}

/**
 * Our severity 1 (worst) … 5 on ECS's event.severity, using Elastic Security's risk scale (critical 99, high 73,
 * medium 47, low 21), so "higher is worse" holds as Kibana users expect. Ours stays in crumbtrail.severity.
 */
export const ECS_SEVERITY: Readonly<Record<1 | 2 | 3 | 4 | 5, number>> = { 1: 99, 2: 73, 3: 47, 4: 21, 5: 0 };

const ERRORISH: ReadonlySet<Level> = new Set(['ERROR', 'CRITICAL', 'FATAL']);
const MAX_FIELDS = 100;
const MAX_FIELD_CHARS = 8192;

export interface DocumentOptions {
  maxMessageChars: number;
  /** event.dataset: the <dataset> part of the target data stream (data_stream.* itself is left to ES). */
  dataset?: string;
  /** Used when the line carried no time (epoch ms). */
  now?: number;
}

/**
 * ECS document for one event. Our category has no ECS event.category counterpart (ECS allows a closed list —
 * authentication, network, process, …), so it goes to event.action (free-form in ECS) and crumbtrail.category;
 * event.kind is `alert` for breadcrumbs (a detection rule outside the stack matched) and `event` otherwise.
 * Parsed fields go to crumbtrail.fields (map it as `flattened` in the index template: keys are open-ended).
 */
export function breadcrumbDocument(item: ShippableEvent, opts: DocumentOptions): Record<string, unknown> {
  const e = item.event;
  const b = item.breadcrumb;
  let message = e.message;
  let truncated = e.truncated === true;
  if (message.length > opts.maxMessageChars) {
    message = message.slice(0, opts.maxMessageChars);
    truncated = true;
  }
  const crumbtrail: Record<string, unknown> = {
    file_id: e.fileId ?? e.source,
    line_no: e.lineNo,
    format: e.format,
  };
  if (b) {
    crumbtrail.category = b.category;
    crumbtrail.symbol = b.symbol;
    crumbtrail.rule_id = b.ruleId;
    crumbtrail.severity = b.severity;
    const incidentId = item.incident?.id ?? b.incidentId;
    if (incidentId) crumbtrail.incident_id = incidentId;
  }
  if (item.incident) crumbtrail.lead_time_ms = item.incident.leadTimeMs;
  if (truncated) crumbtrail.truncated = true;
  if (e.unparsedReason) crumbtrail.unparsed_reason = e.unparsedReason;
  const fields = boundedFields(e.fields);
  if (fields) crumbtrail.fields = fields;
  if (e.continuation && e.continuation.length > 0) crumbtrail.continuation_lines = e.continuation.length;

  const event: Record<string, unknown> = {
    kind: b ? 'alert' : 'event',
    dataset: opts.dataset ?? 'crumbtrail.breadcrumbs',
    module: 'crumbtrail',
  };
  if (b) {
    event.action = b.category;
    event.severity = ECS_SEVERITY[b.severity];
    event.type = b.category === 'final_failure' || b.category === 'control_failure' ? ['error'] : ['info'];
  }

  const doc: Record<string, unknown> = {
    '@timestamp': new Date(e.timestamp ?? opts.now ?? Date.now()).toISOString(),
    message,
    log: { level: e.level.toLowerCase(), file: { path: e.source }, offset: e.offset },
    event,
    crumbtrail,
  };
  if (e.component) doc.service = { name: e.component };
  if (e.traceId) doc.trace = { id: e.traceId };
  if (e.spanId) doc.span = { id: e.spanId };
  if (e.continuation && e.continuation.length > 0) {
    const text = e.continuation.join('\n');
    // ECS keeps stack traces in error.stack_trace; other continuation text stays with the event.
    if (ERRORISH.has(e.level)) doc.error = { stack_trace: text };
    else crumbtrail.continuation = text;
  }
  return doc;
}

function boundedFields(fields: Record<string, FieldValue>): Record<string, FieldValue> | null {
  let out: Record<string, FieldValue> | null = null;
  let n = 0;
  for (const k in fields) {
    if (n++ >= MAX_FIELDS) break;
    const v = fields[k]!;
    out ??= {};
    out[k] = typeof v === 'string' && v.length > MAX_FIELD_CHARS ? v.slice(0, MAX_FIELD_CHARS) : v;
  }
  return out;
}

/** `logs-crumbtrail.breadcrumbs-default` → `crumbtrail.breadcrumbs`. */
export function datasetOf(dataStream: string): string {
  const parts = dataStream.split('-');
  return parts.length >= 3 ? parts.slice(1, -1).join('-') : dataStream;
}
