// CRUMBTRAIL_ES_* parsing: defaults, auth forms, and one clear error naming the key for each bad value.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fullJitterDelay } from '../../analyzer/src/sinks/elasticsearch/backoff.ts';
import {
  ES_DEFAULTS,
  EsConfigError,
  elasticsearchConfigFromEnv,
} from '../../analyzer/src/sinks/elasticsearch/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'es-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rejects(env: Record<string, string>, key: string): void {
  assert.throws(
    () => elasticsearchConfigFromEnv(env),
    (err: unknown) => err instanceof EsConfigError && err.key === key && err.message.startsWith(`${key}:`),
    `expected an error naming ${key}`,
  );
}

describe('elasticsearchConfigFromEnv', () => {
  test('no URL: shipping disabled', () => {
    assert.equal(elasticsearchConfigFromEnv({}), null);
  });

  test('defaults are documented values and the data stream is the kit name', () => {
    const c = elasticsearchConfigFromEnv({
      CRUMBTRAIL_ES_URL: 'http://127.0.0.1:9200/',
      CRUMBTRAIL_STATE_DIR: '/s',
    })!;
    assert.equal(c.url, 'http://127.0.0.1:9200');
    assert.equal(c.dataStream, 'logs-crumbtrail.breadcrumbs-default');
    assert.equal(c.anomalyDataStream, 'logs-crumbtrail.anomalies-default');
    assert.equal(c.batchSize, ES_DEFAULTS.batchSize);
    assert.equal(c.flushIntervalMs, ES_DEFAULTS.flushIntervalMs);
    assert.equal(c.deadLetterPath, '/s/es-dead-letter.ndjson');
    assert.equal(c.shipMode, 'breadcrumbs');
    assert.equal(c.auth, undefined);
  });

  test('API key, user/password, credentials moved out of the URL, CA file', () => {
    assert.deepEqual(
      elasticsearchConfigFromEnv({ CRUMBTRAIL_ES_URL: 'https://es:9200', CRUMBTRAIL_ES_API_KEY: 'abc123' })!
        .auth,
      { apiKey: 'abc123' },
    );
    const up = elasticsearchConfigFromEnv({
      CRUMBTRAIL_ES_URL: 'https://es:9200',
      CRUMBTRAIL_ES_USERNAME: 'analyzer_writer',
      CRUMBTRAIL_ES_PASSWORD: 'pw',
    })!;
    assert.deepEqual(up.auth, { username: 'analyzer_writer', password: 'pw' });
    const inUrl = elasticsearchConfigFromEnv({ CRUMBTRAIL_ES_URL: 'https://u:s%40cret@es:9200' })!;
    assert.deepEqual(inUrl.auth, { username: 'u', password: 's@cret' });
    assert.ok(!inUrl.url.includes('cret'), 'password removed from the URL');
    const ca = join(dir, 'ca.crt');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    assert.match(
      elasticsearchConfigFromEnv({ CRUMBTRAIL_ES_URL: 'https://es:9200', CRUMBTRAIL_ES_CA: ca })!.caPem!,
      /BEGIN/,
    );
  });

  test('bad values name their key', () => {
    const url = { CRUMBTRAIL_ES_URL: 'http://127.0.0.1:9200' };
    rejects({ CRUMBTRAIL_ES_URL: 'not a url' }, 'CRUMBTRAIL_ES_URL');
    rejects({ CRUMBTRAIL_ES_URL: 'ftp://x' }, 'CRUMBTRAIL_ES_URL');
    rejects({ ...url, CRUMBTRAIL_ES_USERNAME: 'u' }, 'CRUMBTRAIL_ES_PASSWORD');
    rejects({ ...url, CRUMBTRAIL_ES_PASSWORD: 'p' }, 'CRUMBTRAIL_ES_USERNAME');
    rejects({ ...url, CRUMBTRAIL_ES_API_KEY: 'k', CRUMBTRAIL_ES_USERNAME: 'u' }, 'CRUMBTRAIL_ES_API_KEY');
    rejects({ ...url, CRUMBTRAIL_ES_CA: join(dir, 'missing.crt') }, 'CRUMBTRAIL_ES_CA');
    rejects({ ...url, CRUMBTRAIL_ES_BATCH_SIZE: 'lots' }, 'CRUMBTRAIL_ES_BATCH_SIZE');
    rejects({ ...url, CRUMBTRAIL_ES_BATCH_BYTES: '0' }, 'CRUMBTRAIL_ES_BATCH_BYTES');
    rejects({ ...url, CRUMBTRAIL_ES_MAX_QUEUE_EVENTS: '10' }, 'CRUMBTRAIL_ES_MAX_QUEUE_EVENTS');
    rejects({ ...url, CRUMBTRAIL_ES_MAX_RETRY_BACKOFF_MS: '1' }, 'CRUMBTRAIL_ES_MAX_RETRY_BACKOFF_MS');
    rejects({ ...url, CRUMBTRAIL_ES_DATA_STREAM: 'Breadcrumbs' }, 'CRUMBTRAIL_ES_DATA_STREAM');
    rejects({ ...url, CRUMBTRAIL_ES_SHIP: 'some' }, 'CRUMBTRAIL_ES_SHIP');
  });

  test('a rejected password never appears in the error', () => {
    try {
      elasticsearchConfigFromEnv({
        CRUMBTRAIL_ES_URL: 'http://x:9200',
        CRUMBTRAIL_ES_API_KEY: 'sekr3t',
        CRUMBTRAIL_ES_USERNAME: 'u',
      });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(!String((err as Error).message).includes('sekr3t'), 'secret not echoed');
    }
  });
});

describe('full-jitter backoff', () => {
  test('stays within [0, min(cap, base·2^n)) and reaches the cap', () => {
    for (let n = 0; n < 40; n++) {
      const ceiling = Math.min(1000, 10 * 2 ** n);
      assert.equal(
        fullJitterDelay(n, 10, 1000, () => 0),
        0,
      );
      assert.ok(fullJitterDelay(n, 10, 1000, () => 0.999999) < ceiling, `attempt ${n} below ${ceiling}`);
      assert.ok(fullJitterDelay(n, 10, 1000, () => 0.999999) >= ceiling - 1, `attempt ${n} near ${ceiling}`);
    }
  });
});
