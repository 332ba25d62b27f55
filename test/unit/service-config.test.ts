import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../analyzer/src/service/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function load(argv: string[], env: Record<string, string> = {}) {
  return loadConfig({ argv, env, cwd: dir });
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('service config', () => {
  test('defaults: port 9464, loopback host (the image opts in to 0.0.0.0 via CRUMBTRAIL_HOST)', () => {
    const c = load(['--glob', '/var/log/*.log']);
    assert.equal(c.port, 9464);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(load(['--glob', '/x.log'], { CRUMBTRAIL_HOST: '0.0.0.0' }).host, '0.0.0.0');
    assert.deepEqual(c.globs, ['/var/log/*.log']);
    assert.equal(c.stateDir, join(dir, '.crumbtrail/state'));
  });

  test('flags beat env beat file', () => {
    const file = join(dir, 'cfg.yml');
    writeFileSync(file, 'port: 1000\nhost: 10.0.0.1\nglobs: [/from/file.log]\ntrace: true\n');
    const c = load(['--config', file, '--port', '3000'], {
      CRUMBTRAIL_PORT: '2000',
      CRUMBTRAIL_HOST: '10.0.0.2',
    });
    assert.equal(c.port, 3000);
    assert.equal(c.host, '10.0.0.2');
    assert.deepEqual(c.globs, ['/from/file.log']);
    assert.equal(c.trace, true);
  });

  test('repeatable --glob/--file and comma-separated CRUMBTRAIL_GLOB', () => {
    assert.deepEqual(load(['--glob', '/a/*.log', '--file', '/b.log']).globs, ['/a/*.log', '/b.log']);
    assert.deepEqual(load([], { CRUMBTRAIL_GLOB: '/a.log, /b.log' }).globs, ['/a.log', '/b.log']);
  });

  test('a bad port names the flag and its source', () => {
    const e = configError(() => load(['--glob', '/x', '--port', 'abc']));
    assert.equal(e.key, '--port');
    assert.equal(e.source, 'flag');
    assert.match(e.message, /--port \(flag\).*integer/);
    const e2 = configError(() => load(['--glob', '/x'], { CRUMBTRAIL_PORT: '70000' }));
    assert.equal(e2.key, 'CRUMBTRAIL_PORT');
    assert.equal(e2.source, 'env');
    assert.match(e2.message, /out of range/);
  });

  test('a bad file value names the file key', () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'globs: [/x.log]\nship: everything\n');
    const e = configError(() => load(['--config', file]));
    assert.equal(e.key, 'ship');
    assert.equal(e.source, 'file');
    assert.match(e.message, /all\|breadcrumbs/);
  });

  test('unknown keys and flags are errors, not ignored', () => {
    const file = join(dir, 'unknown.yml');
    writeFileSync(file, 'globs: [/x.log]\nprot: 80\n');
    assert.equal(configError(() => load(['--config', file])).key, 'prot');
    assert.equal(configError(() => load(['--glob', '/x', '--prot', '80'])).key, '--prot');
  });

  test('nothing to follow is an error naming --glob', () => {
    const e = configError(() => load([]));
    assert.equal(e.key, '--glob');
    assert.match(e.message, /nothing to follow/);
  });

  test('a missing or broken config file is named', () => {
    const e = configError(() => load(['--config', join(dir, 'nope.yml')]));
    assert.equal(e.key, '--config');
    assert.match(e.message, /cannot read/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "port": ');
    assert.match(configError(() => load(['--config', broken])).message, /not valid YAML\/JSON/);
  });

  test('pipeline section: order and names are validated', () => {
    const file = join(dir, 'pipe.yml');
    writeFileSync(file, 'globs: [/x.log]\npipeline:\n  stages: [classify, parse]\n');
    const e = configError(() => load(['--config', file]));
    assert.equal(e.key, 'pipeline.stages');
    writeFileSync(file, 'globs: [/x.log]\npipeline:\n  stages: [parse, bogus, classify]\n');
    assert.match(configError(() => load(['--config', file])).message, /unknown stage "bogus"/);
    writeFileSync(
      file,
      'globs: [/x.log]\npipeline:\n  stages: [parse, classify]\n  multiline: false\n  classify: { rules: r.yml }\n',
    );
    const c = load(['--config', file]);
    assert.deepEqual(c.pipeline.stages, ['parse', 'classify']);
    assert.equal(c.pipeline.multiline, false);
    assert.equal(c.pipeline.rules, 'r.yml');
  });

  test('booleans: --trace, --no-dashboard, env yes/no; a bad boolean is named', () => {
    const c = load(['--glob', '/x', '--trace', '--no-dashboard']);
    assert.equal(c.trace, true);
    assert.equal(c.dashboard, false);
    assert.equal(load(['--glob', '/x'], { CRUMBTRAIL_TRACE: 'yes' }).trace, true);
    assert.equal(
      configError(() => load(['--glob', '/x'], { CRUMBTRAIL_TRACE: 'maybe' })).key,
      'CRUMBTRAIL_TRACE',
    );
  });

  test('a flag without its value is named', () => {
    assert.equal(configError(() => load(['--glob', '/x', '--port'])).key, '--port');
  });
});
