// Mutating and costly endpoints need the token (issue 14, finding 8): POST /api/alerts (the Alertmanager
// webhook), POST /api/monitor/recalculate (rate-limited) and /api/monitor/analyze. Reads stay open.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { defaultAnomalyConfig } from '../../analyzer/src/anomaly/config.ts';
import { AnomalyMonitor } from '../../analyzer/src/anomaly/monitor.ts';
import { anomalyRoutes } from '../../analyzer/src/anomaly/routes.ts';
import { writeAuthorizer } from '../../analyzer/src/service/auth.ts';
import { standInService } from '../helpers/service-standin.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-auth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'test-token-0123456789abcdef';
const ALERT = JSON.stringify({
  version: '4',
  status: 'firing',
  alerts: [{ status: 'firing', labels: { alertname: 'X' } }],
});

describe('tokens on mutating endpoints', () => {
  test('with a token: the webhook and the monitor refuse without it, accept with it; reads stay open', async () => {
    const monitor = new AnomalyMonitor({
      config: defaultAnomalyConfig({ dbPath: join(dir, 'a.sqlite'), recalcAtUtc: null }),
    });
    const { svc } = standInService(
      dir,
      [],
      [],
      { mounted: [anomalyRoutes(monitor)] },
      { CRUMBTRAIL_API_TOKEN: TOKEN },
    );
    const addr = await svc.start();
    const base = `http://127.0.0.1:${addr.port}`;
    const post = (path: string, token?: string, body = ALERT) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      });
    try {
      assert.equal((await post('/api/alerts')).status, 401);
      assert.equal((await post('/api/alerts', 'wrong-token-0123456789abcd')).status, 401);
      assert.equal((await post('/api/monitor/recalculate')).status, 401);
      assert.equal((await post('/api/monitor/analyze', undefined, '{"anomalyId":"x"}')).status, 401);
      assert.equal(svc.alerts.count, 0);
      const ok = await post('/api/alerts', TOKEN);
      assert.equal(ok.status, 200, await ok.text());
      assert.equal(svc.alerts.count, 1);
      assert.equal((await post('/api/monitor/recalculate', TOKEN)).status, 200);
      const again = await post('/api/monitor/recalculate', TOKEN);
      assert.equal(again.status, 429, 'rate-limited');
      assert.ok(Number(again.headers.get('retry-after')) > 0);
      for (const path of ['/metrics', '/readyz', '/api/alerts', '/api/monitor/status'])
        assert.notEqual((await fetch(`${base}${path}`)).status, 401, path);
    } finally {
      await svc.stop();
      monitor.close();
    }
  });

  test('without a token: writes only on a loopback bind', () => {
    const req = (method: string) => ({ method, headers: {} }) as IncomingMessage;
    assert.equal(writeAuthorizer(null, '127.0.0.1')(req('POST')), null);
    const refused = writeAuthorizer(null, '0.0.0.0')(req('POST'));
    assert.equal(refused?.status, 403);
    assert.match(String(refused?.body), /CRUMBTRAIL_API_TOKEN_FILE/);
    assert.equal(writeAuthorizer(null, '0.0.0.0')(req('GET')), null);
  });
});
