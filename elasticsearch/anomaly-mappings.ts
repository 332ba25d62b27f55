// Mappings only the anomalies data stream needs: crumbtrail.anomaly.* as written by the analyzer
// (analyzer/src/sinks/elasticsearch/anomaly.ts). The shared ECS part comes from the component template.
import type { estypes } from '@elastic/elasticsearch';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

export function anomalyMappings(): estypes.MappingTypeMapping {
  return {
    properties: {
      crumbtrail: {
        properties: {
          anomaly: {
            properties: {
              id: keyword,
              series: keyword,
              // SEV1 (worst) … SEV5.
              sev: { type: 'byte' },
              value: { type: 'double' },
              mean: { type: 'double' },
              stddev: { type: 'double' },
              z: { type: 'double' },
              percentile: { type: 'double' },
              threshold: { type: 'double' },
              bucket: {
                properties: {
                  day_of_week: { type: 'byte' },
                  hour: { type: 'byte' },
                  hour_of_week: { type: 'short' },
                },
              },
              scope: keyword,
              fallback: { type: 'boolean' },
              baseline_n: { type: 'long' },
              trace_ids: keyword,
              // Breadcrumbs around the anomaly: kept in _source for reading, not indexed.
              context: { type: 'object', enabled: false },
            },
          },
        },
      },
    },
  } satisfies estypes.MappingTypeMapping;
}
