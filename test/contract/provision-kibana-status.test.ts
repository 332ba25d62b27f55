// Kibana readiness: provisioning waits for what it needs (core, alerting, actions), not for the plugin-inclusive
// overall level: one unrelated plugin stuck `degraded` must not block provisioning (and with it Filebeat and the
// analyzer, which wait for provision).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { kibanaReadiness } from '../../provision/kibana.ts';
import { provisionAgainst, StackStandIn } from '../helpers/recording-standin.ts';

const statusWith = (plugins: Record<string, string>, overall = 'degraded') => ({
  overall: { level: overall },
  core: { elasticsearch: { level: 'available' }, savedObjects: { level: 'available' } },
  plugins: Object.fromEntries(Object.entries(plugins).map(([n, level]) => [n, { level }])),
});

describe('Kibana readiness', () => {
  test('overall degraded by a plugin provisioning does not use: ready, and says which', () => {
    const p = kibanaReadiness(
      { status: statusWith({ alerting: 'available', actions: 'available', fleet: 'degraded' }) },
      200,
    );
    assert.equal(p.ready, true, p.detail);
    assert.match(p.detail, /not needed here: fleet degraded/);
  });

  test('alerting or actions degraded, or core unavailable: not ready, named', () => {
    const p = kibanaReadiness({ status: statusWith({ alerting: 'degraded', actions: 'available' }) }, 200);
    assert.equal(p.ready, false);
    assert.match(p.detail, /alerting degraded/);
    const s = statusWith({ alerting: 'available', actions: 'available' }, 'unavailable');
    s.core.savedObjects.level = 'unavailable';
    assert.match(kibanaReadiness({ status: s }, 503).detail, /savedObjects unavailable/);
  });

  test('a redacted answer (overall only) still needs overall available', () => {
    assert.equal(kibanaReadiness({ status: { overall: { level: 'degraded' } } }, 200).ready, false);
    assert.equal(kibanaReadiness({ status: { overall: { level: 'available' } } }, 200).ready, true);
  });

  describe('provision against the stand-ins', () => {
    let stack: StackStandIn;
    before(async () => {
      stack = await new StackStandIn().start();
    });
    after(async () => {
      await stack.stop();
    });

    test('a degraded unrelated plugin: Kibana is provisioned', async () => {
      stack.kibana.status = statusWith({ alerting: 'available', actions: 'available', fleet: 'degraded' });
      const run = await provisionAgainst(stack, ['--only', 'kibana']);
      assert.equal(run.exitCode, 0, run.output);
      assert.match(run.output, /crumbtrail-critical-any/);
    });

    test('alerting degraded: provisioning waits, then fails naming it', async () => {
      stack.kibana.status = statusWith({ alerting: 'degraded', actions: 'available' });
      const run = await provisionAgainst(stack, ['--only', 'kibana', '--wait', '0']);
      assert.equal(run.exitCode, 1, run.output);
      assert.match(run.output, /Kibana at .* not healthy after 0s: status degraded: alerting degraded/);
    });
  });
});
