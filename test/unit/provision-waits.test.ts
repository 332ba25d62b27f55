// `npm run provision` with nothing running: one clear message and exit 1 at once (dry run: first refusal;
// any run: --wait 0), never minutes of "waiting" lines. `--help` exits 0. Bounded by the test timeout, not
// by a timing assertion: the old sequential waits took 180 s per service.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { WaitBoard } from '../../provision/wait.ts';
import { runCli } from '../helpers/cli.ts';

/** A loopback port nothing listens on (bound once, then closed). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function nothingRunning(): Promise<Record<string, string>> {
  const url = async () => `http://127.0.0.1:${await closedPort()}`;
  return {
    ES_URL: await url(),
    KIBANA_URL: await url(),
    GRAFANA_URL: await url(),
    PROMETHEUS_URL: await url(),
  };
}

describe('provision waits', () => {
  test('--dry-run with nothing running: one message naming every URL, exit 1, no waiting lines', {
    timeout: 60_000,
  }, async () => {
    const env = await nothingRunning();
    const r = await runCli('scripts/provision.ts', ['--dry-run'], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    const messages = out.split('\n').filter((l) => l.startsWith('provision: nothing answers at'));
    assert.equal(messages.length, 1, out);
    for (const v of ['ES_URL', 'KIBANA_URL', 'GRAFANA_URL', 'PROMETHEUS_URL'])
      assert.match(messages[0]!, new RegExp(v));
    assert.match(messages[0]!, /docker compose up -d --wait/);
    assert.doesNotMatch(out, /waiting/);
    assert.doesNotMatch(out, /FAILED/);
  });

  test('--wait 0 (not a dry run): tries once, same message', { timeout: 60_000 }, async () => {
    const env = await nothingRunning();
    const r = await runCli('scripts/provision.ts', ['--wait', '0'], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^provision: nothing answers at /m);
  });

  test('--help prints the usage on stdout and exits 0, with the real default', async () => {
    const r = await runCli('scripts/provision.ts', ['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--wait 180s/);
    assert.match(r.stdout, /default 180s/);
    assert.equal(r.stderr, '');
  });

  test('parallel waits share one progress line, printed at most every 10 s, plus a closing one', () => {
    let now = 0;
    const printed: string[] = [];
    const board = new WaitBoard((l) => printed.push(l), 180_000, { now: () => now });
    for (let t = 0; t <= 30_000; t += 2000) {
      now = t;
      board.update('Elasticsearch', t < 20_000 ? 'cluster status red' : 'ready after 20s');
      board.update('Kibana', 'status degraded');
    }
    board.done();
    assert.equal(printed.length, 4, printed.join('\n'));
    assert.match(
      printed.at(-1)!,
      /^waiting 30s\/180s: Elasticsearch ready after 20s · Kibana status degraded$/,
    );
  });
});
