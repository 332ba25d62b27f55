// Documents the kit sends to Elasticsearch, built with the real builders (breadcrumbDocument, anomalyDocument) so
// every branch shows up, plus what Filebeat 9.5's filestream input sends for our inputs (filebeat/config/).
import type { AnomalyRecord } from '../../analyzer/src/anomaly/types.ts';
import type { ClassifiedEvent, LogEvent } from '../../analyzer/src/core/types.ts';
import { anomalyDocument } from '../../analyzer/src/sinks/elasticsearch/anomaly.ts';
import { ES_DEFAULTS } from '../../analyzer/src/sinks/elasticsearch/config.ts';
import {
  breadcrumbDocument,
  datasetOf,
  type ShippableEvent,
} from '../../analyzer/src/sinks/elasticsearch/document.ts';

export function logEvent(over: Partial<LogEvent>): LogEvent {
  return {
    source: '/var/log/app/app.log',
    fileId: 'fp-1:2049:77',
    offset: 4096,
    nextOffset: 4200,
    lineNo: 42,
    format: 'plain',
    timestamp: Date.UTC(2026, 10, 21, 10, 0, 0),
    level: 'ERROR',
    component: 'exchange-gateway',
    message: 'order rejected order_id=42 venue=XNYS',
    traceId: 'trace-1',
    spanId: 'span-1',
    fields: { order_id: 42, venue: 'XNYS', retried: true, note: null },
    ...over,
  };
}

export function crumb(e: LogEvent): ClassifiedEvent {
  return {
    event: e,
    breadcrumb: {
      event: e,
      category: 'final_failure',
      symbol: '🔥',
      ruleId: 'final-failure',
      severity: 1,
      incidentId: 'inc-1',
    },
  };
}

/** Breadcrumb documents reaching every branch: stack trace + incident, continuation, unparsed line. */
export function breadcrumbDocs(): Record<string, unknown>[] {
  const opts = { maxMessageChars: 20, dataset: datasetOf(ES_DEFAULTS.dataStream) };
  const errorWithStack: ShippableEvent = {
    ...crumb(logEvent({ continuation: ['  at a.b(c.ts:1)', '  at d.e(f.ts:2)'], truncated: true })),
    incident: { id: 'inc-1', leadTimeMs: 93_000 },
  };
  const infoWithContinuation = crumb(
    logEvent({ level: 'INFO', continuation: ['wrapped line'], traceId: undefined }),
  );
  const unparsed: ClassifiedEvent = {
    event: logEvent({ format: 'unparsed', unparsedReason: 'invalid-utf8', component: '', fields: {} }),
    breadcrumb: null,
  };
  return [errorWithStack, infoWithContinuation, unparsed].map((item, n) =>
    withEventId(breadcrumbDocument(item, opts), `fixture-crumb-${n}`),
  );
}

/** The sink stores each document's _id in crumbtrail.event_id (see sink.ts); fixtures do the same. */
function withEventId(doc: Record<string, unknown>, id: string): Record<string, unknown> {
  return { ...doc, crumbtrail: { ...(doc.crumbtrail as object), event_id: id } };
}

export function anomalyRecord(): AnomalyRecord {
  const at = Date.UTC(2026, 10, 22, 3, 0, 0);
  return {
    id: `api:errors@${at}`,
    series: 'api:errors',
    at,
    timestamp: new Date(at).toISOString(),
    value: 25,
    mean: 1.2,
    sd: 1.1,
    z: 21.6,
    sev: 1,
    percentile: 99.9,
    threshold: 9.5,
    bucket: { dayOfWeek: 0, hour: 3, hourOfWeek: 3 },
    scope: 'bucket',
    fellBack: false,
    baselineN: 21,
    breadcrumbs: [
      { at, component: 'api', category: 'stress', level: 'ERROR', message: 'pool exhausted', traceId: 't1' },
    ],
    traceIds: ['t1', 't2'],
  };
}

