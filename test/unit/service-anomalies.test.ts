// Anomalies reach Elasticsearch: the service runs with the real AnomalyMonitor as an observer and the real sink
// (wired by createServiceSink, as serve.ts does) against the stand-in Elasticsearch. Lines at a Sunday 3 a.m. at a
// weekday-noon error level → one document in logs-crumbtrail.anomalies-default with a deterministic _id;
// detected again → 409, still one document; breadcrumbs still acked to the checkpoint. Then the bound: anomaly
// documents take at most a tenth of the queue and never saturate the sink on their own.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { defaultAnomalyConfig } from '../../analyzer/src/anomaly/config.ts';
import { Rng } from '../../analyzer/src/anomaly/eval/prng.ts';
import { AnomalyMonitor } from '../../analyzer/src/anomaly/monitor.ts';
import { AckTracker } from '../../analyzer/src/core/ack.ts';
import type { ClassifiedEvent, Level, LogEvent, RawLine } from '../../analyzer/src/core/types.ts';
import { AnalyzerService } from '../../analyzer/src/service/app.ts';
import { loadConfig } from '../../analyzer/src/service/config.ts';
import type { StageFactories } from '../../analyzer/src/service/stages.ts';
import {
  anomalyDocumentId,
  createServiceSink,
  shipAnomalies,
} from '../../analyzer/src/sinks/elasticsearch/anomaly.ts';
import { ES_DEFAULTS, elasticsearchConfig } from '../../analyzer/src/sinks/elasticsearch/config.ts';
import { documentQueueCap, type ElasticsearchSink } from '../../analyzer/src/sinks/elasticsearch/sink.ts';
import { ElasticsearchStandIn, syntheticEvents } from '../helpers/es-standin.ts';
import { TailerStandIn } from '../helpers/tailer-standin.ts';
import { waitFor } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-svc-anom-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const START = Date.UTC(2025, 2, 3); // a Monday
const DAY = 86_400_000;
const ANOMALIES = ES_DEFAULTS.anomalyDataStream;
const CRUMBS = ES_DEFAULTS.dataStream;
const quiet = { info() {}, warn() {}, error() {} };

const until = (cond: () => boolean, what: string, ms = 10_000) => waitFor(cond, what, ms);

/** "EPOCH_MS LEVEL component message"; a message holding <b> is a breadcrumb. */
const stages: StageFactories = {
  parse: () => ({
    name: 'parse',
    process(l: RawLine, emit: (e: LogEvent) => void) {
      const [ts, level, component, ...rest] = l.bytes.toString().split(' ');
      emit({
        source: l.source,
        fileId: l.fileId,
        offset: l.offset,
        nextOffset: l.nextOffset,
        lineNo: l.lineNo,
        format: 'plain',
        timestamp: Number(ts),
        level: level as Level,
        component: component ?? '',
        message: rest.join(' '),
        fields: {},
      });
    },
  }),
  multiline: () => ({ name: 'multiline', process: (e: LogEvent, emit: (e: LogEvent) => void) => emit(e) }),
  classify: () => ({
    name: 'classify',
    process(e: LogEvent, emit: (c: ClassifiedEvent) => void) {
      const crumb = e.message.includes('<b>');
      emit({
        event: e,
        breadcrumb: crumb
          ? { event: e, category: 'stress', symbol: '🟡', ruleId: 'pool', severity: 3 }
          : null,
      });
    },
  }),
};

/** Three weeks of a seasonal per-minute error count, busy on weekdays 9–17 UTC, straight into the baselines. */
function trainedMonitor(name: string): AnomalyMonitor {
  const m = new AnomalyMonitor({
    config: defaultAnomalyConfig({ dbPath: join(dir, `${name}.sqlite`), recalcAtUtc: null }),
  });
  const rng = new Rng(11);
  for (let i = 0; i < 21 * 1440; i++) {
    const t = START + i * 60_000;
    const d = new Date(t);
    const busy = d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 9 && d.getUTCHours() < 17;
    m.ingest([{ series: 'api:errors', minute: t, value: rng.poisson(busy ? 20 : 1) }]);
  }
  m.recalculate();
  return m;
}

