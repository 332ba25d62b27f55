// (e) Shipping: documents per second through the Elasticsearch sink. Two targets share one result shape:
// - the stand-in (test/helpers/es-standin.ts), which answers at once: our side of the wire only;
// - a real Elasticsearch node, when a bench function for one is wired in below.
import { benchShipping, type ShippingBenchResult } from '../sinks/elasticsearch/bench.ts';

export interface ShippingFigure extends ShippingBenchResult {
  target: string;
}

/**
 * Docs/s into a real Elasticsearch node (started for the run, e.g. the integ-test-zip the engine tests use).
 * This is the one place to wire it: set REAL_ELASTICSEARCH_BENCH to a function that starts a node, ships `docs`
 * breadcrumbs through the sink and stops the node; the bench prints its figure beside the stand-in's. null means
 * not measured, and the table says so.
 */
export type RealElasticsearchBench = (o: { docs: number }) => Promise<ShippingBenchResult>;
export const REAL_ELASTICSEARCH_BENCH: RealElasticsearchBench | null = null;

export async function shippingFigures(docs: number, log: (l: string) => void): Promise<ShippingFigure[]> {
  const out: ShippingFigure[] = [];
  try {
    out.push({ ...(await benchShipping({ docs })), target: 'stand-in (answers at once; not a cluster)' });
  } catch (err) {
    log(`  shipping into the stand-in skipped: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (REAL_ELASTICSEARCH_BENCH) {
    try {
      out.push({ ...(await REAL_ELASTICSEARCH_BENCH({ docs })), target: 'real Elasticsearch node' });
    } catch (err) {
      log(`  shipping into a real node failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}
