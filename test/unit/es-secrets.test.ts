// Credentials reach Elasticsearch (the stand-in checks the Authorization header) and nothing else: not the logs,
// /stats, error texts, metrics or dead letters — with good credentials, bad ones and while ES is unreachable.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import { AckTracker } from '../../analyzer/src/core/ack.ts';
import { elasticsearchConfigFromEnv } from '../../analyzer/src/sinks/elasticsearch/config.ts';
import { createElasticsearchSink, type SinkLogger } from '../../analyzer/src/sinks/elasticsearch/sink.ts';
import { ElasticsearchStandIn, syntheticEvents } from '../helpers/es-standin.ts';
import { sleep } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'es-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';
const PASSWORD = 'Pa55-w0rd-that-must-not-leak';

async function run(env: Record<string, string>, requireAuthorization: string, expectStored: boolean) {
  const es = await ElasticsearchStandIn.start();
  es.requireAuthorization = requireAuthorization;
  const logs: string[] = [];
  const log: SinkLogger = {
    info: (m, d) => logs.push(m + JSON.stringify(d ?? {})),
    warn: (m, d) => logs.push(m + JSON.stringify(d ?? {})),
    error: (m, d) => logs.push(m + JSON.stringify(d ?? {})),
  };
  const cfg = elasticsearchConfigFromEnv({
    CRUMBTRAIL_ES_URL: es.url,
    CRUMBTRAIL_ES_DEAD_LETTER: join(dir, `dlq-${Math.random()}.ndjson`),
    CRUMBTRAIL_ES_FLUSH_INTERVAL_MS: '10',
    CRUMBTRAIL_ES_RETRY_BASE_MS: '10',
    CRUMBTRAIL_ES_MAX_RETRY_BACKOFF_MS: '50',
    CRUMBTRAIL_ES_PROBE_INTERVAL_MS: '50',
    ...env,
  })!;
  const acks = new AckTracker();
  const registry = new Registry();
  const sink = createElasticsearchSink(cfg, { acks, registry, log });
  const events = syntheticEvents(30);
  es.faults.rejectDoc = (d) =>
    (d.log as { offset: number }).offset === events[3]!.event.offset ? 'bad' : null;
  for (const ev of events) {
    acks.track(ev.event.fileId!, ev.event.nextOffset);
    sink.write(ev);
  }
  const end = Date.now() + 3000;
  while (
    Date.now() < end &&
    (expectStored ? es.docs.size < 29 : es.requests.filter((r) => r.status === 401).length < 3)
  )
    await sleep(20);
  // An outage too: connection errors carry the URL into error texts.
  await es.down();
  sink.write(syntheticEvents(1, { startOffset: 999_999 })[0]!);
  await sleep(300);
  const captured = [
    ...logs,
    JSON.stringify(sink.stats()),
    await registry.metrics(),
    existsSync(cfg.deadLetterPath) ? readFileSync(cfg.deadLetterPath, 'utf8') : '',
  ].join('\n');
  await sink.close();
  await es.stop();
  return { es, captured, logs, stats: sink.stats() };
}

function assertNoSecret(text: string, secrets: string[]): void {
  for (const s of secrets) assert.ok(!text.includes(s), `secret ${s.slice(0, 3)}… leaked`);
}

test('API key: sent as ApiKey header, absent from logs/stats/metrics/dead letters', async () => {
  const r = await run({ CRUMBTRAIL_ES_API_KEY: API_KEY }, `ApiKey ${API_KEY}`, true);
  assert.equal(r.es.docs.size, 29, 'documents stored with the right credentials');
  assert.ok(r.captured.length > 200, 'something was captured');
  assertNoSecret(r.captured, [API_KEY, Buffer.from(API_KEY, 'base64').toString('utf8').split(':')[1]!]);
});

test('user/password: Basic header; wrong credentials are retried (never dropped) and never echoed', async () => {
  const basic = `Basic ${Buffer.from(`analyzer_writer:${PASSWORD}`).toString('base64')}`;
  const good = await run(
    { CRUMBTRAIL_ES_USERNAME: 'analyzer_writer', CRUMBTRAIL_ES_PASSWORD: PASSWORD },
    basic,
    true,
  );
  assert.equal(good.es.docs.size, 29);
  assertNoSecret(good.captured, [PASSWORD, basic.slice(6)]);

  const bad = await run(
    { CRUMBTRAIL_ES_USERNAME: 'analyzer_writer', CRUMBTRAIL_ES_PASSWORD: PASSWORD },
    'Basic nope',
    false,
  );
  assert.equal(bad.es.docs.size, 0);
  assert.ok(
    bad.logs.some((l) => l.includes('401 (authentication failed)')),
    'the operator is told',
  );
  assert.ok(Number(bad.stats.queued) > 0, 'nothing dropped');
  assertNoSecret(bad.captured, [PASSWORD, basic.slice(6)]);
});

test('credentials in the URL are moved out of it and never shown', async () => {
  const es = await ElasticsearchStandIn.start();
  const port = new URL(es.url).port;
  await es.stop();
  const r = await run(
    { CRUMBTRAIL_ES_URL: `http://analyzer_writer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}` },
    'x',
    false,
  );
  assertNoSecret(r.captured, [PASSWORD, encodeURIComponent(PASSWORD)]);
});
