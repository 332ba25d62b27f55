// The sink's guarantees, driven directly with an AckTracker against the stand-in Elasticsearch under faults:
// nothing lost, nothing invented, no duplicate (file, offset), checkpoint never past what was stored, the queue
// bounded (backpressure), never two open requests carrying the same _id.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { AckTracker } from '../../analyzer/src/core/ack.ts';
import type { ClassifiedEvent } from '../../analyzer/src/core/types.ts';
import { elasticsearchConfig } from '../../analyzer/src/sinks/elasticsearch/config.ts';
import { documentId } from '../../analyzer/src/sinks/elasticsearch/document.ts';
import {
  createElasticsearchSink,
  type ElasticsearchSink,
  type SinkLogger,
} from '../../analyzer/src/sinks/elasticsearch/sink.ts';
import { ElasticsearchStandIn, syntheticEvents } from '../helpers/es-standin.ts';
import { sleep } from '../helpers/wait.ts';

const DS = 'logs-crumbtrail.breadcrumbs-default';
const tmp = mkdtempSync(join(tmpdir(), 'es-sink-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const quietLog: SinkLogger = { info: () => {}, warn: () => {}, error: () => {} };
let dlqSeq = 0;

function makeSink(url: string, acks: AckTracker, over: Record<string, unknown> = {}) {
  const registry = new Registry();
  const cfg = elasticsearchConfig({
    url,
    deadLetterPath: join(tmp, `dlq-${++dlqSeq}.ndjson`),
    batchSize: 50,
    flushIntervalMs: 20,
    maxQueueEvents: 400,
    retryBaseMs: 10,
    maxRetryBackoffMs: 150,
    requestTimeoutMs: 400,
    probeIntervalMs: 100,
    ...over,
  });
  const sink = createElasticsearchSink(cfg, { acks, registry, log: quietLog });
  return { sink, registry, cfg };
}

interface DriveResult {
  maxQueued: number;
  sawSaturated: boolean;
  checkpointViolations: string[];
}

/**
 * Plays the service: track + write each event, pausing while the sink is saturated; samples the checkpoint and
 * checks that every event before it is stored (or dead-lettered) at that moment.
 */
async function drive(
  sink: ElasticsearchSink,
  acks: AckTracker,
  events: ClassifiedEvent[],
  es: ElasticsearchStandIn,
  rejected: Set<string>,
  deadlineMs = 20_000,
): Promise<DriveResult> {
  const res: DriveResult = { maxQueued: 0, sawSaturated: false, checkpointViolations: [] };
  const deadline = Date.now() + deadlineMs;
  const key = events[0]!.event.fileId!;
  const check = (): void => {
    const committed = acks.committed(key);
    for (const ev of events) {
      if (ev.event.nextOffset > committed) break;
      if (!ev.breadcrumb) continue;
      const id = documentId(key, ev.event.offset);
      if (!es.docs.has(id) && !rejected.has(id) && res.checkpointViolations.length < 10) {
        res.checkpointViolations.push(`offset ${ev.event.offset} not stored, checkpoint ${committed}`);
      }
    }
  };
  for (const ev of events) {
    while (sink.saturated && Date.now() < deadline) {
      res.sawSaturated = true;
      check();
      await sleep(5);
    }
    acks.track(key, ev.event.nextOffset);
    if (sink.accepts(ev)) sink.write(ev);
    else acks.ack(key, ev.event.nextOffset);
    res.maxQueued = Math.max(res.maxQueued, Number(sink.stats().queued));
  }
  const last = events.at(-1)!.event.nextOffset;
  while (acks.committed(key) < last && Date.now() < deadline) {
    check();
    await sleep(10);
  }
  check();
  return res;
}

/** The oracle: expected ⊆ indexed ∪ dead-lettered, indexed ⊆ expected, no duplicate (file, offset). */
function assertDelivered(
  es: ElasticsearchStandIn,
  events: ClassifiedEvent[],
  rejected = new Set<string>(),
): void {
  const expected = new Set(
    events.filter((e) => e.breadcrumb).map((e) => documentId(e.event.fileId!, e.event.offset)),
  );
  const indexed = es.docsIn(DS);
  const missing = [...expected].filter((id) => !indexed.has(id) && !rejected.has(id));
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} documents lost`);
  const invented = [...indexed.keys()].filter((id) => !expected.has(id));
  assert.deepEqual(invented, [], 'documents nobody wrote');
  const seen = new Set<string>();
  for (const d of indexed.values()) {
    const log = d.log as { offset: number };
    const k = `${(d.crumbtrail as { file_id: string }).file_id}@${log.offset}`;
    assert.ok(!seen.has(k), `duplicate document for ${k}`);
    seen.add(k);
  }
  assert.deepEqual(es.protocolErrors, []);
  assert.equal(es.overlaps, 0, 'two open requests carried the same _id');
}

async function metric(registry: Registry, name: string, labels?: Record<string, string>): Promise<number> {
  type Sample = { value: number; labels: Record<string, string>; metricName?: string };
  const all = (await registry.getMetricsAsJSON()).flatMap((m) =>
    (m as { name: string; values: Sample[] }).values.map((v) => ({
      ...v,
      metricName: v.metricName ?? m.name,
    })),
  );
  if (
    !all.some((v) => v.metricName === name) &&
    !(await registry.getMetricsAsJSON()).some((m) => m.name === name)
  ) {
    return Number.NaN; // no such family: a typo must not read as zero
  }
  return all
    .filter((v) => v.metricName === name)
    .filter((v) => !labels || Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((a, v) => a + v.value, 0);
}

describe('elasticsearch sink under faults', () => {
  test('happy path: every breadcrumb indexed once, checkpoint reaches the end, non-breadcrumbs acked by service', async () => {
    const es = await ElasticsearchStandIn.start();
    const acks = new AckTracker();
    const { sink, registry } = makeSink(es.url, acks);
    try {
      const events = syntheticEvents(1000, { breadcrumbEvery: 3 });
      const r = await drive(sink, acks, events, es, new Set());
      assertDelivered(es, events);
      assert.equal(acks.committed(events[0]!.event.fileId!), events.at(-1)!.event.nextOffset);
      assert.deepEqual(r.checkpointViolations, []);
      const shipped = events.filter((e) => e.breadcrumb).length;
      assert.equal(es.docsIn(DS).size, shipped);
      assert.equal(await metric(registry, 'crumbtrail_es_docs_acked_total'), shipped);
      assert.equal(await metric(registry, 'crumbtrail_es_queue_events'), 0);
      assert.equal(await metric(registry, 'crumbtrail_es_up'), 1);
      assert.ok(
        (await metric(registry, 'crumbtrail_es_batch_duration_seconds_count')) >= shipped / 50,
        'batches timed',
      );
      assert.ok(
        es.requests.some((q) => q.path === '/_bulk' && q.ids.length > 1),
        'batches, not single docs',
      );
    } finally {
      await sink.close();
      await es.stop();
    }
  });

  test('refused connections for a while: buffers within the bound, saturates, not ready, then catches up', async () => {
    const es = await ElasticsearchStandIn.start({ seed: 7 });
    const acks = new AckTracker();
    const { sink, registry } = makeSink(es.url, acks);
    try {
      await es.down();
      const events = syntheticEvents(1500);
      const outage = (async () => {
        await sleep(700);
        assert.equal(sink.ready(), false, 'not ready while Elasticsearch refuses connections');
        assert.equal(acks.committed(events[0]!.event.fileId!), 0, 'nothing committed during the outage');
        await es.up();
      })();
      const r = await drive(sink, acks, events, es, new Set());
      await outage;
      assertDelivered(es, events);
      assert.deepEqual(r.checkpointViolations, []);
      assert.ok(r.sawSaturated, 'backpressure engaged');
      assert.ok(r.maxQueued <= 400, `queue stayed within its bound (max ${r.maxQueued})`);
      assert.ok(
        (await metric(registry, 'crumbtrail_es_retries_total', { reason: 'connection' })) > 0,
        'conn',
      );
      assert.equal(sink.ready(), true);
    } finally {
      await sink.close();
      await es.stop();
    }
  });

  test('restart of the analyzer during the outage: re-read lines get the same _ids, no duplicates', async () => {
    const es = await ElasticsearchStandIn.start({ seed: 8 });
    const events = syntheticEvents(600);
    const key = events[0]!.event.fileId!;
    // First life: half the events go through, then ES goes away and the process "dies" with a full queue.
    const acks1 = new AckTracker();
    const first = makeSink(es.url, acks1);
    await drive(first.sink, acks1, events.slice(0, 300), es, new Set());
    await es.down();
    for (const ev of events.slice(300, 450)) {
      acks1.track(key, ev.event.nextOffset);
      first.sink.write(ev);
    }
    await sleep(200);
    const checkpoint = acks1.committed(key);
    await first.sink.close();
    // Second life: resume from the checkpoint while ES is still down, then ES comes back.
    const acks2 = new AckTracker();
    acks2.reset(key, checkpoint);
    const second = makeSink(es.url, acks2);
    try {
      const rest = events.filter((e) => e.event.offset >= checkpoint);
      setTimeout(() => void es.up(), 500);
      const r = await drive(second.sink, acks2, rest, es, new Set());
      assertDelivered(es, events);
      assert.deepEqual(r.checkpointViolations, []);
      assert.equal(acks2.committed(key), events.at(-1)!.event.nextOffset);
    } finally {
      await second.sink.close();
      await es.stop();
    }
  });

  for (const mode of ['before-index', 'after-index'] as const) {
    test(`accepting but never answering (${mode}): timeouts are retried; a lost answer becomes a 409`, async () => {
      const es = await ElasticsearchStandIn.start({ seed: 9 });
      const acks = new AckTracker();
      const { sink, registry } = makeSink(es.url, acks);
      try {
        es.faults.hang = mode;
        setTimeout(() => {
          es.faults.hang = false;
        }, 1200);
        const events = syntheticEvents(300);
        const r = await drive(sink, acks, events, es, new Set());
        assertDelivered(es, events);
        assert.deepEqual(r.checkpointViolations, []);
        assert.ok(es.counts.hung > 0, 'some requests hung');
        assert.ok(
          (await metric(registry, 'crumbtrail_es_retries_total', { reason: 'timeout' })) > 0,
          'timeouts',
        );
        // A timed-out request may have been stored: the resend check finds those and acks them unsent.
        if (mode === 'after-index')
          assert.ok(Number(sink.stats().resendSkipped) > 0, 'stored-but-unanswered docs found by the check');
      } finally {
        await sink.close();
        await es.stop();
      }
    });
  }

  test('whole-request 429 storm and 503s: the whole batch retries with backoff', async () => {
    const es = await ElasticsearchStandIn.start({ seed: 10 });
    const acks = new AckTracker();
    const { sink, registry } = makeSink(es.url, acks);
    try {
      es.faults.wholeRequest429 = 25;
      es.faults.wholeRequest503 = 5;
      const events = syntheticEvents(500);
      const r = await drive(sink, acks, events, es, new Set());
      assertDelivered(es, events);
      assert.deepEqual(r.checkpointViolations, []);
      assert.equal(es.faults.wholeRequest429, 0);
      assert.ok((await metric(registry, 'crumbtrail_es_retries_total', { reason: 'http_429' })) > 0, '429s');
      assert.ok((await metric(registry, 'crumbtrail_es_retries_total', { reason: 'http_5xx' })) > 0, '5xx');
    } finally {
      await sink.close();
      await es.stop();
    }
  });

  test('30 % per-item 429, some 400s (dead letter, acked) and 409s (already stored, acked)', async () => {
    const es = await ElasticsearchStandIn.start({ seed: 11 });
    const acks = new AckTracker();
    const { sink, registry, cfg } = makeSink(es.url, acks);
    try {
      const events = syntheticEvents(800);
      // Some documents are already there (a previous life stored them). Near the start the resend check finds
      // them (acked, not sent); past its window (maxQueueEvents after the first missing one) create answers 409.
      for (const ev of [...events.slice(0, 40), ...events.slice(600, 700)]) {
        if ((ev.event.fields.order as number) % 37 === 5) continue; // those are the mapping failures
        es.docs.set(documentId(ev.event.fileId!, ev.event.offset), { index: DS, doc: docStub(ev) });
      }
      const rejected = new Set<string>();
      for (const ev of events) {
        if ((ev.event.fields.order as number) % 37 === 5)
          rejected.add(documentId(ev.event.fileId!, ev.event.offset));
      }
      es.faults.item429Rate = 0.3;
      es.faults.rejectDoc = (doc) =>
        (doc.crumbtrail as { fields: { order: number } }).fields.order % 37 === 5
          ? 'failed to parse [order]'
          : null;
      const r = await drive(sink, acks, events, es, rejected);
      assertDelivered(es, events, rejected);
      assert.deepEqual(r.checkpointViolations, []);
      assert.equal(
        acks.committed(events[0]!.event.fileId!),
        events.at(-1)!.event.nextOffset,
        'dead letters ack',
      );
      assert.ok(es.counts.item429 > 0 && es.counts.conflicts >= 97, 'per-item 429s and 409s happened');
      assert.ok(Number(sink.stats().resendSkipped) >= 38, 'the start window found the stored ones');
      assert.equal(sink.stats().resendWindowOpen, false, 'and closed');
      const lines = readFileSync(cfg.deadLetterPath, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(new Set(lines.map((l: { id: string }) => l.id)), rejected);
      for (const l of lines) {
        assert.equal(l.status, 400);
        assert.equal(l.error.type, 'document_parsing_exception');
        assert.equal(typeof l.doc.message, 'string');
      }
      for (const id of rejected) assert.ok(!es.docs.has(id), `rejected ${id} is not indexed`);
      assert.equal(await metric(registry, 'crumbtrail_es_dead_letter_total'), rejected.size);
      assert.ok(
        (await metric(registry, 'crumbtrail_es_retries_total', { reason: 'item_429' })) > 0,
        'item_429',
      );
    } finally {
      await sink.close();
      await es.stop();
    }
  });

  test('slow responses with two requests in flight: no _id is ever in two open requests', async () => {
    const es = await ElasticsearchStandIn.start({ seed: 12 });
    const acks = new AckTracker();
    const { sink } = makeSink(es.url, acks, { concurrency: 2, batchSize: 20 });
    try {
      es.faults.delayMs = 60;
      es.faults.item429Rate = 0.2;
      const events = syntheticEvents(400);
      const r = await drive(sink, acks, events, es, new Set());
      assertDelivered(es, events);
      assert.deepEqual(r.checkpointViolations, []);
    } finally {
      await sink.close();
      await es.stop();
    }
  });

  test('dead-letter file unwritable: rejected documents are not acked until it can be written', async () => {
    const es = await ElasticsearchStandIn.start({ seed: 13 });
    const acks = new AckTracker();
    // A regular file where the dead-letter directory should be: every append fails with ENOTDIR.
    const blocker = join(tmp, 'dlq-blocked');
    writeFileSync(blocker, '');
    const { sink, registry } = makeSink(es.url, acks, { deadLetterPath: join(blocker, 'dlq.ndjson') });
    try {
      const events = syntheticEvents(20);
      const bad = documentId(events[0]!.event.fileId!, events[10]!.event.offset);
      es.faults.rejectDoc = (doc) =>
        (doc.log as { offset: number }).offset === events[10]!.event.offset ? 'x' : null;
      const key = events[0]!.event.fileId!;
      for (const ev of events) {
        acks.track(key, ev.event.nextOffset);
        sink.write(ev);
      }
      const deadline = Date.now() + 3000;
      while (
        Date.now() < deadline &&
        (await metric(registry, 'crumbtrail_es_retries_total', { reason: 'dead_letter_io' })) < 3
      )
        await sleep(20);
      assert.ok(
        (await metric(registry, 'crumbtrail_es_retries_total', { reason: 'dead_letter_io' })) >= 3,
        'dlq io',
      );
      assert.equal(
        acks.committed(key),
        events[9]!.event.nextOffset,
        'checkpoint stops before the unrecorded doc',
      );
      assert.ok(!es.docs.has(bad), 'the rejected doc is not indexed');
      assert.equal(await metric(registry, 'crumbtrail_es_dead_letter_total'), 0);
      // Once the file can be written, the document is recorded and the checkpoint moves on.
      rmSync(blocker);
      mkdirSync(blocker);
      const end = Date.now() + 5000;
      while (Date.now() < end && acks.committed(key) < events.at(-1)!.event.nextOffset) await sleep(20);
      assert.equal(acks.committed(key), events.at(-1)!.event.nextOffset);
      assert.equal(await metric(registry, 'crumbtrail_es_dead_letter_total'), 1);
      assert.match(readFileSync(join(blocker, 'dlq.ndjson'), 'utf8'), new RegExp(bad));
    } finally {
      await sink.close();
      await es.stop();
    }
  });
});

function docStub(ev: ClassifiedEvent): Record<string, unknown> {
  return {
    message: ev.event.message,
    log: { offset: ev.event.offset },
    crumbtrail: { file_id: ev.event.fileId, fields: ev.event.fields },
  };
}
