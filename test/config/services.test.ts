// Service configs without a binary to run here (no Docker engine): Filebeat, Kibana, Elasticsearch, the setup
// script's roles, the demo writer. Checked structurally against what the vendor docs require and what the kit
// promises; the multiline pattern and the setup script are executed for real.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { formatSeedTimestamp, parseReplayOptions, replayOnce, retimestamp } from '../../demo/replay.ts';
import { REPO_ROOT } from '../helpers/native-stack.ts';

/** `${NAME}` as written in a config file for environment expansion. */
const envRef = (name: string): string => `$${'{'}${name}}`;
const yamlFile = (p: string) => parse(readFileSync(join(REPO_ROOT, p), 'utf8')) as Record<string, unknown>;

describe('filebeat/config/filebeat.yml', () => {
  const cfg = yamlFile('filebeat/config/filebeat.yml');
  const inputs = cfg['filebeat.inputs'] as Array<Record<string, unknown>>;
  const input = inputs[0]!;

  test('one filestream input with a stable id over /var/log/app/*.log, fingerprint identity', () => {
    assert.equal(inputs.length, 1);
    assert.equal(input.type, 'filestream');
    assert.equal(input.id, 'crumbtrail-app-logs');
    assert.deepEqual(input.paths, ['/var/log/app/*.log']);
    assert.ok('file_identity.fingerprint' in input);
    assert.equal((input['prospector.scanner.fingerprint'] as { enabled: boolean }).enabled, true);
  });

  test('multiline: lines not starting with [ or { continue the previous event', () => {
    const parsers = input.parsers as Array<{
      multiline?: { type: string; pattern: string; negate: boolean; match: string };
    }>;
    const ml = parsers.find((p) => p.multiline)?.multiline;
    assert.ok(ml);
    assert.equal(ml.type, 'pattern');
    assert.equal(ml.negate, true);
    assert.equal(ml.match, 'after');
    // Go RE2 and JS agree on this pattern (a character class at the start of the line).
    const starts = new RegExp(ml.pattern);
    assert.ok(starts.test('[2010-05-06 14:32:05.123] CRITICAL - [exchange-gateway] halted'));
    assert.ok(starts.test('{"@timestamp":"2026-01-01T00:00:00Z","log.level":"error"}'));
    for (const continuation of [
      '    at Gateway.route (gateway.js:10:5)',
      'Traceback (most recent call last):',
      '\tat x',
    ]) {
      assert.ok(!starts.test(continuation), continuation);
    }
  });

  test('output: the app data stream through the crumbtrail-app-logs pipeline as filebeat_writer', () => {
    const out = cfg['output.elasticsearch'] as Record<string, unknown>;
    assert.equal(out.index, 'logs-crumbtrail.app-default');
    assert.equal(out.pipeline, 'crumbtrail-app-logs');
    assert.equal(out.username, 'filebeat_writer');
    assert.equal(out.password, envRef('FILEBEAT_WRITER_PASSWORD'));
    assert.equal(
      cfg['setup.template.enabled'],
      false,
      'templates are provisioned, not installed by Filebeat',
    );
    assert.equal(cfg['setup.ilm.enabled'], false);
  });

  test('container logs (profile containers): hints with a filestream + container parser default, per-container id', () => {
    const c = yamlFile('filebeat/config/filebeat-containers.yml');
    const providers = (c['filebeat.autodiscover'] as { providers: Array<Record<string, unknown>> }).providers;
    const hints = providers[0]!;
    assert.equal(hints['hints.enabled'], true);
    const dflt = hints['hints.default_config'] as { type: string; id?: string; parsers?: unknown[] };
    assert.equal(dflt.type, 'filestream');
    assert.match(dflt.id ?? '', /\$\{data\.container\.id\}/, 'one input id per container');
    assert.deepEqual(dflt.parsers, [{ container: null }]);
  });

  // Filebeat 9.x refuses to start `log` and `container` inputs (disabled since 9.0, unless
  // allow_deprecated_use: true): a config using them ships nothing. Every filestream needs its own id.
  for (const file of ['filebeat/config/filebeat.yml', 'filebeat/config/filebeat-containers.yml']) {
    test(`${file}: no input type disabled in Filebeat 9 (log, container, docker); filestream ids unique`, () => {
      const inputs: Array<Record<string, unknown>> = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          if (typeof o.type === 'string' && ('paths' in o || 'id' in o)) inputs.push(o);
          Object.values(o).forEach(walk);
        }
      };
      walk(yamlFile(file));
      assert.ok(inputs.length > 0, `no inputs found in ${file}`);
      const ids = new Set<string>();
      for (const i of inputs) {
        assert.ok(
          !['log', 'container', 'docker'].includes(i.type as string),
          `${file}: input type ${i.type}`,
        );
        if (i.type === 'filestream') {
          assert.ok(typeof i.id === 'string' && i.id !== '', `${file}: a filestream input without id`);
          assert.ok(!ids.has(i.id as string), `${file}: duplicate filestream id ${i.id}`);
          ids.add(i.id as string);
        }
      }
    });
  }
});

