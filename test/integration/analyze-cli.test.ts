import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const CLI = 'analyzer/src/cli/analyze.ts';
const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run analyze on the sample incident', () => {
  const out = join(dir, 'r');
  const run = runCli(CLI, ['samples/flash-crash.log', '--out', out]);

  test('exits 0 and prints the causal path with the story lead time', async () => {
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /lead time +13m 22s/,
      'lead time of the flash crash (14:32:05.120 → 14:45:27.900)',
    );
    assert.match(r.stdout, /order-router/, 'responsible component: the first signal');
    assert.match(r.stdout, /circuit breaker did not trip/);
    assert.match(r.stdout, /trading halted/);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour codes when NO_COLOR is set');
  });

  test('writes breadcrumbs.csv with incident ids, critical.csv, report.html and the SVG', async () => {
    await run;
    const csv = readFileSync(join(out, 'breadcrumbs.csv'), 'utf8').trim().split('\n');
    assert.match(csv[0]!, /incident/);
    assert.equal(csv.length - 1, 17, 'one row per breadcrumb (15 in the incident, 2 open signals)');
    assert.equal(csv.filter((l) => l.includes('INC-20100506-144527')).length, 15);
    const critical = readFileSync(join(out, 'critical.csv'), 'utf8').trim().split('\n');
    assert.equal(critical.length - 1, 7, 'every ERROR/CRITICAL event (6 ERROR + 1 CRITICAL)');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<html/);
    assert.doesNotMatch(
      html,
      /<script[^>]+src=|<link[^>]+href="http/,
      'self-contained: no external scripts or styles',
    );
    assert.match(readFileSync(join(out, 'critical-per-minute.svg'), 'utf8'), /<svg/);
  });
});

describe('other inputs', () => {
  test('stdin with -, JSON lines from a log it has never seen', async () => {
    const lines = [
      {
        '@timestamp': '2024-05-01T09:00:00Z',
        level: 'info',
        service: 'checkout',
        message: 'deployment started of checkout v42',
      },
      {
        '@timestamp': '2024-05-01T09:02:00Z',
        level: 'warn',
        service: 'payments',
        message: 'upstream slow latency_ms=1800',
      },
      {
        '@timestamp': '2024-05-01T09:03:00Z',
        level: 'error',
        service: 'payments',
        message: 'card processor refused connection',
      },
      { '@timestamp': '2024-05-01T09:04:30Z', level: 'fatal', service: 'checkout', message: 'worker exited' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const r = await runCli(CLI, ['-', '--out', join(dir, 'json'), '--json'], { input: lines });
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as {
      incidents: Array<{ leadTimeMs: number; responsible: string; breadcrumbs: unknown[] }>;
    };
    assert.equal(res.incidents.length, 1);
    assert.equal(res.incidents[0]!.leadTimeMs, 270_000);
    assert.equal(res.incidents[0]!.responsible, 'checkout');
    assert.equal(res.incidents[0]!.breadcrumbs.length, 4);
  });

  test('nothing parseable → exit 1 with a message', async () => {
    const f = join(dir, 'garbage.log');
    writeFileSync(f, 'just text\nmore text\n');
    const r = await runCli(CLI, [f, '--out', join(dir, 'g')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nothing parseable/);
  });
});

describe('bad input: one clear error and exit 2', () => {
  test('no arguments explains usage', async () => {
    const r = await runCli(CLI, []);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /usage: npm run analyze/);
  });
  test('missing file', async () => {
    const r = await runCli(CLI, ['nope.log']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read 'nope\.log': no such file/);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  });
  test('bad rules name the file and line', async () => {
    const f = join(dir, 'bad-rules.yml');
    writeFileSync(f, 'rules:\n  - id: x\n    category: nope\n    level: [ERROR]\n');
    const r = await runCli(CLI, ['samples/flash-crash.log', '--rules', f, '--out', join(dir, 'b')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${f}:3: rule 'x': 'category' must be one of`));
  });
  test('bad flag values', async () => {
    const a = await runCli(CLI, ['samples/flash-crash.log', '--lookback', 'soon']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /--lookback 'soon' is not a duration/);
    const b = await runCli(CLI, ['samples/flash-crash.log', '--frobnicate']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /frobnicate/);
  });
});
