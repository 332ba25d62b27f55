// The real service (real tailer, parser, classifier, metrics) following a temp glob on 127.0.0.1.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  cleanup,
  getJson,
  lineCounts,
  type StatsView,
  startService,
  sum,
  tempDir,
  until,
  writeLines,
} from './service-harness.ts';

after(cleanup);

function checkpointOffsets(stateDir: string): number[] {
  const doc = JSON.parse(readFileSync(join(stateDir, 'checkpoints.json'), 'utf8')) as {
    files: Record<string, { offset: number }>;
  };
  return Object.values(doc.files).map((f) => f.offset);
}

describe('analyzer service (live)', { timeout: 180_000 }, () => {
  test('counters match the file; 50 concurrent scrapes while ingesting all succeed; SIGTERM exits 0 at the end of the file', async () => {
    const dir = tempDir('ct-live-');
    const file = join(dir, 'app.log');
    const truth = writeLines(file, 30_000, 8);
    const saved = join(dir, 'metrics.json');
    const svc = await startService([
      '--glob',
      join(dir, '*.log'),
      '--state-dir',
      join(dir, 'state'),
      '--save-metrics',
      saved,
      '--no-anomalies',
    ]);
    // Live tailing: more lines arrive while the service runs.
    for (const [k, v] of writeLines(file, 10_000, 8, 30_000)) truth.set(k, (truth.get(k) ?? 0) + v);
    const total = sum(truth);

    let scrapes = 0;
    for (let wave = 0; wave < 4; wave++) {
      const replies = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`${svc.url}/metrics`).then(async (r) => [r.status, await r.text()] as const),
        ),
      );
      for (const [status, body] of replies) {
        assert.equal(status, 200);
        assert.match(body, /^# HELP crumbtrail_log_lines_total/m);
      }
      scrapes += replies.length;
    }
    assert.equal(scrapes, 200);

    await until(
      'all lines counted',
      async () => (await getJson<StatsView>(`${svc.url}/stats`)).totals.events === total,
    );
    const counts = lineCounts(await (await fetch(`${svc.url}/metrics`)).text());
    assert.deepEqual(new Map([...counts].sort()), new Map([...truth].sort()));

    const ready = await fetch(`${svc.url}/readyz`);
    assert.equal(ready.status, 200, await ready.text());

    svc.child.kill('SIGTERM');
    assert.equal(await svc.exited, 0, svc.stderr());
    assert.deepEqual(checkpointOffsets(join(dir, 'state')), [statSync(file).size]);
    const snap = JSON.parse(readFileSync(saved, 'utf8')) as { totals: { events: number } };
    assert.equal(snap.totals.events, total);
  });

  test('kill -9, then restart: counts over both runs sum to the line count (none twice, none skipped)', async () => {
    const dir = tempDir('ct-kill-');
    const file = join(dir, 'app.log');
    const state = join(dir, 'state');
    const args = ['--glob', join(dir, '*.log'), '--state-dir', state, '--no-anomalies'];
    const first = writeLines(file, 20_000, 5);
    const a = await startService(args);
    // Wait until everything is counted AND checkpointed, read the counters, then kill without any shutdown.
    await until('first run counted and checkpointed', async () => {
      const s = await getJson<StatsView>(`${a.url}/stats`);
      return s.totals.events === sum(first) && s.files[0]?.persistedOffset === statSync(file).size;
    });
    const before = lineCounts(await (await fetch(`${a.url}/metrics`)).text());
    a.child.kill('SIGKILL');
    await a.exited;

    const second = writeLines(file, 7_000, 5, 20_000);
    const b = await startService(args);
    await until(
      'second run counted',
      async () => (await getJson<StatsView>(`${b.url}/stats`)).totals.events >= sum(second),
    );
    await new Promise((r) => setTimeout(r, 500)); // anything double-counted would show up by now
    const afterCounts = lineCounts(await (await fetch(`${b.url}/metrics`)).text());
    assert.equal(sum(afterCounts), sum(second), 'the second run counts only the new lines');
    const combined = new Map(before);
    for (const [k, v] of afterCounts) combined.set(k, (combined.get(k) ?? 0) + v);
    const expected = new Map(first);
    for (const [k, v] of second) expected.set(k, (expected.get(k) ?? 0) + v);
    assert.deepEqual(new Map([...combined].sort()), new Map([...expected].sort()));
    b.child.kill('SIGTERM');
    assert.equal(await b.exited, 0, b.stderr());
  });

  test('cardinality cap: 60 components become 50 series plus other', async () => {
    const dir = tempDir('ct-cap-');
    const file = join(dir, 'app.log');
    writeLines(file, 600, 60);
    const svc = await startService([
      '--glob',
      join(dir, '*.log'),
      '--state-dir',
      join(dir, 'state'),
      '--no-anomalies',
    ]);
    await until(
      'all lines counted',
      async () => (await getJson<StatsView>(`${svc.url}/stats`)).totals.events === 600,
    );
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const components = new Set([...lineCounts(text).keys()].map((k) => k.split(' ')[1]));
    assert.equal(components.size, 51);
    assert.ok(components.has('other'));
    assert.match(text, /^crumbtrail_label_cap\{label="component"\} 50$/m);
    assert.equal(sum(lineCounts(text)), 600);
    svc.child.kill('SIGTERM');
    assert.equal(await svc.exited, 0, svc.stderr());
  });

  test('a bad config value stops the process with exit 2 and one line naming the key', async () => {
    const dir = tempDir('ct-bad-');
    await assert.rejects(
      startService(['--glob', join(dir, '*.log'), '--state-dir', dir, '--ship', 'nowhere']),
      (err: Error) => {
        assert.match(err.message, /exited 2/);
        assert.match(err.message, /--ship \(flag\)/);
        return true;
      },
    );
  });
});
