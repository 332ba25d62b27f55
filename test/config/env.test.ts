// .env.example, `npm run secrets` (scripts/gen-env.ts over scripts/lib/env-file.ts) and setup/setup.sh's
// secret checks (run for real with bash, --check-only: no Elasticsearch needed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  fillSecrets,
  parseEnvFile,
  SECRET_NAME,
  SECRET_VARIABLES,
  writeEnvFromExample,
} from '../../scripts/lib/env-file.ts';
import { REPO_ROOT } from '../helpers/native-stack.ts';

const EXAMPLE = join(REPO_ROOT, '.env.example');
const example = parseEnvFile(readFileSync(EXAMPLE, 'utf8'), '.env.example');
const value = (name: string) => example.entries.find((e) => e.name === name)?.value;

describe('.env.example', () => {
  test('pins the kit versions', () => {
    assert.equal(value('ELASTIC_VERSION'), '9.5.1');
    assert.equal(value('PROMETHEUS_VERSION'), 'v3.14.0');
    assert.equal(value('ALERTMANAGER_VERSION'), 'v0.34.0');
    assert.equal(value('GRAFANA_VERSION'), '13.2.0');
  });

  test('every secret is present and EMPTY; every secret-looking name is a known secret', () => {
    for (const name of Object.keys(SECRET_VARIABLES)) assert.equal(value(name), '', `${name} must be empty`);
    for (const e of example.entries) {
      if (SECRET_NAME.test(e.name))
        assert.ok(SECRET_VARIABLES[e.name], `${e.name} looks secret but is not listed`);
    }
  });

  test('every variable is documented and defined once', () => {
    const seen = new Set<string>();
    for (const e of example.entries) {
      assert.ok(!seen.has(e.name), `${e.name} defined twice`);
      seen.add(e.name);
      assert.ok(e.doc.length > 0, `${e.name} (line ${e.line}) has no comment`);
    }
  });

  test('a malformed line is one clear error with its line number', () => {
    assert.throws(() => parseEnvFile('A=1\nnot a line\n', 'x.env'), /x\.env:2: expected KEY=value/);
  });
});

describe('npm run secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-env-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('fills every empty secret with distinct strong values and keeps the rest verbatim', () => {
    const { text, filled } = fillSecrets(example);
    assert.deepEqual([...filled].sort(), Object.keys(SECRET_VARIABLES).sort());
    const out = parseEnvFile(text);
    const values = Object.keys(SECRET_VARIABLES).map((n) => out.entries.find((e) => e.name === n)!.value);
    assert.equal(new Set(values).size, values.length, 'secrets must differ');
    for (const v of values) assert.ok(v.length >= 32, `secret too short: ${v.length}`);
    assert.equal(out.entries.find((e) => e.name === 'ES_HEAP')?.value, value('ES_HEAP'));
    assert.equal(out.lines.length, example.lines.length, 'comments and layout kept');
  });

  test('writes mode 600, refuses to overwrite without --force', async () => {
    const outPath = join(dir, 'a.env');
    await writeEnvFromExample({ examplePath: EXAMPLE, outPath, force: false });
    assert.equal(statSync(outPath).mode & 0o777, 0o600);
    const first = readFileSync(outPath, 'utf8');
    await assert.rejects(
      writeEnvFromExample({ examplePath: EXAMPLE, outPath, force: false }),
      /already exists/,
    );
    assert.equal(readFileSync(outPath, 'utf8'), first);
    await writeEnvFromExample({ examplePath: EXAMPLE, outPath, force: true });
    assert.notEqual(readFileSync(outPath, 'utf8'), first);
  });

  test('the script prints which variables it filled, never a value', () => {
    const outPath = join(dir, 'b.env');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts/gen-env.ts'), '--out', outPath],
      {
        encoding: 'utf8',
        cwd: REPO_ROOT,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ELASTIC_PASSWORD/);
    const written = parseEnvFile(readFileSync(outPath, 'utf8'));
    for (const n of Object.keys(SECRET_VARIABLES)) {
      const v = written.entries.find((e) => e.name === n)!.value;
      assert.ok(!r.stdout.includes(v) && !r.stderr.includes(v), `${n}'s value was printed`);
    }
    const again = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts/gen-env.ts'), '--out', outPath],
      {
        encoding: 'utf8',
        cwd: REPO_ROOT,
      },
    );
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /already exists.*--force/s);
  });
});

describe('setup/setup.sh refuses weak secrets (bash, --check-only)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-setup-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const good = parseEnvFile(fillSecrets(example).text);
  const goodEnv: Record<string, string> = {};
  for (const e of good.entries) goodEnv[e.name] = e.value;

  function check(overrides: Record<string, string>): { code: number; out: string } {
    const r = spawnSync('bash', [join(REPO_ROOT, 'setup/setup.sh'), '--check-only'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...goodEnv, ...overrides },
    });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
  }

  test('generated secrets pass', () => {
    const r = check({});
    assert.equal(r.code, 0, r.out);
  });

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['empty password', { FILEBEAT_WRITER_PASSWORD: '' }, /FILEBEAT_WRITER_PASSWORD is empty/],
    ['known default', { ELASTIC_PASSWORD: 'changeme' }, /ELASTIC_PASSWORD is a well-known default/],
    [
      'known default, any case',
      { GRAFANA_READER_PASSWORD: 'Admin' },
      /GRAFANA_READER_PASSWORD is a well-known default/,
    ],
    [
      'short Kibana key',
      { KIBANA_SECURITY_KEY: 'x'.repeat(31) },
      /KIBANA_SECURITY_KEY is 31 characters; it needs at least 32/,
    ],
  ];
  for (const [what, env, message] of cases) {
    test(`${what}: one clear message naming the variable, non-zero exit`, () => {
      const r = check(env);
      assert.notEqual(r.code, 0);
      assert.match(r.out, message);
      assert.equal(r.out.trim().split('\n').length, 1, r.out);
    });
  }

  test('a value with quotes and backslashes is JSON-escaped in request bodies', () => {
    // The json_string helper is what puts passwords into ES request bodies.
    const script = join(dir, 'probe.sh');
    const src = readFileSync(join(REPO_ROOT, 'setup/setup.sh'), 'utf8');
    const helper = /json_string\(\) \{[\s\S]*?\n\}/.exec(src)?.[0];
    assert.ok(helper, 'json_string() not found in setup.sh');
    writeFileSync(script, `${helper}\njson_string "$1"\n`);
    const tricky = 'a"b\\c';
    const r = spawnSync('bash', [script, tricky], { encoding: 'utf8' });
    assert.equal(JSON.parse(r.stdout), tricky);
  });
});
