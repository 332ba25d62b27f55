// /readyz against an Elasticsearch that refuses us (issue 14, finding 3): a 401 (bad credentials) or a 403
// (missing privileges) is contact, but not readiness: the service is not ready, says why, logs it once, and is
// ready again once the cluster accepts it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { elasticsearchConfig } from '../../analyzer/src/sinks/elasticsearch/config.ts';
import { createServiceSink } from '../../analyzer/src/sinks/elasticsearch/index.ts';
import { ElasticsearchStandIn } from '../helpers/es-standin.ts';
import { standInService } from '../helpers/service-standin.ts';
import { waitFor } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-es-ready-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function withService(es: ElasticsearchStandIn, name: string) {
  const logged: string[] = [];
  const log = (level: string) => (msg: string) => void logged.push(`${level} ${msg}`);
  const { svc, tailer } = standInService(dir, [], [], {
    sinks: ({ ackTracker }) => [
      createServiceSink(
        elasticsearchConfig({
          url: es.url,
          deadLetterPath: join(dir, `${name}-dlq.ndjson`),
          flushIntervalMs: 20,
          probeIntervalMs: 50,
          retryBaseMs: 10,
          maxRetryBackoffMs: 50,
        }),
        {
          acks: ackTracker,
          registry: new Registry(),
          log: { info: log('info'), warn: log('warn'), error: log('error') },
        },
      ),
    ],
  });
  const addr = await svc.start();
  const readyz = async () =>
    (await (await fetch(`http://127.0.0.1:${addr.port}/readyz`)).json()) as {
      ready: boolean;
      reasons: string[];
    };
  return { svc, tailer, readyz, logged };
}

describe('readiness against a refusing Elasticsearch', () => {
  test('401 on every request: not ready, with the reason, logged once; ready when accepted', async () => {
    const es = await ElasticsearchStandIn.start();
    es.requireAuthorization = 'ApiKey right-one';
    const { svc, tailer, readyz, logged } = await withService(es, 'a401');
    try {
      await tailer().feed(['ERROR api <b>refused</b>']);
      await waitFor(() => es.requests.filter((r) => r.status === 401).length >= 5, 'several 401 answers');
      const r = await readyz();
      assert.equal(r.ready, false);
      assert.match(
        r.reasons.join('\n'),
        /sink elasticsearch not ready: elasticsearch answered 401 \(authentication failed\)/,
      );
      assert.equal(logged.filter((l) => /answered 401/.test(l)).length, 1, 'one log line for the episode');
      assert.equal(es.docs.size, 0);
      es.requireAuthorization = null;
      await waitFor(async () => (await readyz()).ready, 'ready once the credentials are accepted');
      await waitFor(() => es.docs.size === 1, 'the held breadcrumb stored');
    } finally {
      await svc.stop();
      await es.stop();
    }
  });

  test('403 on _bulk while GET / passes: still not ready until a batch is stored', async () => {
    const es = await ElasticsearchStandIn.start();
    es.faults.bulkForbidden = true;
    const { svc, tailer, readyz } = await withService(es, 'a403');
    try {
      await waitFor(async () => (await readyz()).ready, 'ready before any data (GET / passes)');
      await tailer().feed(['ERROR api <b>forbidden</b>']);
      await waitFor(() => es.requests.filter((r) => r.status === 403).length >= 3, 'several 403 answers');
      // Probes pass in between (GET / is 200): readiness must stay false on the bulk refusal.
      await waitFor(
        () => es.requests.filter((r) => r.path === '/' && r.status === 200).length >= 2,
        'probes after the refusal',
      );
      const r = await readyz();
      assert.equal(r.ready, false);
      assert.match(r.reasons.join('\n'), /403 \(not authorized\)/);
      es.faults.bulkForbidden = false;
      await waitFor(() => es.docs.size === 1, 'stored once allowed');
      await waitFor(async () => (await readyz()).ready, 'ready again');
    } finally {
      await svc.stop();
      await es.stop();
    }
  });
});
