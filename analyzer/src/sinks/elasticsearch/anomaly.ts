// AnomalyRecord → ECS-ish document for logs-crumbtrail.anomalies-default, and the hook that ships the monitor's
// anomalies through the sink's generic (non-acked) document entry.
import { createHash } from 'node:crypto';
import type { AnomalyRecord } from '../../anomaly/types.ts';
import type { ElasticsearchSinkConfig } from './config.ts';
import { datasetOf, ECS_SEVERITY } from './document.ts';
import { createElasticsearchSink, type ElasticsearchSink, type ElasticsearchSinkDeps } from './sink.ts';

/** Context breadcrumbs copied into the document: enough to read in Discover, small enough to ship. */
const MAX_CONTEXT = 20;

/**
 * _id = sha1("anomaly" NUL series NUL minute), base64url, 20 chars: the same series and minute always give the
 * same _id, so an anomaly detected again (replay, restart, a second analyzer) is a 409 "already stored".
 */
export function anomalyDocumentId(rec: Pick<AnomalyRecord, 'series' | 'at'>): string {
  return createHash('sha1')
    .update('anomaly')
    .update('\0')
    .update(rec.series)
    .update('\0')
    .update(String(rec.at))
    .digest('base64url')
    .slice(0, 20);
}

/**
 * event.kind `alert` (a detection outside the stack fired), event.severity on the same 99/73/47/21/0 scale as
 * breadcrumbs; our SEV1–5 stays in crumbtrail.anomaly.sev. Context breadcrumbs are stored, not indexed (the
 * template maps crumbtrail.anomaly.context with enabled: false): they are for reading next to the alert.
 */
export function anomalyDocument(
  rec: AnomalyRecord,
  dataset = 'crumbtrail.anomalies',
): Record<string, unknown> {
  const anomaly: Record<string, unknown> = {
    id: rec.id,
    series: rec.series,
    sev: rec.sev,
    value: rec.value,
    mean: rec.mean,
    stddev: rec.sd,
    z: rec.z,
    percentile: rec.percentile,
    threshold: rec.threshold,
    bucket: { day_of_week: rec.bucket.dayOfWeek, hour: rec.bucket.hour, hour_of_week: rec.bucket.hourOfWeek },
    scope: rec.scope,
    fallback: rec.fellBack,
    baseline_n: rec.baselineN,
  };
  if (rec.traceIds.length > 0) anomaly.trace_ids = rec.traceIds;
  if (rec.breadcrumbs.length > 0) anomaly.context = rec.breadcrumbs.slice(-MAX_CONTEXT);
  return {
    '@timestamp': rec.timestamp,
    message: `SEV${rec.sev} anomaly on ${rec.series}: ${round(rec.value)} against a mean of ${round(rec.mean)} (z ${round(rec.z)}, past p${rec.percentile})`,
    event: {
      kind: 'alert',
      action: 'anomaly',
      dataset,
      module: 'crumbtrail',
      severity: ECS_SEVERITY[rec.sev],
      type: ['info'],
    },
    crumbtrail: { anomaly },
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * Listener for AnomalyMonitor.onAnomaly: queue each anomaly as a document. Non-acked and bounded by the sink
 * (writeDocument refuses past its small cap), so it neither blocks log events nor holds a checkpoint back;
 * a refused anomaly is still in the monitor's SQLite store and on /anomalies.
 */
export function shipAnomalies(
  sink: Pick<ElasticsearchSink, 'writeDocument'>,
  dataStream: string,
): (rec: AnomalyRecord) => void {
  const dataset = datasetOf(dataStream);
  return (rec) => {
    sink.writeDocument(dataStream, anomalyDocumentId(rec), anomalyDocument(rec, dataset));
  };
}

/** Whatever emits anomalies (AnomalyMonitor fits). */
export interface AnomalySource {
  onAnomaly(cb: (rec: AnomalyRecord) => void): unknown;
}

/**
 * The sink as the live service wires it: log events through the acking path and, when a monitor runs, its
 * anomalies through writeDocument into `cfg.anomalyDataStream`. One function so serve.ts and the tests share it.
 */
export function createServiceSink(
  cfg: ElasticsearchSinkConfig,
  deps: ElasticsearchSinkDeps & { anomalies?: AnomalySource | null },
): ElasticsearchSink {
  const { anomalies, ...sinkDeps } = deps;
  const sink = createElasticsearchSink(cfg, sinkDeps);
  anomalies?.onAnomaly(shipAnomalies(sink, cfg.anomalyDataStream));
  return sink;
}
