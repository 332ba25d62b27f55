// Index templates for the three crumbtrail data streams. Priority 250 wins over the built-in `logs-*-*` (100).
import type { estypes } from '@elastic/elasticsearch';
import { anomalyMappings } from './anomaly-mappings.ts';
import { COMPONENT_TEMPLATE_NAME } from './component-template.ts';
import { INGEST_PIPELINE_NAME } from './ingest-pipeline.ts';

export const INDEX_TEMPLATE_PRIORITY = 250;

export interface DataStreamSpec {
  template: string;
  pattern: string;
  dataStream: string;
  /** Default ingest pipeline: only app logs are parsed in ES (the analyzer writes structured docs itself). */
  pipeline?: string;
  /** Mappings for this stream only, on top of the shared component template. */
  mappings?: () => estypes.MappingTypeMapping;
}

export const DATA_STREAMS: readonly DataStreamSpec[] = [
  {
    template: 'crumbtrail-app',
    pattern: 'logs-crumbtrail.app-*',
    dataStream: 'logs-crumbtrail.app-default',
    pipeline: INGEST_PIPELINE_NAME,
  },
  {
    template: 'crumbtrail-breadcrumbs',
    pattern: 'logs-crumbtrail.breadcrumbs-*',
    dataStream: 'logs-crumbtrail.breadcrumbs-default',
  },
  {
    template: 'crumbtrail-anomalies',
    pattern: 'logs-crumbtrail.anomalies-*',
    dataStream: 'logs-crumbtrail.anomalies-default',
    mappings: anomalyMappings,
  },
];

export function indexTemplate(spec: DataStreamSpec): estypes.IndicesPutIndexTemplateRequest {
  const template: estypes.IndicesPutIndexTemplateIndexTemplateMapping = {};
  if (spec.pipeline) template.settings = { index: { default_pipeline: spec.pipeline } };
  if (spec.mappings) template.mappings = spec.mappings();
  return {
    name: spec.template,
    index_patterns: [spec.pattern],
    data_stream: {},
    priority: INDEX_TEMPLATE_PRIORITY,
    composed_of: [COMPONENT_TEMPLATE_NAME],
    _meta: { managed_by: 'crumbtrail provision' },
    // Only the app-log stream gets a default pipeline and only anomalies their own mappings; the breadcrumb
    // template sends no `template` at all (ES omits an empty one, which the idempotency compare would trip on).
    ...(Object.keys(template).length > 0 ? { template } : {}),
  } satisfies estypes.IndicesPutIndexTemplateRequest;
}

export function indexTemplates(): estypes.IndicesPutIndexTemplateRequest[] {
  return DATA_STREAMS.map(indexTemplate);
}
