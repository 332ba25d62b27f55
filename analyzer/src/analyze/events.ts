// `--events out.ndjson`: every event (after multi-line folding) as one ECS-shaped JSON object per line —
// a log → ECS converter. Dotted keys (`log.level`) as Elasticsearch and ECS tools read them.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { FieldValue, LogEvent } from '../core/types.ts';

/** The ECS document for one event. */
export function eventDocument(e: LogEvent): Record<string, FieldValue | Record<string, FieldValue>> {
  const doc: Record<string, FieldValue | Record<string, FieldValue>> = {
    '@timestamp': e.timestamp === null ? null : new Date(e.timestamp).toISOString(),
    'log.level': e.rawLevel ?? null,
    message: e.message,
    'crumbtrail.level': e.level,
    'crumbtrail.format': e.formatName ?? null,
    'crumbtrail.component': e.component,
    'crumbtrail.line': e.lineNo,
    'log.file.path': e.source,
    'log.offset': e.offset,
  };
  if (e.ecs) for (const [k, v] of Object.entries(e.ecs)) if (!(k in doc)) doc[k] = v;
  if (e.traceId !== undefined && doc['trace.id'] === undefined) doc['trace.id'] = e.traceId;
  if (e.spanId !== undefined && doc['span.id'] === undefined) doc['span.id'] = e.spanId;
  if (e.continuation && e.continuation.length > 0) {
    const rest = e.continuation.join('\n');
    doc['error.stack_trace'] =
      typeof doc['error.stack_trace'] === 'string' ? `${doc['error.stack_trace']}\n${rest}` : rest;
  }
  if (e.templateId !== undefined) {
    doc['crumbtrail.template'] = e.template ?? null;
    doc['crumbtrail.template_id'] = e.templateId;
  }
  if (e.timestamp === null && e.timestampReason !== undefined)
    doc['crumbtrail.timestamp_reason'] = e.timestampReason;
  if (e.format === 'unparsed') doc['crumbtrail.unparsed_reason'] = e.unparsedReason ?? 'unknown';
  if (Object.keys(e.fields).length > 0) doc['crumbtrail.fields'] = e.fields;
  if (e.truncated) doc['crumbtrail.truncated'] = true;
  return doc;
}

/** Streams event documents to a file, with backpressure (write() resolves once the stream has room). */
export class EventsExportWriter {
  private readonly out: WriteStream;
  private buf = '';
  private failed: Error | null = null;
  count = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path);
    this.out.on('error', (err) => {
      this.failed = err;
    });
  }

  write(e: LogEvent): Promise<void> | undefined {
    this.buf += `${JSON.stringify(eventDocument(e))}\n`;
    this.count++;
    if (this.buf.length < 64 * 1024) return undefined;
    return this.flushBuffer();
  }

  private async flushBuffer(): Promise<void> {
    if (this.failed) throw this.failed;
    const chunk = this.buf;
    this.buf = '';
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    if (this.buf !== '') await this.flushBuffer();
    if (this.failed) throw this.failed;
    this.out.end();
    await once(this.out, 'finish');
  }
}