describe('kibana.yml and elasticsearch.yml', () => {
  test('Kibana: kibana_system, the three encryption keys from the environment, publicBaseUrl', () => {
    const k = yamlFile('kibana/config/kibana.yml');
    assert.equal(k['elasticsearch.username'], 'kibana_system');
    assert.equal(k['elasticsearch.password'], envRef('KIBANA_SYSTEM_PASSWORD'));
    assert.equal(
      k['xpack.encryptedSavedObjects.encryptionKey'],
      envRef('KIBANA_ENCRYPTED_SAVED_OBJECTS_KEY'),
    );
    assert.equal(k['xpack.security.encryptionKey'], envRef('KIBANA_SECURITY_KEY'));
    assert.equal(k['xpack.reporting.encryptionKey'], envRef('KIBANA_REPORTING_KEY'));
    assert.equal(k['server.publicBaseUrl'], envRef('KIBANA_PUBLIC_BASE_URL'));
  });

  test('Elasticsearch: single node, security on, memory lock', () => {
    const e = yamlFile('elasticsearch/config/elasticsearch.yml');
    assert.equal(e['discovery.type'], 'single-node');
    assert.equal(e['xpack.security.enabled'], true);
    assert.equal(e['bootstrap.memory_lock'], true);
  });
});

describe('setup/setup.sh', () => {
  const src = readFileSync(join(REPO_ROOT, 'setup/setup.sh'), 'utf8');

  test('bash -n: the script parses', () => {
    const r = spawnSync('bash', ['-n', join(REPO_ROOT, 'setup/setup.sh')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  /** The role bodies exactly as the script sends them (single-quoted JSON after `PUT /_security/role/<name>`). */
  const roles = new Map<
    string,
    { cluster: string[]; indices: Array<{ names: string[]; privileges: string[] }> }
  >();
  for (const m of src.matchAll(/PUT \/_security\/role\/([a-z_]+) '(\{[\s\S]*?\})'\n/g)) {
    roles.set(m[1]!, JSON.parse(m[2]!));
  }

  test('least-privilege writer roles: create_doc + auto_configure on their own data streams only', () => {
    const fb = roles.get('crumbtrail_filebeat_writer');
    assert.ok(fb, 'crumbtrail_filebeat_writer not found');
    assert.ok(fb.cluster.includes('monitor'));
    assert.ok(fb.indices.every((i) => i.names.every((n) => n.startsWith('logs-crumbtrail.'))));
    assert.ok(fb.indices.some((i) => i.names.includes('logs-crumbtrail.app-*')));
    const an = roles.get('crumbtrail_analyzer_writer');
    assert.ok(an, 'crumbtrail_analyzer_writer not found');
    assert.deepEqual(an.indices[0]?.names, ['logs-crumbtrail.breadcrumbs-*', 'logs-crumbtrail.anomalies-*']);
    // The analyzer reads its own streams too (the resend check across a rollover); Filebeat only writes.
    for (const i of fb.indices) assert.deepEqual([...i.privileges].sort(), ['auto_configure', 'create_doc']);
    for (const i of an.indices)
      assert.deepEqual([...i.privileges].sort(), ['auto_configure', 'create_doc', 'read']);
    for (const role of [fb, an]) {
      assert.ok(
        !role.cluster.some((c) => c === 'all' || c.startsWith('manage')),
        JSON.stringify(role.cluster),
      );
    }
    assert.ok(roles.get('crumbtrail_provisioner'), 'crumbtrail_provisioner not found');
  });

  test('users with the fixed names, and kibana_system password', () => {
    for (const u of ['filebeat_writer', 'analyzer_writer', 'provisioner'])
      assert.match(src, new RegExp(`^user ${u} `, 'm'));
    assert.match(src, /\/_security\/user\/kibana_system\/_password/);
  });
});

describe('demo/replay.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-demo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const at = new Date(Date.UTC(2026, 10, 21, 9, 8, 7, 6));

  test('moves the leading timestamp to now and leaves continuation lines alone', () => {
    assert.equal(formatSeedTimestamp(at), '[2026-11-21 09:08:07.006]');
    assert.equal(
      retimestamp('[2010-05-06 14:32:05.123] CRITICAL - [exchange-gateway] halted', at),
      '[2026-11-21 09:08:07.006] CRITICAL - [exchange-gateway] halted',
    );
    assert.equal(
      retimestamp('    at Engine.match (engine.js:1:1)', at),
      '    at Engine.match (engine.js:1:1)',
    );
  });

  test('replays every line newline-terminated; a bad pace is one clear error', async () => {
    const source = join(dir, 'sample.log');
    writeFileSync(
      source,
      '[2010-05-06 14:32:05.123] INFO - [a] one\n  continued\n[2010-05-06 14:32:06.000] CRITICAL - [b] two\n',
    );
    const out = join(dir, 'out.log');
    const opts = parseReplayOptions(['--source', source, '--out', out, '--lines-per-second', '1000'], {});
    assert.equal(await replayOnce(opts, () => at), 3);
    assert.equal(
      readFileSync(out, 'utf8'),
      '[2026-11-21 09:08:07.006] INFO - [a] one\n  continued\n[2026-11-21 09:08:07.006] CRITICAL - [b] two\n',
    );
    assert.throws(
      () => parseReplayOptions([], { DEMO_LINES_PER_SECOND: 'fast' }),
      /lines per second must be a positive number/,
    );
  });
});

describe('docs/troubleshooting.md matches what the config does', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/troubleshooting.md'), 'utf8');
  const headings = doc.split('\n').filter((l) => l.startsWith('## '));
  test('single-node discovery: vm.max_map_count and memlock are warnings, not an exit or an unhealthy node', () => {
    assert.match(
      readFileSync(join(REPO_ROOT, 'elasticsearch/config/elasticsearch.yml'), 'utf8'),
      /^discovery\.type: single-node$/m,
    );
    for (const h of headings) {
      if (/max_map_count|memory locking/.test(h)) assert.doesNotMatch(h, /exits|unhealthy/, h);
    }
    assert.ok(
      headings.some((h) => /warns .*vm\.max_map_count/.test(h)),
      headings.join('\n'),
    );
  });
});
