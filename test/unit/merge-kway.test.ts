import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyze } from '../../analyzer/src/analyze/run.ts';
import { mergeByTime } from '../../analyzer/src/merge/kway.ts';
import { loadRules } from '../../analyzer/src/rules/load.ts';

interface Ev {
  id: string;
  timestamp: number | null;
}

async function* batches(events: Ev[], size: number): AsyncGenerator<Ev[]> {
  for (let i = 0; i < events.length; i += size) yield events.slice(i, i + size);
  yield [];
}

const ev = (id: string, t: number | null): Ev => ({ id, timestamp: t });

async function merged(sources: { name: string; events: Ev[]; size?: number }[]): Promise<string[]> {
  const out: string[] = [];
  const src = sources.map((s) => ({ name: s.name, batches: batches(s.events, s.size ?? 2) }));
  for await (const b of mergeByTime(src, 3)) for (const e of b) out.push(e.id);
  return out;
}

describe('k-way merge by event time', () => {
  test('interleaves sources by time, whatever their order; equal times go to the path that sorts first', async () => {
    const a = { name: 'a.log', events: [ev('a1', 1), ev('a5', 5), ev('a6', 6), ev('a9', 9)] };
    const b = { name: 'b.log', events: [ev('b2', 2), ev('b5', 5), ev('b7', 7)], size: 1 };
    const c = { name: 'c.log', events: [ev('c0', 0), ev('c10', 10)], size: 5 };
    const want = ['c0', 'a1', 'b2', 'a5', 'b5', 'a6', 'b7', 'a9', 'c10'];
    assert.deepEqual(await merged([a, b, c]), want);
    assert.deepEqual(await merged([c, b, a]), want);
  });

  test('untimed events stay right after their timed neighbour; a source keeps its own order', async () => {
    const a = {
      name: 'a.log',
      events: [ev('a-banner', null), ev('a3', 3), ev('a-trace', null), ev('a1', 1)],
    };
    const b = { name: 'b.log', events: [ev('b2', 2), ev('b4', 4)] };
    // a's out-of-order a1 stays after a3 (within a source nothing moves); the banner sorts first.
    assert.deepEqual(await merged([b, a]), ['a-banner', 'b2', 'a3', 'a-trace', 'a1', 'b4']);
  });

  test('one source passes through unchanged, empty sources are skipped', async () => {
    const a = { name: 'a.log', events: [ev('x', 9), ev('y', 1)] };
    assert.deepEqual(await merged([a]), ['x', 'y']);
    assert.deepEqual(await merged([a, { name: 'e.log', events: [] }]), ['x', 'y']);
  });
});

describe('analyze over several files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'merge-'));
  // The case: b holds the signal (10:05) and the failure (10:10), a an error 15 minutes later.
  const b = join(dir, 'b.log');
  writeFileSync(
    b,
    [
      '[2026-03-02 10:00:00.000] INFO - [web] request handled',
      '[2026-03-02 10:05:00.000] WARN - [web] config reload applied feature flag on',
      '[2026-03-02 10:10:00.000] FATAL - [web] service crashed',
      '',
    ].join('\n'),
  );
  const a = join(dir, 'a.log');
  writeFileSync(
    a,
    [
      '[2026-03-02 09:59:00.000] INFO - [db] checkpoint complete',
      '[2026-03-02 10:25:00.000] ERROR - [db] replica not reachable',
      '',
    ].join('\n'),
  );

  test('the causal path is the same, and right, in either file order', async () => {
    const rules = loadRules();
    const paths = [];
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const data = await analyze(
        order.map((path) => ({ path })),
        { rules },
      );
      assert.equal(data.incidents.length, 1, 'one incident');
      const inc = data.incidents[0]!;
      paths.push({
        first: new Date(inc.firstSignal.event.timestamp!).toISOString(),
        failure: new Date(inc.failure.event.timestamp!).toISOString(),
        lead: inc.leadTimeMs,
        trail: inc.breadcrumbs.map((x) => x.event.message),
      });
      assert.equal(data.summary.events, 5);
    }
    assert.deepEqual(paths[0], paths[1]);
    assert.equal(paths[0]!.first, '2026-03-02T10:05:00.000Z');
    assert.equal(paths[0]!.failure, '2026-03-02T10:10:00.000Z');
    assert.equal(paths[0]!.lead, 5 * 60_000);
  });
});
