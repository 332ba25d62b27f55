// Public face of the Elasticsearch sink.
export type { ElasticsearchSinkConfig, EsAuth, ShipMode } from './config.ts';
export { ES_DEFAULTS, EsConfigError, elasticsearchConfig, elasticsearchConfigFromEnv } from './config.ts';
export { breadcrumbDocument, documentId, type ShippableEvent } from './document.ts';
export type { ElasticsearchSink, ElasticsearchSinkDeps, SinkLogger } from './sink.ts';
export { createElasticsearchSink } from './sink.ts';
