// Ingest pipeline for app logs shipped raw by Filebeat: plain seed format or JSON lines → ECS.
//   [2010-05-06 14:32:05.123] CRITICAL - [exchange-gateway] message key=value …   (milliseconds optional)
//   {"@timestamp":"…","level":"ERROR","service":"…","message":"…"}
// A line that fails to parse is kept (never dropped) and tagged crumbtrail_parse_failure.
import type { estypes } from '@elastic/elasticsearch';

export const INGEST_PIPELINE_NAME = 'crumbtrail-app-logs';
export const PARSE_FAILURE_TAG = 'crumbtrail_parse_failure';

/** Grok pattern for the plain format; exported so a unit test can check it against sample lines. */
export const PLAIN_GROK =
  '^\\[%{TIMESTAMP_ISO8601:_crumb.ts}\\] %{WORD:log.level} - \\[%{DATA:service.name}\\] %{GREEDYDATA:message}$';

export const TIMESTAMP_FORMATS = ['yyyy-MM-dd HH:mm:ss.SSS', 'yyyy-MM-dd HH:mm:ss', 'ISO8601'];

const IS_JSON = "ctx.message != null && ctx.message.trim().startsWith('{')";
const IS_PLAIN = "ctx.message != null && !ctx.message.trim().startsWith('{')";

export function ingestPipeline(): estypes.IngestPutPipelineRequest {
  return {
    id: INGEST_PIPELINE_NAME,
    description: 'crumbtrail: plain "[ts] LEVEL - [service] message k=v" or JSON lines to ECS',
    _meta: { managed_by: 'crumbtrail provision' },
    processors: [
      { set: { field: 'event.original', copy_from: 'message', override: false, ignore_empty_value: true } },
      // JSON lines: parse into a scratch object, then lift the well-known keys into ECS.
      { json: { field: 'message', target_field: '_crumb.json', if: IS_JSON } },
      {
        set: { field: 'message', copy_from: '_crumb.json.message', if: 'ctx._crumb?.json?.message != null' },
      },
      { set: { field: 'log.level', copy_from: '_crumb.json.level', if: 'ctx._crumb?.json?.level != null' } },
      {
        set: {
          field: 'service.name',
          copy_from: '_crumb.json.service',
          if: 'ctx._crumb?.json?.service != null',
        },
      },
      {
        set: {
          field: '_crumb.ts',
          copy_from: '_crumb.json.@timestamp',
          if: "ctx._crumb?.json?.get('@timestamp') != null",
        },
      },
      {
        set: {
          field: '_crumb.ts',
          copy_from: '_crumb.json.timestamp',
          if: 'ctx._crumb?.json?.timestamp != null',
          override: false,
        },
      },
      {
        set: {
          field: 'trace.id',
          copy_from: '_crumb.json.trace_id',
          if: 'ctx._crumb?.json?.trace_id != null',
        },
      },
      // Plain seed format.
      { grok: { field: 'message', patterns: [PLAIN_GROK], if: IS_PLAIN } },
      {
        date: {
          field: '_crumb.ts',
          target_field: '@timestamp',
          formats: TIMESTAMP_FORMATS,
          timezone: 'UTC',
          if: 'ctx._crumb?.ts != null',
        },
      },
      { uppercase: { field: 'log.level', ignore_missing: true } },
      { gsub: { field: 'log.level', pattern: '^WARNING$', replacement: 'WARN', ignore_missing: true } },
      // key=value pairs inside the message (order_id=42 latency_ms=900) become crumbtrail.fields.*
      {
        kv: {
          field: 'message',
          field_split: ' ',
          value_split: '=',
          target_field: 'crumbtrail.fields',
          strip_brackets: true,
          ignore_missing: true,
          ignore_failure: true,
          if: "ctx.message != null && ctx.message.contains('=')",
        },
      },
      { set: { field: 'event.kind', value: 'event' } },
      { set: { field: 'event.ingested', value: '{{{_ingest.timestamp}}}' } },
      { remove: { field: '_crumb', ignore_missing: true } },
    ],
    on_failure: [
      { set: { field: 'error.message', value: '{{{ _ingest.on_failure_message }}}' } },
      { append: { field: 'tags', value: [PARSE_FAILURE_TAG] } },
      { remove: { field: '_crumb', ignore_missing: true } },
    ],
  } satisfies estypes.IngestPutPipelineRequest;
}
