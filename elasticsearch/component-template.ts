// ECS mappings shared by the app-log, breadcrumb and anomaly data streams.
import type { estypes } from '@elastic/elasticsearch';
import { ILM_POLICY_NAME } from './ilm-policy.ts';

export const COMPONENT_TEMPLATE_NAME = 'crumbtrail-ecs-mappings';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;
/** Stack traces and other multi-line text: wildcard for grep-like queries, a text sub-field for words (as ECS). */
const longText = { type: 'wildcard', fields: { text: { type: 'match_only_text' } } } as const;

export function componentTemplate(): estypes.ClusterPutComponentTemplateRequest {
  return {
    name: COMPONENT_TEMPLATE_NAME,
    _meta: { managed_by: 'crumbtrail provision' },
    template: {
      // Nested settings form: ES returns settings nested, so the idempotency compare matches.
      // number_of_replicas 0: the kit runs one node, where a replica can never be assigned (the cluster would be
      // yellow for ever). On a multi-node cluster raise it with PUT _component_template (or index settings).
      settings: { index: { lifecycle: { name: ILM_POLICY_NAME }, number_of_replicas: '0' } },
      mappings: {
        dynamic: true,
        properties: {
          '@timestamp': { type: 'date' },
          message: { type: 'match_only_text' },
          tags: keyword,
          labels: { type: 'object', dynamic: true },
          // What Filebeat 9.5's filestream input adds to every event (test/engine/es-templates.test.ts indexes
          // such documents and fails on any field this template does not map).
          data_stream: {
            properties: {
              type: keyword,
              dataset: keyword,
              namespace: keyword,
            },
          },
          agent: {
            properties: {
              type: keyword,
              version: keyword,
              name: keyword,
              id: keyword,
              ephemeral_id: keyword,
            },
          },
          ecs: { properties: { version: keyword } },
          input: { properties: { type: keyword } },
          log: {
            properties: {
              level: keyword,
              logger: keyword,
              file: {
                properties: { path: keyword, device_id: keyword, inode: keyword, fingerprint: keyword },
              },
              offset: { type: 'long' },
              flags: keyword,
            },
          },
          service: { properties: { name: keyword } },
          host: { properties: { name: keyword } },
          event: {
            properties: {
              original: { type: 'keyword', index: false, doc_values: false },
              kind: keyword,
              category: keyword,
              type: keyword,
              action: keyword,
              dataset: keyword,
              module: keyword,
              severity: { type: 'long' },
              created: { type: 'date' },
              ingested: { type: 'date' },
              duration: { type: 'long' },
            },
          },
          trace: { properties: { id: keyword } },
          span: { properties: { id: keyword } },
          error: {
            properties: {
              message: { type: 'match_only_text' },
              type: keyword,
              stack_trace: longText,
            },
          },
          // What the analyzer's sink writes (analyzer/src/sinks/elasticsearch/document.ts); the drift test
          // (test/unit/es-template-coverage.test.ts) builds real documents and checks every leaf is mapped here.
          crumbtrail: {
            properties: {
              // The document's _id, stored: `create` conflicts only inside one backing index, so finding a
              // document across a data stream's backing indices (rollover) needs a field to query.
              event_id: keyword,
              category: keyword,
              symbol: keyword,
              incident_id: keyword,
              lead_time_ms: { type: 'long' },
              rule_id: keyword,
              // Our 1 (worst) … 5, a number so "severity <= 2" works; event.severity holds the ECS 0–99 scale.
              severity: { type: 'byte' },
              drill_id: keyword,
              file_id: keyword,
              line_no: { type: 'long' },
              format: keyword,
              // Set by the ingest pipeline (generated from the format catalog): the normalised level (log.level
              // keeps the level as written), the component, why a timestamp could not be read.
              level: keyword,
              component: keyword,
              timestamp_reason: keyword,
              truncated: { type: 'boolean' },
              unparsed_reason: keyword,
              continuation_lines: { type: 'integer' },
              continuation: longText,
              // Parsed key=value / JSON fields: open-ended keys, one field in the mapping (no mapping explosion).
              fields: { type: 'flattened' },
            },
          },
        },
      },
    },
  } satisfies estypes.ClusterPutComponentTemplateRequest;
}