export function anomalyDoc(): Record<string, unknown> {
  return withEventId(
    anomalyDocument(anomalyRecord(), datasetOf(ES_DEFAULTS.anomalyDataStream)),
    'fixture-anomaly',
  );
}

/**
 * What Filebeat 9.5 sends for filebeat/config/filebeat.yml's filestream input (fingerprint file identity, the
 * multiline parser, `fields_under_root` data_stream.*): the event as it reaches the ingest pipeline. Field set
 * from Filebeat's filestream input and libbeat's publisher (agent.*, ecs.version, host.name, input.type,
 * log.file.*, log.offset, log.flags on a joined multi-line event).
 */
export function filebeatRawDocs(): Record<string, unknown>[] {
  const base = (message: string, offset: number, multiline: boolean): Record<string, unknown> => ({
    '@timestamp': '2026-11-21T10:00:01.234Z',
    message,
    input: { type: 'filestream' },
    agent: {
      type: 'filebeat',
      version: '9.5.1',
      name: 'filebeat-7c9f',
      id: '0b9a3d4e-4c7e-4c55-9a3c-2f2c1d0e5a11',
      ephemeral_id: '6d1f2e3a-0c9b-4a8e-8f7d-1e2d3c4b5a69',
    },
    ecs: { version: '8.0.0' },
    host: { name: 'filebeat-7c9f' },
    log: {
      offset,
      file: {
        path: '/var/log/app/app.log',
        device_id: '64769',
        inode: '1835012',
        fingerprint: '1d2c3b4a5f6e7d8c9b0a1d2c3b4a5f6e7d8c9b0a1d2c3b4a5f6e7d8c9b0a1d2c',
      },
      ...(multiline ? { flags: ['multiline'] } : {}),
    },
    data_stream: { type: 'logs', dataset: 'crumbtrail.app', namespace: 'default' },
  });
  return [
    base(
      '[2010-05-06 14:32:05.123] CRITICAL - [exchange-gateway] order rejected order_id=42 venue=XNYS',
      0,
      false,
    ),
    base(
      '[2010-05-06 14:32:06.001] ERROR - [matcher] crash\njava.lang.IllegalStateException: book empty\n\tat a.B.c(B.java:1)',
      92,
      true,
    ),
    base(
      '{"@timestamp":"2010-05-06T14:32:07Z","level":"warn","service":"risk","message":"limit near"}',
      200,
      false,
    ),
  ];
}

/**
 * The same events after the ingest pipeline (elasticsearch/ingest-pipeline.ts): the fields its processors set.
 * This distribution has no ingest-common module, so the pipeline cannot run here; these are written from the
 * pipeline's own processor list (set/json/grok/date/kv targets) to check the template maps everything it adds.
 */
export function filebeatParsedDocs(): Record<string, unknown>[] {
  const raw = filebeatRawDocs();
  const parsed = [
    {
      message: 'order rejected order_id=42 venue=XNYS',
      log: { level: 'CRITICAL' },
      service: { name: 'exchange-gateway' },
      crumbtrail: { fields: { order_id: '42', venue: 'XNYS' } },
    },
    {
      message: 'crash',
      log: { level: 'ERROR' },
      service: { name: 'matcher' },
      error: { stack_trace: 'java.lang.IllegalStateException: book empty\n\tat a.B.c(B.java:1)' },
    },
    { message: 'limit near', log: { level: 'WARN' }, service: { name: 'risk' }, trace: { id: 'abc' } },
  ];
  return raw.map((r, i) => {
    const p = parsed[i]!;
    const rlog = r.log as Record<string, unknown>;
    return {
      ...r,
      ...p,
      log: { ...rlog, ...p.log },
      event: {
        original: r.message,
        kind: 'event',
        ingested: '2026-11-21T10:00:02.000Z',
      },
      ...(i === 0
        ? { tags: ['crumbtrail_parse_failure'], error: { message: 'sample on_failure message' } }
        : {}),
    };
  });
}