describe('anomalies shipped to Elasticsearch', () => {
  test('a service run with the monitor and the sink: an anomaly becomes one document, idempotently', async () => {
    const es = await ElasticsearchStandIn.start();
    const monitor = trainedMonitor('svc');
    let tailer!: TailerStandIn;
    let sink!: ElasticsearchSink;
    const registry = new Registry();
    const config = loadConfig({
      argv: ['--glob', '/logs/*.log', '--port', '0', '--state-dir', dir, '--commit-interval-ms', '20'],
      env: {},
      cwd: dir,
    });
    const t = START + 27 * DAY + 3 * 3_600_000; // Sunday 03:00: normally ~1 error a minute
    const skew = Date.now() - (t + 11 * 60_000);
    const svc = new AnalyzerService(config, {
      createTailer: (_o, onLines) => {
        tailer = new TailerStandIn(onLines);
        return tailer;
      },
      stageFactories: stages,
      observers: [monitor],
      incidents: () => ({ add: () => null }),
      sinks: ({ ackTracker }) => {
        sink = createServiceSink(
          elasticsearchConfig({
            url: es.url,
            deadLetterPath: join(dir, 'dlq.ndjson'),
            flushIntervalMs: 20,
            probeIntervalMs: 100,
            retryBaseMs: 10,
            maxRetryBackoffMs: 100,
          }),
          { acks: ackTracker, registry, log: quiet, anomalies: monitor },
        );
        return [sink];
      },
      log: () => {},
      // The corpus is dated 2025: the service's clock runs from just after it, so its events are timely.
      now: () => Date.now() - skew,
    });
    await svc.start();
    try {
      const lines: string[] = [];
      for (let i = 0; i < 25; i++)
        lines.push(`${t + i * 2000} ERROR api pool ${i < 3 ? '<b>exhausted</b>' : 'busy'}`);
      lines.push(`${t + 5 * 60_000} INFO api ok`, `${t + 10 * 60_000} INFO api ok`); // event time moves on
      await tailer.feed(lines);

      await until(() => es.docsIn(ANOMALIES).size === 1, 'the anomaly document');
      const id = anomalyDocumentId({ series: 'api:errors', at: t });
      const doc = es.docsIn(ANOMALIES).get(id);
      assert.ok(doc, `document under the deterministic _id ${id}`);
      const a = (doc.crumbtrail as { anomaly: Record<string, unknown> }).anomaly;
      assert.equal(a.series, 'api:errors');
      assert.equal(a.value, 25);
      assert.equal(a.sev, 1);
      assert.equal(a.fallback, false);
      assert.deepEqual(a.bucket, { day_of_week: 0, hour: 3, hour_of_week: 3 });
      assert.equal(doc['@timestamp'], new Date(t).toISOString());
      assert.deepEqual((doc.event as Record<string, unknown>).kind, 'alert');
      assert.equal((doc.event as Record<string, unknown>).severity, 99);

      // The log events' path is unchanged: 3 breadcrumbs stored and acked, the checkpoint at the end.
      await until(() => es.docsIn(CRUMBS).size === 3, 'the breadcrumb documents');
      await until(() => tailer.commits.at(-1)?.[1] === tailer.file.size, 'checkpoint at the end of the file');

      // Detected again (a replay, a restart): the same _id, still one document — answered 409, or found already
      // stored by the sink's resend check (a lookup by crumbtrail.event_id right after the start) and not sent.
      const conflicts = es.counts.conflicts;
      const searches = es.counts.search;
      const again = monitor.ingest([{ series: 'api:errors', minute: t, value: 25 }]);
      assert.equal(again.length, 1);
      await until(
        () => es.counts.conflicts > conflicts || es.counts.search > searches,
        'the re-sent anomaly answered 409 or found stored',
      );
      assert.equal(es.docsIn(ANOMALIES).size, 1);
      // The stand-in counts the 409 when it answers; the sink dequeues once the answer arrives.
      await until(() => Number(sink.stats().queuedDocuments) === 0, 'the re-sent anomaly to leave the queue');
    } finally {
      await svc.stop();
      await es.stop();
    }
  });

  test('bounded: anomaly documents fill at most a tenth of the queue and never hold reading back', async () => {
    const es = await ElasticsearchStandIn.start();
    await es.down(); // Elasticsearch unreachable: nothing drains
    const acks = new AckTracker();
    const cfg = elasticsearchConfig({
      url: es.url,
      deadLetterPath: join(dir, 'dlq-bound.ndjson'),
      batchSize: 5,
      maxQueueEvents: 50,
      flushIntervalMs: 10,
      retryBaseMs: 10,
      maxRetryBackoffMs: 50,
      requestTimeoutMs: 500,
      probeIntervalMs: 50,
    });
    const sink = createServiceSink(cfg, { acks, registry: new Registry(), log: quiet });
    try {
      const cap = documentQueueCap(cfg);
      assert.equal(cap, 5);
      const ship = shipAnomalies(sink, ANOMALIES);
      const base = {
        value: 9,
        mean: 1,
        sd: 1,
        z: 8,
        sev: 2 as const,
        percentile: 99,
        threshold: 6,
        bucket: { dayOfWeek: 1, hour: 2, hourOfWeek: 26 },
        scope: 'bucket' as const,
        fellBack: false,
        baselineN: 30,
        breadcrumbs: [],
        traceIds: [],
      };
      for (let i = 0; i < 20; i++) {
        const at = START + i * 60_000;
        ship({ ...base, id: `s${i}@${at}`, series: `s${i}`, at, timestamp: new Date(at).toISOString() });
      }
      const stats = sink.stats();
      assert.equal(stats.queuedDocuments, cap);
      assert.equal(stats.documentsDropped, 20 - cap);
      assert.equal(sink.saturated, false, 'anomaly documents alone must not pause reading');

      // Log events still queue, and once Elasticsearch is back every one is acked to the checkpoint.
      const events = syntheticEvents(20);
      const key = events[0]!.event.fileId!;
      for (const ev of events) {
        acks.track(key, ev.event.nextOffset);
        sink.write(ev);
      }
      await es.up();
      await until(() => acks.committed(key) === events.at(-1)!.event.nextOffset, 'log events acked');
      await until(() => es.docsIn(ANOMALIES).size === cap, 'the accepted anomaly documents');
      assert.equal(es.docsIn(CRUMBS).size, 20);
    } finally {
      await sink.close();
      await es.stop();
    }
  });
});
