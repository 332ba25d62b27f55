// Prometheus config, rules and rule unit tests, checked by the real promtool (Debian 2.42 in CI; the files
// also suit the pinned v3 image: no 3.x-only keys). Plus our own promises: every alert has a promtool test,
// a runbook, the routing/ownership labels, and only names metric families the analyzer exports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { findBinary, REPO_ROOT, unknownMetrics } from '../helpers/native-stack.ts';
import { skipOrFail } from '../helpers/skip.ts';

const PROM_DIR = join(REPO_ROOT, 'prometheus');
const promtool = findBinary('promtool');
const skip = promtool
  ? false
  : skipOrFail('prometheus config: promtool not on PATH (Debian package prometheus)');

const ruleFiles = readdirSync(join(PROM_DIR, 'rules'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(PROM_DIR, 'rules', f));
const testFiles = readdirSync(join(PROM_DIR, 'tests'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(PROM_DIR, 'tests', f));

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules: Rule[] = ruleFiles.flatMap((f) =>
  (parse(readFileSync(f, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules),
);
const alerts = rules.filter((r): r is Rule & { alert: string } => typeof r.alert === 'string');

function run(args: string[]): { code: number; out: string } {
  const r = spawnSync(promtool!, args, { encoding: 'utf8', cwd: REPO_ROOT, timeout: 120_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

describe('promtool (real binary)', { skip }, () => {
  test('promtool check config prometheus/prometheus.yml (also loads the rule files)', () => {
    const r = run(['check', 'config', join(PROM_DIR, 'prometheus.yml')]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS/);
  });

  test('promtool check rules prometheus/rules/*.yml', () => {
    const r = run(['check', 'rules', ...ruleFiles]);
    assert.equal(r.code, 0, r.out);
  });

  test('promtool test rules prometheus/tests/*.yml', () => {
    const r = run(['test', 'rules', ...testFiles]);
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /FAILED/);
  });
});

describe('alert rules keep their promises', () => {
  test('there are alerts to check', () => {
    assert.ok(alerts.length >= 10, `only ${alerts.length} alerts found in ${ruleFiles.join(', ')}`);
  });

  const testedAlertnames = new Set<string>();
  const firingTested = new Set<string>();
  const silentTested = new Set<string>();
  for (const f of testFiles) {
    const doc = parse(readFileSync(f, 'utf8')) as {
      tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
    };
    for (const t of doc.tests) {
      for (const a of t.alert_rule_test ?? []) {
        testedAlertnames.add(a.alertname);
        if ((a.exp_alerts ?? []).length > 0) firingTested.add(a.alertname);
        else silentTested.add(a.alertname);
      }
    }
  }

  for (const a of alerts) {
    test(`${a.alert}: has a promtool test that fires it and one that keeps it silent`, () => {
      assert.ok(
        firingTested.has(a.alert),
        `no promtool test expects ${a.alert} to fire (prometheus/tests/*.yml)`,
      );
      assert.ok(silentTested.has(a.alert), `no promtool test expects ${a.alert} to stay silent`);
    });

    test(`${a.alert}: severity, team, summary, description, runbook that exists`, () => {
      assert.match(a.labels?.severity ?? '', /^(critical|warning)$/, 'labels.severity');
      assert.ok(a.labels?.team, 'labels.team');
      assert.ok(a.annotations?.summary, 'annotations.summary');
      assert.ok(a.annotations?.description, 'annotations.description');
      const url = a.annotations?.runbook_url ?? '';
      assert.ok(
        url.endsWith(`docs/runbooks/${a.alert}.md`),
        `runbook_url ${url} must end docs/runbooks/${a.alert}.md`,
      );
      const runbook = join(REPO_ROOT, 'docs/runbooks', `${a.alert}.md`);
      assert.ok(existsSync(runbook), `missing runbook ${runbook}`);
      const text = readFileSync(runbook, 'utf8');
      for (const section of ['What it means', 'How to confirm', 'What to do']) {
        assert.ok(text.includes(section), `${runbook} lacks a '${section}' section`);
      }
    });
  }

  test('every test names an alert that exists (no stale tests)', () => {
    const names = new Set(alerts.map((a) => a.alert));
    for (const t of testedAlertnames) assert.ok(names.has(t), `promtool test for unknown alert ${t}`);
  });

  test('every rule only uses metric families the analyzer exports', () => {
    for (const r of rules) {
      assert.deepEqual(unknownMetrics(r.expr), [], `${r.alert ?? r.record}: unknown metric in ${r.expr}`);
    }
  });

  test('no 3.x-only keys that Debian promtool 2.42 rejects', () => {
    for (const f of [...ruleFiles, join(PROM_DIR, 'prometheus.yml')]) {
      const text = readFileSync(f, 'utf8');
      assert.doesNotMatch(text, /^\s*(query_offset|fallback_scrape_protocol)\s*:/m, f);
    }
  });

  test('the analyzer is scraped as job crumbtrail-analyzer and alerts go to alertmanager', () => {
    const cfg = parse(readFileSync(join(PROM_DIR, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string }>;
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    };
    const jobs = cfg.scrape_configs.map((s) => s.job_name);
    for (const j of ['crumbtrail-analyzer', 'prometheus', 'alertmanager']) assert.ok(jobs.includes(j), j);
    assert.deepEqual(cfg.alerting.alertmanagers[0]?.static_configs[0]?.targets, ['alertmanager:9093']);
  });
});
