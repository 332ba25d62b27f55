// Public face of the Elasticsearch sink.

export {
  type AnomalySource,
  anomalyDocument,
  anomalyDocumentId,
  createServiceSink,
  shipAnomalies,
} from './anomaly.ts';
export type { ElasticsearchSinkConfig, EsAuth, ShipMode } from './config.ts';
export { ES_DEFAULTS, EsConfigError, elasticsearchConfig, elasticsearchConfigFromEnv } from './config.ts';
export { breadcrumbDocument, documentId, type ShippableEvent } from './document.ts';
export { lineLogger } from './line-logger.ts';
export { secretScrubber } from './scrub.ts';
export type { ElasticsearchSink, ElasticsearchSinkDeps, SinkLogger } from './sink.ts';
export { createElasticsearchSink, documentQueueCap } from './sink.ts';
