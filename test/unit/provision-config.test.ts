import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { differences, jsonAwareDifferences, omitKeys } from '../../provision/compare.ts';
import {
  ConfigError,
  DEFAULT_WAIT_MS,
  HelpRequested,
  parseArgs,
  readDotEnv,
  secretValues,
  USAGE,
} from '../../provision/config.ts';
import { scrubber } from '../../provision/run.ts';

const ROOT = '/nonexistent-crumbtrail-root';

describe('provision config', () => {
  test('defaults to the compose stack on localhost with the ports from env', () => {
    const c = parseArgs([], { KIBANA_PORT: '15601' }, ROOT);
    assert.equal(c.es.url, 'http://localhost:9200');
    assert.equal(c.kibana.url, 'http://localhost:15601');
    assert.equal(c.dryRun, false);
    assert.deepEqual([...c.only], ['es', 'kibana', 'grafana', 'prometheus']);
    assert.equal(c.retentionDays, 30); // same default as .env.example and compose
  });

  test('flags override env; --only narrows; --dry-run', () => {
    const c = parseArgs(
      ['--dry-run', '--only', 'kibana,grafana', '--es-url', 'https://es.example:9243/'],
      { ES_URL: 'http://x:1' },
      ROOT,
    );
    assert.equal(c.es.url, 'https://es.example:9243');
    assert.deepEqual([...c.only].sort(), ['grafana', 'kibana']);
    assert.equal(c.dryRun, true);
  });

  test('credentials: API key wins, Kibana falls back to ES creds, Grafana token', () => {
    const c = parseArgs([], { ES_API_KEY: 'k3y-value', GRAFANA_TOKEN: 'glsa_token' }, ROOT);
    assert.equal(c.es.auth.kind, 'apiKey');
    assert.equal(c.kibana.auth.kind, 'apiKey');
    assert.equal(c.grafana.auth.kind, 'bearer');
    assert.ok(secretValues(c).includes('k3y-value'));
  });

  test('bad input: one clear error naming the key', () => {
    assert.throws(
      () => parseArgs(['--only', 'kafka'], {}, ROOT),
      (e: Error) => e instanceof ConfigError && /unknown service "kafka"/.test(e.message),
    );
    assert.throws(
      () => parseArgs([], { ES_URL: 'localhost:9200' }, ROOT),
      /ES_URL: "localhost:9200" is not an http\(s\) URL/,
    );
    assert.throws(() => parseArgs([], { RETENTION_DAYS: 'seven' }, ROOT), /RETENTION_DAYS/);
    assert.throws(() => parseArgs(['--bogus'], {}, ROOT), /unknown flag --bogus/);
    assert.throws(
      () => parseArgs([], { ES_CA_CERT: '/no/such/ca.pem' }, ROOT),
      /ES_CA_CERT: file \/no\/such\/ca.pem does not exist/,
    );
  });

  test('.env is read for unset values; process env wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-env-'));
    try {
      writeFileSync(
        join(dir, '.env'),
        '# c\nES_PORT=19200\nKIBANA_URL="http://kb:5601"\nELASTIC_PASSWORD=superuser-pw\nPROVISIONER_PASSWORD=from-dotenv # note\n',
      );
      assert.deepEqual(readDotEnv(join(dir, '.env')), {
        ES_PORT: '19200',
        KIBANA_URL: 'http://kb:5601',
        ELASTIC_PASSWORD: 'superuser-pw',
        PROVISIONER_PASSWORD: 'from-dotenv',
      });
      const c = parseArgs([], { KIBANA_URL: 'http://override:1' }, dir);
      assert.equal(c.es.url, 'http://localhost:19200');
      assert.equal(c.kibana.url, 'http://override:1');
      // A host run reading the stack's .env provisions as the least-privilege user, never as `elastic`.
      assert.equal(c.es.auth.kind === 'basic' && c.es.auth.password, 'from-dotenv');
      assert.equal(c.es.auth.kind === 'basic' && c.es.auth.username, 'provisioner');
      assert.equal(c.kibana.auth.kind === 'basic' && c.kibana.auth.username, 'provisioner');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('provision flags', () => {
  test('only ELASTIC_PASSWORD set: no superuser fallback, no credentials', () => {
    const c = parseArgs([], { ELASTIC_PASSWORD: 'superuser-pw' }, ROOT);
    assert.equal(c.es.auth.kind, 'none');
  });

  test('--help is not an error, and states the real default wait', () => {
    assert.throws(() => parseArgs(['--help'], {}, ROOT), HelpRequested);
    assert.match(USAGE, new RegExp(`default ${DEFAULT_WAIT_MS / 1000}s`));
    assert.equal(parseArgs([], {}, ROOT).timeoutMs, DEFAULT_WAIT_MS);
  });

  test('NAME_FILE (Compose secrets) fills a credential; an unreadable file is one clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-secret-'));
    try {
      writeFileSync(join(dir, 'pw'), 'from-a-file\n');
      const c = parseArgs([], { ES_USERNAME: 'provisioner', ES_PASSWORD_FILE: join(dir, 'pw') }, ROOT);
      assert.equal(c.es.auth.kind === 'basic' && c.es.auth.password, 'from-a-file');
      assert.throws(
        () => parseArgs([], { GRAFANA_PASSWORD_FILE: join(dir, 'missing') }, ROOT),
        (e: Error) =>
          e instanceof ConfigError && /GRAFANA_PASSWORD_FILE: cannot read .*ENOENT/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--wait (and its alias --timeout) set the wait; 0 means try once', () => {
    assert.equal(parseArgs(['--wait', '0'], {}, ROOT).timeoutMs, 0);
    assert.equal(parseArgs(['--wait=5s'], {}, ROOT).timeoutMs, 5000);
    assert.equal(parseArgs(['--timeout', '2m'], {}, ROOT).timeoutMs, 120_000);
  });
});

describe('provision compare', () => {
  test('server-added fields are ignored; changed or missing ones are reported', () => {
    assert.deepEqual(
      differences({ a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'x', added: true }, version: 3 }),
      [],
    );
    assert.deepEqual(differences({ a: 1, b: { c: 'x' } }, { a: 2, b: {} }), ['a', 'b.c']);
    assert.deepEqual(differences({ list: [1, 2] }, { list: [1, 2, 3] }), ['list']);
    assert.deepEqual(
      differences({ n: 1, t: true }, { n: '1', t: 'true' }),
      [],
      'ES returns settings as strings',
    );
  });

  test('JSON strings compare parsed (Kibana searchSourceJSON, esQuery)', () => {
    assert.deepEqual(jsonAwareDifferences({ q: '{"a":1}' }, { q: '{ "a": 1, "b": 2 }' }), []);
    assert.deepEqual(jsonAwareDifferences({ q: '{"a":1}' }, { q: '{"a":2}' }), ['q.a']);
  });

  test('omitKeys drops server-owned keys at any depth', () => {
    assert.deepEqual(omitKeys({ id: 1, version: 2, panels: [{ id: 3, title: 't' }] }, ['version']), {
      id: 1,
      panels: [{ id: 3, title: 't' }],
    });
  });

  test('scrubber hides secrets in printed lines', () => {
    const scrub = scrubber(['s3cret-pass', 'ab']);
    assert.equal(scrub('login with s3cret-pass failed; ab stays'), 'login with *** failed; ab stays');
  });
});
