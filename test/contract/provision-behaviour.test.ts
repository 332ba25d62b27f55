// Provisioner behaviour against recording stand-ins: idempotency, --dry-run, licence branching, errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { provisionAgainst, StackStandIn } from '../helpers/recording-standin.ts';

const SECRET_ENV = { ALERT_WEBHOOK_CRITICAL_URL: 'http://127.0.0.1:9/hook-secret-path' };
const nonReloadWrites = (s: StackStandIn) => s.writes().filter((w) => w.path !== '/-/reload');

describe('provision against stand-ins', () => {
  let stack: StackStandIn;
  before(async () => {
    stack = await new StackStandIn().start();
  });
  after(async () => {
    await stack.stop();
  });

  test('--dry-run prints the plan and sends no writes', async () => {
    const run = await provisionAgainst(stack, ['--dry-run'], SECRET_ENV);
    assert.equal(run.exitCode, 0, run.output);
    assert.deepEqual(
      stack.writes().map((w) => `${w.method} ${w.path}`),
      [],
    );
    assert.match(run.output, /crumbtrail-logs\s+would create/);
    assert.match(run.output, /dry run: \d+ changes planned, no writes sent/);
    assert.ok(run.changes > 10);
  });

  test('first run creates, second run reports 0 changes and writes nothing', async () => {
    stack.clearRecords();
    const first = await provisionAgainst(stack, [], SECRET_ENV);
    assert.equal(first.exitCode, 0, first.output);
    assert.ok(first.changes >= 15, first.output);
    assert.ok(nonReloadWrites(stack).length >= 15);
    stack.clearRecords();
    const second = await provisionAgainst(stack, [], SECRET_ENV);
    assert.equal(second.exitCode, 0, second.output);
    assert.equal(second.changes, 0, second.output);
    assert.deepEqual(
      nonReloadWrites(stack).map((w) => `${w.method} ${w.path}`),
      [],
    );
    assert.match(second.output, /provision: 0 changes/);
  });

  test('a drifted object is detected and updated, nothing else', async () => {
    stack.kibana.connectors.get('crumbtrail-alerts-history')!.name = 'renamed by hand';
    stack.clearRecords();
    const run = await provisionAgainst(stack, ['--only', 'kibana'], SECRET_ENV);
    assert.equal(run.changes, 1, run.output);
    assert.deepEqual(
      stack.writes().map((w) => `${w.method} ${w.path}`),
      ['PUT /api/actions/connector/crumbtrail-alerts-history'],
    );
  });

  test('basic licence: watches skipped with one line, webhook connector skipped', async () => {
    const s = await new StackStandIn().start();
    try {
      s.es.license = { type: 'basic', status: 'active' };
      const run = await provisionAgainst(s, [], SECRET_ENV);
      assert.equal(run.exitCode, 0, run.output);
      const lines = run.output.split('\n').filter((l) => /skipped \d+ watches/.test(l));
      assert.equal(lines.length, 1, run.output);
      assert.match(lines[0]!, /basic licence.*Kibana .es-query rules/);
      assert.equal(s.es.writes().filter((w) => w.path.startsWith('/_watcher')).length, 0);
      assert.equal(s.kibana.connectors.has('crumbtrail-webhook-critical'), false);
      const rule = s.kibana.rules.get('crumbtrail-critical-any')!;
      assert.ok((rule.actions as { id: string }[]).every((a) => a.id !== 'crumbtrail-webhook-critical'));
    } finally {
      await s.stop();
    }
  });

  test('trial licence: watches put and the webhook connector wired into rules', async () => {
    const s = await new StackStandIn().start();
    try {
      s.es.license = { type: 'trial', status: 'active' };
      const run = await provisionAgainst(s, [], SECRET_ENV);
      assert.equal(run.exitCode, 0, run.output);
      assert.equal(s.es.watches.size, 3);
      assert.ok(
        s.es.watches.size > 0 && [...s.es.watches.keys()].includes('crumbtrail-critical-error-detected'),
      );
      assert.equal(s.kibana.connectors.get('crumbtrail-webhook-critical')?.connector_type_id, '.webhook');
      const rule = s.kibana.rules.get('crumbtrail-critical-any')!;
      assert.ok((rule.actions as { id: string }[]).some((a) => a.id === 'crumbtrail-webhook-critical'));
      assert.ok(!run.output.includes('hook-secret-path'), 'webhook URL (a secret) must not be printed');
    } finally {
      await s.stop();
    }
  });

  test('webhook connector without its URL env is skipped with a hint', async () => {
    const s = await new StackStandIn().start();
    try {
      s.es.license = { type: 'trial', status: 'active' };
      const run = await provisionAgainst(s, ['--only', 'es,kibana']);
      assert.match(run.output, /crumbtrail-webhook-critical\s+skipped\s+\(set ALERT_WEBHOOK_CRITICAL_URL/);
    } finally {
      await s.stop();
    }
  });

  test('file-provisioned Grafana datasource is reported and left alone', async () => {
    const s = await new StackStandIn().start();
    try {
      s.grafana.addFileProvisionedDatasource('crumbtrail-prometheus', 'prometheus');
      const run = await provisionAgainst(s, ['--only', 'grafana']);
      assert.match(
        run.output,
        /crumbtrail-prometheus\s+managed-elsewhere\s+\(managed by file provisioning, unchanged\)/,
      );
      assert.ok(!s.grafana.writes().some((w) => w.path.includes('crumbtrail-prometheus')));
    } finally {
      await s.stop();
    }
  });

  test('Prometheus without --web.enable-lifecycle: reload 403 is explained, not fatal', async () => {
    const s = await new StackStandIn().start();
    try {
      s.prometheus.lifecycleEnabled = false;
      const run = await provisionAgainst(s, ['--only', 'prometheus']);
      assert.equal(run.exitCode, 0, run.output);
      assert.match(run.output, /--web\.enable-lifecycle/);
    } finally {
      await s.stop();
    }
  });
});

describe('provision errors', () => {
  test('401 names the credential, never prints the password, exits non-zero', async () => {
    const s = await new StackStandIn().start();
    try {
      s.kibana.forceStatus = 401;
      const run = await provisionAgainst(s, ['--only', 'kibana'], {
        KIBANA_USERNAME: 'kuser',
        KIBANA_PASSWORD: 'kibana-pass-123',
      });
      assert.equal(run.exitCode, 1);
      assert.match(
        run.output,
        /Kibana rejected the credentials KIBANA_USERNAME\/KIBANA_PASSWORD \(user kuser\) \(401/,
      );
      assert.ok(!run.output.includes('kibana-pass-123'));
      assert.ok(!run.output.includes('standin-es-secret'));
    } finally {
      await s.stop();
    }
  });

  test('403 from Elasticsearch names the credential and exits non-zero', async () => {
    const s = await new StackStandIn().start();
    try {
      s.es.forceStatus = 403;
      const run = await provisionAgainst(s, ['--only', 'es']);
      assert.equal(run.exitCode, 1);
      assert.match(run.output, /ES_USERNAME\/ES_PASSWORD \(user provisioner\) is not allowed to/);
    } finally {
      await s.stop();
    }
  });

  test('unreachable service names the URL and the variable to set', async () => {
    const s = await new StackStandIn().start();
    const url = s.grafana.url;
    await s.grafana.stop();
    try {
      const run = await provisionAgainst(s, ['--only', 'grafana'], { GRAFANA_URL: url });
      assert.equal(run.exitCode, 1);
      assert.match(
        run.output,
        new RegExp(`Grafana unreachable at ${url.replace(/[.]/g, '\\.')}.*set GRAFANA_URL`),
      );
    } finally {
      await s.stop();
    }
  });

  test('Elasticsearch older than 8.x is refused with the version', async () => {
    const s = await new StackStandIn().start();
    try {
      s.es.version = '7.17.9';
      const run = await provisionAgainst(s, ['--only', 'es']);
      assert.equal(run.exitCode, 1);
      assert.match(run.output, /Elasticsearch 7\.17\.9 is too old/);
      assert.equal(s.es.writes().length, 0);
    } finally {
      await s.stop();
    }
  });
});
