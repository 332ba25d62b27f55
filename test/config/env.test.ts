// .env.example, `npm run secrets` (scripts/gen-env.ts over scripts/lib/env-file.ts) and setup/setup.sh's
// secret checks (run for real with bash, --check-only: no Elasticsearch needed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  fillSecrets,
  KNOWN_DEFAULTS,
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

  test('a new .env: mode 600; --force replaces every secret', async () => {
    const outPath = join(dir, 'a.env');
    const r = await writeEnvFromExample({ examplePath: EXAMPLE, outPath, force: false });
    assert.equal(r.action, 'created');
    assert.equal(statSync(outPath).mode & 0o777, 0o600);
    const first = readFileSync(outPath, 'utf8');
    await writeEnvFromExample({ examplePath: EXAMPLE, outPath, force: true });
    assert.notEqual(readFileSync(outPath, 'utf8'), first);
  });

  const secrets = (file: string): Record<string, string> =>
    Object.fromEntries(parseEnvFile(readFileSync(file, 'utf8')).entries.map((e) => [e.name, e.value]));
  const script = (outPath: string) =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts/gen-env.ts'), '--out', outPath],
      {
        encoding: 'utf8',
        cwd: REPO_ROOT,
      },
    );

  test('the documented bootstrap: cp .env.example .env && npm run secrets fills it in place, exit 0', () => {
    const outPath = join(dir, 'copied.env');
    copyFileSync(EXAMPLE, outPath);
    chmodSync(outPath, 0o644);
    const r = script(outPath);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /filled in .*ELASTIC_PASSWORD/);
    const got = secrets(outPath);
    for (const n of Object.keys(SECRET_VARIABLES)) assert.ok((got[n] ?? '').length >= 32, `${n} not filled`);
    assert.equal(statSync(outPath).mode & 0o777, 0o600, 'tightened to 600');
    // Only the secret lines changed: comments and settings are byte for byte the example's.
    const before = readFileSync(EXAMPLE, 'utf8').split('\n');
    const after = readFileSync(outPath, 'utf8').split('\n');
    assert.equal(after.length, before.length);
    after.forEach((line, i) => {
      if (line !== before[i])
        assert.ok(SECRET_VARIABLES[line.split('=')[0]!], `line ${i + 1} changed: ${line}`);
    });
    // A rerun has nothing to do: exit 0, file untouched.
    const again = script(outPath);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /nothing to do/);
    assert.deepEqual(secrets(outPath), got);
  });

  test('in place: a set secret is kept, a default or missing one is filled, a short one is refused', () => {
    const outPath = join(dir, 'partial.env');
    const text = readFileSync(EXAMPLE, 'utf8')
      .replace(/^ELASTIC_PASSWORD=$/m, 'ELASTIC_PASSWORD=operator-chosen-passphrase')
      .replace(/^KIBANA_SYSTEM_PASSWORD=$/m, 'KIBANA_SYSTEM_PASSWORD=changeme')
      .replace(/^GRAFANA_READER_PASSWORD=$/m, 'GRAFANA_READER_PASSWORD=short')
      .replace(/^# Kibana xpack.reporting.encryptionKey.*\nKIBANA_REPORTING_KEY=\n/m, '');
    writeFileSync(outPath, text);
    const r = script(outPath);
    assert.equal(r.status, 1, 'a secret setup would refuse is an error');
    assert.match(r.stderr, /GRAFANA_READER_PASSWORD .* is 5 characters; setup needs at least 12/);
    const got = secrets(outPath);
    assert.equal(got.ELASTIC_PASSWORD, 'operator-chosen-passphrase');
    assert.equal(got.GRAFANA_READER_PASSWORD, 'short');
    assert.notEqual(got.KIBANA_SYSTEM_PASSWORD, 'changeme');
    assert.ok((got.KIBANA_REPORTING_KEY ?? '').length >= 32, 'missing key appended');
    for (const n of Object.keys(SECRET_VARIABLES)) {
      const v = got[n]!;
      assert.ok(
        (!r.stdout.includes(v) && !r.stderr.includes(v)) || v === 'short',
        `${n}'s value was printed`,
      );
    }
  });

  test('the script prints which variables it filled, never a value', () => {
    const outPath = join(dir, 'b.env');
    const r = script(outPath);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ELASTIC_PASSWORD/);
    const written = secrets(outPath);
    for (const n of Object.keys(SECRET_VARIABLES)) {
      const v = written[n]!;
      assert.ok(!r.stdout.includes(v) && !r.stderr.includes(v), `${n}'s value was printed`);
    }
  });

  test('every document gives the same bootstrap: cp .env.example .env && npm run secrets', () => {
    for (const doc of ['README.md', 'docker-compose.yml', '.env.example', 'docs/troubleshooting.md']) {
      assert.match(
        readFileSync(join(REPO_ROOT, doc), 'utf8'),
        /cp \.env\.example \.env && npm run secrets/,
        doc,
      );
    }
    const wf = readFileSync(join(REPO_ROOT, '.github/workflows/stack.yml'), 'utf8');
    assert.match(wf, /cp \.env\.example \.env\n\s*npm run secrets\n/);
  });

  test('the defaults refused by setup.sh and the ones secrets replaces are the same list', () => {
    const src = readFileSync(join(REPO_ROOT, 'setup/setup.sh'), 'utf8');
    const list = /KNOWN_DEFAULTS=\(([^)]*)\)/.exec(src)?.[1];
    assert.ok(list, 'KNOWN_DEFAULTS not found in setup.sh');
    assert.deepEqual(list.split(/\s+/).filter(Boolean), [...KNOWN_DEFAULTS]);
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
    // Grafana ignores an empty GF_SECURITY_ADMIN_PASSWORD and keeps admin/admin.
    ['empty Grafana admin password', { GRAFANA_ADMIN_PASSWORD: '' }, /GRAFANA_ADMIN_PASSWORD is empty/],
    [
      'default Grafana admin password',
      { GRAFANA_ADMIN_PASSWORD: 'admin' },
      /GRAFANA_ADMIN_PASSWORD is a well-known default/,
    ],
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

  test('secrets given as <NAME>_FILE (Compose secrets) are read from the file and checked the same way', () => {
    const file = join(dir, 'es-pw');
    writeFileSync(file, goodEnv.ELASTIC_PASSWORD!);
    const ok = check({ ELASTIC_PASSWORD: '', ELASTIC_PASSWORD_FILE: file });
    assert.equal(ok.code, 0, ok.out);
    writeFileSync(file, 'changeme');
    const bad = check({ ELASTIC_PASSWORD: '', ELASTIC_PASSWORD_FILE: file });
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /ELASTIC_PASSWORD is a well-known default/);
    const missing = check({ ELASTIC_PASSWORD_FILE: join(dir, 'nope') });
    assert.match(missing.out, /ELASTIC_PASSWORD_FILE points at .*nope, which cannot be read/);
  });

  test("Kibana space privileges are the space ones (space_all/space_read), never the global 'all'", () => {
    const src = readFileSync(join(REPO_ROOT, 'setup/setup.sh'), 'utf8');
    const grants = [
      ...src.matchAll(
        /"application": "kibana-\.kibana", "privileges": \[([^\]]*)\], "resources": \[([^\]]*)\]/g,
      ),
    ];
    assert.ok(grants.length > 0, 'no Kibana application privileges found in setup.sh');
    for (const [, privileges, resources] of grants) {
      if (!/"space:/.test(resources!)) continue;
      for (const p of JSON.parse(`[${privileges}]`) as string[])
        assert.match(p, /^space_(all|read)$/, `${p} on ${resources}`);
    }
  });

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
