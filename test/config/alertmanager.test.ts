// alertmanager.yml checked by the real amtool (Debian 0.25 in CI; the file also suits the pinned v0.34):
// check-config, then one `amtool config routes test --verify.receivers` per routing promise. The compose
// entrypoint that puts ALERT_WEBHOOK_*_URL into the config is run for real and its output re-checked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { findBinary, REPO_ROOT } from '../helpers/native-stack.ts';
import { skipOrFail } from '../helpers/skip.ts';

const CONFIG = join(REPO_ROOT, 'alertmanager/alertmanager.yml');
const ENTRYPOINT = join(REPO_ROOT, 'alertmanager/entrypoint.sh');
const amtool = findBinary('amtool');
const skip = amtool
  ? false
  : skipOrFail('alertmanager config: amtool not on PATH (Debian package prometheus-alertmanager)');

function amtoolRun(args: string[]): { code: number; out: string } {
  const r = spawnSync(amtool!, args, { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** The routing promises: labels of an alert -> receivers it must reach, in order. */
const ROUTES: Array<{ labels: string[]; receivers: string; why: string }> = [
  {
    labels: ['severity=critical', 'alertname=CrumbtrailCriticalBreadcrumbs'],
    receivers: 'paging,analyzer',
    why: 'critical pages',
  },
  {
    labels: ['severity=warning', 'alertname=CrumbtrailErrorRateSpike'],
    receivers: 'chat,analyzer',
    why: 'warning goes to chat',
  },
  {
    labels: ['severity=info', 'alertname=Something'],
    receivers: 'analyzer',
    why: 'anything else reaches the analyzer',
  },
  { labels: ['alertname=NoSeverity'], receivers: 'analyzer', why: 'no severity: default receiver' },
];

describe('amtool (real binary)', { skip }, () => {
  test('amtool check-config alertmanager/alertmanager.yml', () => {
    const r = amtoolRun(['check-config', CONFIG]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS/);
  });

  for (const route of ROUTES) {
    test(`routes: ${route.labels.join(' ')} -> ${route.receivers} (${route.why})`, () => {
      const r = amtoolRun([
        'config',
        'routes',
        'test',
        `--config.file=${CONFIG}`,
        `--verify.receivers=${route.receivers}`,
        ...route.labels,
      ]);
      assert.equal(r.code, 0, r.out);
      assert.equal(r.out.split('\n')[0]?.trim(), route.receivers, r.out);
    });
  }

  test('amtool itself rejects a wrong expectation (the route tests can fail)', () => {
    const r = amtoolRun([
      'config',
      'routes',
      'test',
      `--config.file=${CONFIG}`,
      '--verify.receivers=chat',
      'severity=critical',
    ]);
    assert.notEqual(r.code, 0, r.out);
  });
});

interface AlertmanagerConfig {
  route: { receiver: string; group_by: string[] };
  inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
  receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }>;
}

describe('alertmanager.yml promises', () => {
  const cfg = parse(readFileSync(CONFIG, 'utf8')) as AlertmanagerConfig;

  test('default receiver posts to the analyzer /api/alerts', () => {
    assert.equal(cfg.route.receiver, 'analyzer');
    const analyzer = cfg.receivers.find((r) => r.name === 'analyzer');
    assert.equal(analyzer?.webhook_configs?.[0]?.url, 'http://analyzer:9464/api/alerts');
  });

  test('warnings are inhibited by a critical with the same alertname, or the same component', () => {
    const equal = cfg.inhibit_rules.map((r) => r.equal.join(','));
    assert.ok(equal.includes('alertname'), JSON.stringify(cfg.inhibit_rules));
    assert.ok(equal.includes('component'), JSON.stringify(cfg.inhibit_rules));
    for (const r of cfg.inhibit_rules) {
      assert.deepEqual(r.source_matchers, ['severity="critical"']);
      assert.deepEqual(r.target_matchers, ['severity="warning"']);
    }
  });

  test('no url_file (amtool 0.25 rejects it); paging/chat URLs carry the entrypoint markers', () => {
    const text = readFileSync(CONFIG, 'utf8');
    assert.doesNotMatch(text, /^\s*url_file\s*:/m);
    assert.match(text, /url: \S+ # ALERT_WEBHOOK_CRITICAL_URL$/m);
    assert.match(text, /url: \S+ # ALERT_WEBHOOK_WARNING_URL$/m);
  });
});

describe('alertmanager/entrypoint.sh renders the webhook URLs from the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-am-render-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function render(env: Record<string, string>): { code: number; out: string; file: string } {
    const file = join(dir, `rendered-${Math.random().toString(36).slice(2)}.yml`);
    const r = spawnSync('sh', [ENTRYPOINT, '--render-only'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', AM_CONFIG_SRC: CONFIG, AM_CONFIG_OUT: file, ...env },
    });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, file };
  }

  test('set URLs replace the marked lines (query strings with & survive); the result is valid', () => {
    const r = render({
      ALERT_WEBHOOK_CRITICAL_URL: 'https://pager.example.com/hook?a=1&b=2',
      ALERT_WEBHOOK_WARNING_URL: 'https://chat.example.com/services/T0/B0',
    });
    assert.equal(r.code, 0, r.out);
    const out = parse(readFileSync(r.file, 'utf8')) as AlertmanagerConfig;
    const url = (name: string) => out.receivers.find((x) => x.name === name)?.webhook_configs?.[0]?.url;
    assert.equal(url('paging'), 'https://pager.example.com/hook?a=1&b=2');
    assert.equal(url('chat'), 'https://chat.example.com/services/T0/B0');
    assert.equal(url('analyzer'), 'http://analyzer:9464/api/alerts');
    if (amtool) {
      const c = amtoolRun(['check-config', r.file]);
      assert.equal(c.code, 0, c.out);
    }
  });

  test('unset URLs keep the analyzer default', () => {
    const r = render({});
    assert.equal(r.code, 0, r.out);
    assert.equal(readFileSync(r.file, 'utf8'), readFileSync(CONFIG, 'utf8'));
  });

  test("an invalid config stops with amtool's own FAILED reason (amtool prints it on stdout)", {
    skip: amtool ? false : skipOrFail('alertmanager entrypoint check: amtool not on PATH'),
  }, () => {
    const broken = join(dir, 'broken.yml');
    writeFileSync(broken, 'global:\n  resolve_timeout: 5m\nreceivers: []\n');
    const file = join(dir, 'broken-rendered.yml');
    const r = spawnSync('sh', [ENTRYPOINT, '--check-only'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', AM_CONFIG_SRC: broken, AM_CONFIG_OUT: file },
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /is invalid: FAILED: no routes? provided/);
  });

  test('a bad URL stops with one message naming the variable', () => {
    const r = render({ ALERT_WEBHOOK_WARNING_URL: 'hooks.example.com/x' });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /ALERT_WEBHOOK_WARNING_URL must start with http/);
  });
});
