// `benchShippingRealNode()`: documents per second from the sink into a REAL Elasticsearch (the integ-test-zip the
// engine test layer uses, started on 127.0.0.1 by test/helpers/es-node.ts), beside benchShipping()'s stand-in
// figure; and the resend path: the same documents sent again by a restarted sink, whose resend check looks every
// id up across the data stream first (its cost is what this measures). For `npm run bench` (run with tsx from the
// repository: the helpers live with the tests and are loaded by path, so the build ignores them).
// Returns { skipped } where no JDK 21+ / distribution is available (the engine layer's reasons).
import { Registry } from 'prom-client';
import { AckTracker } from '../../core/ack.ts';
import type { ClassifiedEvent } from '../../core/types.ts';
import { elasticsearchConfig } from './config.ts';
import { createElasticsearchSink } from './sink.ts';

export interface RealShippingResult {
  docs: number;
  docsPerSecond: number;
  /** The same docs re-sent after a restart: every one found stored by the resend check, none sent. */
  resendDocsPerSecond: number;
  resendCheckRequests: number;
  resendCheckMs: number;
  /** Indexed documents at the end (must equal docs: the resend stores nothing). */
  indexed: number;
  distribution: string;
}

interface NodeHelpers {
  engineAvailability(): { home: string; javaHome: string } | { skip: string };
  EsNode: {
    start(
      e: { home: string; javaHome: string },
      o?: { heapMb?: number },
    ): Promise<{ url: string; destroy(): Promise<void> }>;
  };
}

export async function benchShippingRealNode(
  opts: { docs?: number; batchSize?: number; concurrency?: number } = {},
): Promise<RealShippingResult | { skipped: string }> {
  const docs = opts.docs ?? 20_000;
  const at = (p: string) => new URL(`../../../../${p}`, import.meta.url).href;
  const helpers = (await import(at('test/helpers/es-node.ts'))) as NodeHelpers;
  const { installTemplates, census } = (await import(at('test/engine/distribution.ts'))) as {
    installTemplates(c: unknown): Promise<string>;
    census(c: unknown, ds: string): Promise<{ total: number }>;
  };
  const { syntheticEvents } = (await import(at('test/helpers/es-standin.ts'))) as {
    syntheticEvents(n: number, o?: { fileId?: string }): ClassifiedEvent[];
  };
  const engine = helpers.engineAvailability();
  if ('skip' in engine) return { skipped: engine.skip };
  const node = await helpers.EsNode.start(engine, { heapMb: 1024 });
  const { Client } = await import('@elastic/elasticsearch');
  const client = new Client({ node: node.url });
  try {
    await installTemplates(client);
    const ds = 'logs-crumbtrail.breadcrumbs-bench';
    const events = syntheticEvents(docs, { fileId: 'bench-real' });
    const first = await shipAll(node.url, ds, events, opts);
    const again = await shipAll(node.url, ds, events, opts);
    const indexed = (await census(client, ds)).total;
    return {
      docs,
      docsPerSecond: Math.round(docs / first.seconds),
      resendDocsPerSecond: Math.round(docs / again.seconds),
      resendCheckRequests: Number(again.stats.resendCheckRequests),
      resendCheckMs: Number(again.stats.resendCheckMs),
      indexed,
      distribution: engine.home,
    };
  } finally {
    await client.close();
    await node.destroy();
  }
}

/** One sink life: write every event (pausing while saturated), flush, close. */
async function shipAll(
  url: string,
  dataStream: string,
  events: ClassifiedEvent[],
  opts: { batchSize?: number; concurrency?: number },
): Promise<{ seconds: number; stats: Record<string, number | string | boolean> }> {
  const acks = new AckTracker();
  const sink = createElasticsearchSink(
    elasticsearchConfig({
      url,
      dataStream,
      deadLetterPath: `/tmp/crumbtrail-bench-real-dlq-${process.pid}.ndjson`,
      batchSize: opts.batchSize ?? 500,
      concurrency: opts.concurrency ?? 2,
      flushIntervalMs: 50,
      maxQueueEvents: 10_000,
    }),
    { acks, registry: new Registry(), log: { info() {}, warn() {}, error() {} } },
  );
  const t0 = performance.now();
  try {
    for (const [i, e] of events.entries()) {
      const deadline = Date.now() + 60_000;
      while (sink.saturated && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      acks.track(e.event.fileId!, e.event.nextOffset);
      sink.write(e);
      if ((i & 1023) === 0) await new Promise((r) => setImmediate(r));
    }
    await sink.flush(300_000);
    const last = events.at(-1)!.event;
    if (acks.committed(last.fileId!) !== last.nextOffset)
      throw new Error('bench: not every document was acknowledged');
    return { seconds: (performance.now() - t0) / 1000, stats: sink.stats() };
  } finally {
    await sink.close();
  }
}
