// crumbtrail-alerts-history: where Kibana's index connector and the watchers' index actions record alerts.
// Both write with the plain `index` operation, which a data stream refuses, so it stays a classic index behind a
// write alias: `crumbtrail-alerts-history` → crumbtrail-alerts-history-000001 (is_write_index), rolled over and
// deleted by ILM like the data streams. One node: no replicas (else the cluster is yellow for ever).
import type { estypes } from '@elastic/elasticsearch';
import { retentionPolicy } from './ilm-policy.ts';

export const ALERTS_HISTORY_ALIAS = 'crumbtrail-alerts-history';
export const ALERTS_HISTORY_POLICY = 'crumbtrail-alerts-history';
export const ALERTS_HISTORY_FIRST_INDEX = `${ALERTS_HISTORY_ALIAS}-000001`;

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

export function alertsHistoryPolicy(retentionDays: number): estypes.IlmPutLifecycleRequest {
  return retentionPolicy(ALERTS_HISTORY_POLICY, retentionDays, {
    max_primary_shard_size: '1gb',
    max_age: '7d',
  });
}

export function alertsHistoryTemplate(): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: 'crumbtrail-alerts-history',
    // The backing indices only: the alias name itself must never become a concrete index.
    index_patterns: [`${ALERTS_HISTORY_ALIAS}-*`],
    priority: 250,
    _meta: { managed_by: 'crumbtrail provision' },
    template: {
      settings: {
        index: {
          number_of_shards: '1',
          number_of_replicas: '0',
          lifecycle: { name: ALERTS_HISTORY_POLICY, rollover_alias: ALERTS_HISTORY_ALIAS },
        },
      },
      mappings: {
        // Rule and watch payloads differ: map what every writer sends, keep the rest searchable as keywords.
        dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string', mapping: keyword } }],
        properties: {
          '@timestamp': { type: 'date' },
          // Watcher history actions (kibana/watchers/*.json).
          watch_id: keyword,
          watch_name: keyword,
          source: keyword,
          // Kibana index connector documents (kibana/rules/*.json): "hits" arrives as a string there.
          rule_id: keyword,
          rule_name: keyword,
          alert_id: keyword,
          crumbtrail_rule: keyword,
          context_message: { type: 'text' },
          hits: { type: 'long' },
        },
      },
    },
  } satisfies estypes.IndicesPutIndexTemplateRequest;
}

/** The first backing index with the write alias; create it only when the alias does not exist yet. */
export function alertsHistoryBootstrap(): estypes.IndicesCreateRequest {
  return {
    index: ALERTS_HISTORY_FIRST_INDEX,
    aliases: { [ALERTS_HISTORY_ALIAS]: { is_write_index: true } },
  } satisfies estypes.IndicesCreateRequest;
}
