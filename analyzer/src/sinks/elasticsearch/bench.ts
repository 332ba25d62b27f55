// `benchShipping()`: documents per second from the sink into the stand-in Elasticsearch (test/helpers), through
// the real client, bulk loop, AckTracker and backpressure. For `npm run bench` (run from the repository with tsx):
// it measures our side of the wire — the stand-in answers at once — not a real cluster.
import { Registry } from 'prom-client';
import { AckTracker } from '../../core/ack.ts';
import type { ClassifiedEvent } from '../../core/types.ts';
import { elasticsearchConfig } from './config.ts';
import { createElasticsearchSink } from './sink.ts';

export interface ShippingBenchOptions {
  docs?: number;
  batchSize?: number;
  concurrency?: number;
  /** Fraction of items the stand-in answers 429 (retry path cost). Default 0. */
  item429Rate?: number;
}

export interface ShippingBenchResult {
  docs: number;
  seconds: number;
  docsPerSecond: number;
  bulkRequests: number;
  maxQueued: number;
  rssMb: number;
}

interface StandIn {
  url: string;
  faults: { item429Rate: number };
  counts: { bulk: number; created: number };
  stop(): Promise<void>;
}

export async function benchShipping(opts: ShippingBenchOptions = {}): Promise<ShippingBenchResult> {
  const docs = opts.docs ?? 50_000;
  // The stand-in lives with the tests (not shipped in the image); loaded by path so the build ignores it.
  const helper = new URL('../../../../test/helpers/es-standin.ts', import.meta.url).href;
  const mod = (await import(helper)) as {
    ElasticsearchStandIn: { start(o?: { seed?: number }): Promise<StandIn> };
  };
  const es = await mod.ElasticsearchStandIn.start({ seed: 1 });
  es.faults.item429Rate = opts.item429Rate ?? 0;
  const acks = new AckTracker();
  const sink = createElasticsearchSink(
    elasticsearchConfig({
      url: es.url,
      deadLetterPath: `/tmp/crumbtrail-bench-dlq-${process.pid}.ndjson`,
      batchSize: opts.batchSize ?? 500,
      concurrency: opts.concurrency ?? 2,
      flushIntervalMs: 50,
      retryBaseMs: 5,
      maxRetryBackoffMs: 100,
    }),
    { acks, registry: new Registry(), log: { info() {}, warn() {}, error() {} } },
  );
  const key = 'bench-file';
  let maxQueued = 0;
  let offset = 0;
  const t0 = performance.now();
  try {
    for (let i = 0; i < docs; i++) {
      // Bounded loop: the sink drains on its own; wait at most 60 s for room.
      const deadline = Date.now() + 60_000;
      while (sink.saturated && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      const item = syntheticEvent(i, key, offset);
      offset = item.event.nextOffset;
      acks.track(key, offset);
      sink.write(item);
      if ((i & 1023) === 0) {
        maxQueued = Math.max(maxQueued, Number(sink.stats().queued));
        await new Promise((r) => setImmediate(r));
      }
    }
    await sink.flush(120_000);
    const seconds = (performance.now() - t0) / 1000;
    if (acks.committed(key) !== offset) throw new Error('bench: not every document was acknowledged');
    return {
      docs,
      seconds,
      docsPerSecond: Math.round(docs / seconds),
      bulkRequests: es.counts.bulk,
      maxQueued,
      rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    };
  } finally {
    await sink.close();
    await es.stop();
  }
}

function syntheticEvent(i: number, fileId: string, offset: number): ClassifiedEvent {
  const message = `order ${i} rejected: risk limit exceeded trace_id=t${i % 1000} qty=${i % 500}`;
  const event = {
    source: '/var/log/app/app.log',
    fileId,
    offset,
    nextOffset: offset + message.length + 48,
    lineNo: i + 1,
    format: 'plain' as const,
    timestamp: 1_795_000_000_000 + i,
    level: 'ERROR' as const,
    component: 'risk',
    message,
    traceId: `t${i % 1000}`,
    fields: { qty: i % 500, trace_id: `t${i % 1000}` },
  };
  return {
    event,
    breadcrumb: { event, category: 'risk_acceleration', symbol: '🟡', ruleId: 'limit-exceeded', severity: 2 },
  };
}
