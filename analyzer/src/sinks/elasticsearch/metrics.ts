// The sink's Prometheus families, registered on the registry the service passes in.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Bounded label values for crumbtrail_es_retries_total{reason}. */
export type RetryReason =
  | 'connection'
  | 'timeout'
  | 'http_429'
  | 'http_5xx'
  | 'http_other'
  | 'item_429'
  | 'item_5xx'
  | 'bad_response'
  | 'dead_letter_io';

export interface EsMetrics {
  acked: Counter;
  retries: Counter<'reason'>;
  deadLetter: Counter;
  queue: Gauge;
  batchSeconds: Histogram;
  up: Gauge;
}

export function createEsMetrics(registry: Registry): EsMetrics {
  const registers = [registry];
  return {
    acked: new Counter({
      name: 'crumbtrail_es_docs_acked_total',
      help: 'Documents Elasticsearch stored (2xx) or already had (409), acknowledged to the checkpoint',
      registers,
    }),
    retries: new Counter({
      name: 'crumbtrail_es_retries_total',
      help: 'Documents or requests sent again, by reason (429, 5xx, connection, timeout …)',
      labelNames: ['reason'],
      registers,
    }),
    deadLetter: new Counter({
      name: 'crumbtrail_es_dead_letter_total',
      help: 'Documents Elasticsearch rejected for good (mapping errors, other 4xx), written to the dead-letter file',
      registers,
    }),
    queue: new Gauge({
      name: 'crumbtrail_es_queue_events',
      help: 'Documents queued for or in flight to Elasticsearch',
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'crumbtrail_es_batch_duration_seconds',
      help: 'Duration of one _bulk request, failed ones included',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    up: new Gauge({
      name: 'crumbtrail_es_up',
      help: '1 when the last request to Elasticsearch got an answer (any HTTP status below 500 but 429), else 0',
      registers,
    }),
  };
}
