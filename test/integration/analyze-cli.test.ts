import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BaselineHistory } from '../../analyzer/src/anomaly/baseline.ts';
import { BucketClock } from '../../analyzer/src/anomaly/buckets.ts';
import { DEFAULT_MAPPING, defaultAnomalyConfig } from '../../analyzer/src/anomaly/config.ts';
import { AnomalyStore } from '../../analyzer/src/anomaly/store.ts';
import type { AnomalyFindings } from '../../analyzer/src/core/types.ts';
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

  test('anomalies: the summary line, anomalies.csv and the report section', async () => {
    const r = await run;
    assert.match(r.stdout, /\n {2}anomalies +\d+ +SEV1 \d+, .*baseline: this input\n/);
    const rows = readFileSync(join(out, 'anomalies.csv'), 'utf8').trim().split('\r\n');
    assert.equal(
      rows[0],
      'time,sev,series,value,mean,sigma,z,percentile,threshold,baseline,baseline_scope,fell_back,baseline_n',
    );
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.equal(
      (html.match(/<tr class="sev-row-/g) ?? []).length,
      rows.length - 1,
      'one table row per CSV row',
    );
    assert.match(html, /data-testid="anomaly-marker"/);
    assert.match(readFileSync(join(out, 'critical-per-minute.svg'), 'utf8'), /data-testid="anomaly-marker"/);
  });

  test('what the engine finds in the flash crash, baseline learned from the hour itself', async () => {
    const r = await runCli(CLI, ['samples/flash-crash.log', '--out', join(dir, 'fc-json'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const { anomalies } = JSON.parse(r.stdout) as { anomalies: AnomalyFindings };
    assert.equal(anomalies.baseline, 'input');
    assert.equal(anomalies.samplesDropped, 0);
    const at = (hhmm: string) => Date.parse(`2010-05-06T${hhmm}:00Z`);
    const find = (series: string, hhmm: string) =>
      anomalies.records.find((a) => a.series === series && a.at === at(hhmm));
    // 14:44: two executions at stub quotes (ACN, EXC at $0.01) in a series that is 0 the rest of the hour.
    const stub = find('pricing:errors', '14:44');
    assert.ok(stub, JSON.stringify(anomalies.records));
    assert.ok(stub.sev <= 2, `SEV${stub.sev}`);
    assert.equal(stub.value, 2);
    // 14:39: the market-data feed delayed 1900 ms against a p95 near 100 ms, the worst of the hour.
    const feed = find('market-data:latency_ms.p95', '14:39');
    assert.ok(feed);
    assert.equal(feed.sev, 1);
    assert.equal(anomalies.records[0], feed, 'worst first');
    // 14:45: the halt itself is one CRITICAL line: a single event, so only SEV5 against a quiet series.
    const halt = find('exchange-gateway:errors', '14:45');
    assert.ok(halt);
    assert.equal(halt.sev, 5);
    assert.ok(anomalies.records.every((a) => a.sev === 5 || a.at === at('14:39') || a.at === at('14:44')));
  });

  test('--no-anomalies skips the pass; --anomaly-db judges against a store, read-only', async () => {
    const off = join(dir, 'off');
    const a = await runCli(CLI, ['samples/flash-crash.log', '--out', off, '--no-anomalies']);
    assert.equal(a.code, 0, a.stderr);
    assert.doesNotMatch(a.stdout, /anomalies/);
    assert.ok(!existsSync(join(off, 'anomalies.csv')));
    assert.ok(!readFileSync(join(off, 'report.html'), 'utf8').includes('id="anomalies"'));

    const db = join(dir, 'anomalies.sqlite');
    const history = new BaselineHistory(new BucketClock('UTC'), 0.01, 1024);
    // Three days of one pricing error every minute at this hour: 2 at 14:44 is not unusual for this store.
    const day = Date.parse('2010-05-06T14:00:00Z');
    for (let d = 1; d <= 3; d++)
      for (let m = 0; m < 60; m++)
        history.add({
          series: 'pricing:errors',
          minute: day - d * 86_400_000 + m * 60_000,
          value: 1 + (m % 2),
        });
    const store = new AnomalyStore(db);
    store.replaceThresholds(
      [history.compute('pricing:errors', DEFAULT_MAPPING, defaultAnomalyConfig()).model],
      0,
    );
    store.close();
    const b = await runCli(CLI, [
      'samples/flash-crash.log',
      '--out',
      join(dir, 'db'),
      '--anomaly-db',
      db,
      '--json',
    ]);
    assert.equal(b.code, 0, b.stderr);
    const found = (JSON.parse(b.stdout) as { anomalies: AnomalyFindings }).anomalies;
    assert.equal(found.baseline, 'store');
    assert.equal(found.storePath, db);
    assert.ok(found.judged >= 50, `the pricing minutes were judged (${found.judged})`);
    assert.ok(
      found.records.every((x) => x.series === 'pricing:errors'),
      'only series the store knows',
    );
    assert.ok(!found.records.some((x) => x.at === Date.parse('2010-05-06T14:44:00Z')), '2 is normal there');

    const bad = await runCli(CLI, ['samples/flash-crash.log', '--anomaly-db', join(dir, 'nope.sqlite')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--anomaly-db '.*nope\.sqlite': cannot open read-only/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line');
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
