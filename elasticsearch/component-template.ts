// ECS mappings shared by the app-log, breadcrumb and anomaly data streams.
import type { estypes } from '@elastic/elasticsearch';
import { ILM_POLICY_NAME } from './ilm-policy.ts';

export const COMPONENT_TEMPLATE_NAME = 'crumbtrail-ecs-mappings';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

export function componentTemplate(): estypes.ClusterPutComponentTemplateRequest {
  return {
    name: COMPONENT_TEMPLATE_NAME,
    _meta: { managed_by: 'crumbtrail provision' },
    template: {
      // Nested settings form: ES returns settings nested, so the idempotency compare matches.
      settings: { index: { lifecycle: { name: ILM_POLICY_NAME } } },
      mappings: {
        dynamic: true,
        properties: {
          '@timestamp': { type: 'date' },
          message: { type: 'match_only_text' },
          tags: keyword,
          labels: { type: 'object', dynamic: true },
          log: {
            properties: {
              level: keyword,
              logger: keyword,
              file: { properties: { path: keyword } },
              offset: { type: 'long' },
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
              stack_trace: { type: 'wildcard' },
            },
          },
          crumbtrail: {
            properties: {
              category: keyword,
              symbol: keyword,
              incident_id: keyword,
              lead_time_ms: { type: 'long' },
              rule_id: keyword,
              severity: keyword,
              drill_id: keyword,
              fields: { type: 'flattened' },
            },
          },
        },
      },
    },
  } satisfies estypes.ClusterPutComponentTemplateRequest;
}
