import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { groupingAccuracy } from '../../analyzer/src/templates/eval/grouping.ts';
import { tokenize } from '../../analyzer/src/templates/mask.ts';
import { TemplateMiner, templateId } from '../../analyzer/src/templates/miner.ts';

describe('masks', () => {
  test('numbers, ids, IPs, hex, paths, UUIDs, durations become typed masks; punctuation stays', () => {
    assert.deepEqual(
      tokenize(
        'took 12ms from 10.0.0.7:8080 for /var/log/app.log (id=9f0c2a1e-3b4d-4c5e-8f60-718293a4b5c6) blk_-1608 0x1f, retry 3 deadbeefcafe',
      ),
      [
        'took',
        '<DUR>',
        'from',
        '<IP>',
        'for',
        '<PATH>',
        '(id=<UUID>)',
        '<ID>',
        '<HEX>,',
        'retry',
        '<NUM>',
        '<HEX>',
      ],
    );
    assert.deepEqual(tokenize('  connection   refused '), ['connection', 'refused']);
  });
});

describe('template miner', () => {
  test('messages of one shape share a cluster; the template generalises and keeps its id', () => {
    const m = new TemplateMiner();
    const a = m.add('session opened for alice from web after 3 attempts');
    const b = m.add('session opened for bob from web after 5 attempts');
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(b.cluster, a.cluster);
    assert.equal(a.cluster.template, 'session opened for <*> from web after <NUM> attempts');
    assert.equal(a.cluster.id, templateId('session opened for alice from web after <NUM> attempts'));
    assert.equal(a.cluster.generalised, 1);
    const c = m.add('disk full on volume data');
    assert.notEqual(c.cluster, a.cluster);
    assert.equal(m.stats().clusters, 2);
    assert.equal(a.cluster.count, 2);
  });

  test('ids are stable across runs over the same input', () => {
    const lines = ['job 1 started', 'job 2 started', 'job 7 failed: timeout', 'cache warm'];
    const ids = () => {
      const m = new TemplateMiner();
      return lines.map((l) => m.add(l).cluster.id);
    };
    assert.deepEqual(ids(), ids());
  });

  test('caps bound memory and are counted', () => {
    const m = new TemplateMiner({ maxClusters: 3, maxClustersPerLeaf: 2, maxChildren: 2 });
    for (const w of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) m.add(`${w} one two three`);
    const s = m.stats();
    assert.ok(s.clusters <= 3, `clusters ${s.clusters}`);
    assert.ok(s.childCapRouted > 0, 'first tokens beyond maxChildren route to <*>');
    assert.ok(s.leafCapMerged + s.totalCapOverflow > 0, 'a full leaf or tree is counted');
    const long = m.add(Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '));
    assert.equal(long.cluster.tokens.length <= 81, true);
    assert.equal(m.stats().tokensCut, 1);
  });
});

describe('grouping accuracy', () => {
  test('a message counts only when its parsed group is exactly its true group', () => {
    // Truth: {0,1} A, {2} B, {3,4} C. Parsed: {0,1} x (right), {2,3} y (mixed), {4} z (part of C).
    assert.equal(groupingAccuracy(['A', 'A', 'B', 'C', 'C'], ['x', 'x', 'y', 'y', 'z']), 2 / 5);
    assert.equal(groupingAccuracy(['A', 'B'], ['1', '2']), 1);
  });
});
