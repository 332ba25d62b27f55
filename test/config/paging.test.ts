// What pages, end to end through the real metric code and the real rules: the analyzer's own AnalyzerMetrics
// observes minutes of log traffic, each minute's /metrics exposition becomes a promtool input series, and
// promtool evaluates every rule file against it. The hand-written tests in prometheus/tests/ cannot catch a
// counter that counts more than its alert says (ERROR counted as critical): this one reads what the analyzer
// really exports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import type { Level } from '../../analyzer/src/core/types.ts';
import { AnalyzerMetrics } from '../../analyzer/src/metrics/analyzer-metrics.ts';
import { classifiedEvent } from '../helpers/classified-event.ts';
import { findBinary, REPO_ROOT } from '../helpers/native-stack.ts';
import { skipOrFail } from '../helpers/skip.ts';

const promtool = findBinary('promtool');
const skip = promtool ? false : skipOrFail('promtool not on PATH (Debian package prometheus)');

const RULES_DIR = join(REPO_ROOT, 'prometheus/rules');
const ruleFiles = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(RULES_DIR, f));
const criticalAlerts = ruleFiles.flatMap((f) =>
  (
    parse(readFileSync(f, 'utf8')) as {
      groups: Array<{ rules: Array<{ alert?: string; labels?: Record<string, string> }> }>;
    }
  ).groups.flatMap((g) =>
    g.rules.filter((r) => r.alert && r.labels?.severity === 'critical').map((r) => r.alert as string),
  ),
);

const event = (level: Level) => classifiedEvent(level, 'gateway');

const MINUTES = 15;
const LABELS = 'job="crumbtrail-analyzer",instance="analyzer:9464"';

/**
 * One promtool input series per crumbtrail_* sample the analyzer exported, one value per simulated minute
 * (`_` before a series first appears). `traffic(minute)` says which levels are observed in that minute.
 */
async function seriesFromAnalyzer(
  traffic: (minute: number) => Level[],
): Promise<Array<{ series: string; values: string }>> {
  const m = new AnalyzerMetrics({ defaultMetrics: false });
  const bySeries = new Map<string, string[]>();
  for (let minute = 0; minute < MINUTES; minute++) {
    for (const level of traffic(minute)) m.observe(event(level));
    const text = await m.exposition();
    for (const line of text.split('\n')) {
      const s = /^(crumbtrail_[a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (!s) continue;
      const [, name, labels, value] = s;
      const key = `${name}{${[LABELS, labels].filter(Boolean).join(',')}}`;
      const values = bySeries.get(key) ?? Array<string>(minute).fill('_');
      values.push(value!);
      bySeries.set(key, values);
    }
  }
  return [...bySeries].map(([series, values]) => ({ series, values: values.join(' ') }));
}

const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-paging-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** promtool test rules on the given series, expecting no critical alert at any minute. */
async function expectNoPage(
  name: string,
  traffic: (minute: number) => Level[],
): Promise<{ code: number; out: string }> {
  const evalTimes = Array.from({ length: MINUTES - 1 }, (_, i) => `${i + 1}m`);
  const doc = {
    rule_files: ruleFiles,
    evaluation_interval: '1m',
    tests: [
      {
        name,
        interval: '1m',
        input_series: await seriesFromAnalyzer(traffic),
        alert_rule_test: evalTimes.flatMap((eval_time) =>
          criticalAlerts.map((alertname) => ({ eval_time, alertname, exp_alerts: [] })),
        ),
      },
    ],
  };
  const file = join(dir, `${name.replace(/\W+/g, '-')}.yml`);
  writeFileSync(file, stringify(doc));
  const r = spawnSync(promtool!, ['test', 'rules', file], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** 200 INFO lines a minute, plus `extra` from minute 3 on. */
const normalPlus =
  (extra: Level[]) =>
  (minute: number): Level[] => [...Array<Level>(200).fill('INFO'), ...(minute >= 3 ? extra : [])];

describe('paging semantics through the real analyzer metrics and the real rules (promtool)', { skip }, () => {
  test('there are critical alerts to check', () => {
    assert.ok(criticalAlerts.includes('CrumbtrailCriticalBreadcrumbs'), criticalAlerts.join(', '));
  });

  test('ERROR lines among normal traffic page nobody (they are chat material)', async () => {
    const r = await expectNoPage('error lines do not page', normalPlus(['ERROR']));
    assert.equal(r.code, 0, `an ERROR line paged:\n${r.out}`);
  });

  test('an ERROR-only series (a quiet service: one ERROR a minute, nothing else) pages nobody', async () => {
    const r = await expectNoPage('error-only series does not page', () => ['ERROR']);
    assert.equal(r.code, 0, `an ERROR-only series paged:\n${r.out}`);
  });

  test('a CRITICAL line does page (the harness can see a page)', async () => {
    const r = await expectNoPage('a critical line pages', normalPlus(['CRITICAL']));
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /alertname: CrumbtrailCriticalBreadcrumbs/);
  });

  test('a FATAL line pages too', async () => {
    const r = await expectNoPage('a fatal line pages', normalPlus(['FATAL']));
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /alertname: CrumbtrailCriticalBreadcrumbs/);
  });
});
