// Every Elasticsearch object the provisioner owns, in dependency order (policy → mappings → pipeline → templates).
export { anomalyMappings } from './anomaly-mappings.ts';
export { COMPONENT_TEMPLATE_NAME, componentTemplate } from './component-template.ts';
export { ILM_POLICY_NAME, ilmPolicy } from './ilm-policy.ts';
export { DATA_STREAMS, INDEX_TEMPLATE_PRIORITY, indexTemplate, indexTemplates } from './index-templates.ts';
export { INGEST_PIPELINE_NAME, ingestPipeline, PARSE_FAILURE_TAG, PLAIN_GROK } from './ingest-pipeline.ts';
