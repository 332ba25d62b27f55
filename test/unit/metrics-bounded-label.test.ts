import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BoundedLabel, OTHER } from '../../analyzer/src/metrics/bounded-label.ts';
import { SlidingWindowCounter } from '../../analyzer/src/metrics/sliding-window.ts';

describe('BoundedLabel', () => {
  test('admits values up to the cap, then folds the rest into other', () => {
    const l = new BoundedLabel('component', { cap: 3 });
    const ids = ['a', 'b', 'c', 'd', 'e', 'a'].map((v) => l.id(v));
    assert.deepEqual(
      ids.map((i) => l.name(i)),
      ['a', 'b', 'c', OTHER, OTHER, 'a'],
    );
    assert.equal(l.size, 3);
    assert.equal(l.foldedCount, 2);
  });

  test('allowlisted values keep their own id even when seen last', () => {
    const l = new BoundedLabel('component', { cap: 2, allow: ['payments'] });
    l.id('x');
    l.id('y');
    assert.equal(l.name(l.id('payments')), 'payments');
    assert.equal(l.name(l.id('y')), OTHER);
  });

  test('ids are small integers and the empty value has a readable name', () => {
    const l = new BoundedLabel('component', { cap: 50 });
    const id = l.id('');
    assert.ok(Number.isInteger(id) && id > 0 && id < 51);
    assert.equal(l.name(id), 'unknown');
  });

  test('a cap below 1 is refused', () => {
    assert.throws(() => new BoundedLabel('x', { cap: 0 }), /cap/);
  });
});

describe('SlidingWindowCounter (errors per minute)', () => {
  test('sums the last 60 seconds and forgets older buckets', () => {
    let now = 1_000_000_000_000;
    const w = new SlidingWindowCounter(60, () => now);
    w.add(5);
    now += 30_000;
    w.add(2);
    assert.equal(w.sum(), 7);
    now += 30_000; // the first add is now 60 s old: out of the window
    assert.equal(w.sum(), 2);
    now += 31_000;
    assert.equal(w.sum(), 0);
  });

  test('a bucket reused after wrapping around starts from zero', () => {
    let now = 1_000_000_000_000;
    const w = new SlidingWindowCounter(60, () => now);
    w.add(10);
    now += 120_000; // same ring slot, two windows later
    w.add(1);
    assert.equal(w.sum(), 1);
  });

  test('rate() is the per-second average over the window', () => {
    const now = 1_000_000_000_000;
    const w = new SlidingWindowCounter(10, () => now);
    w.add(50);
    assert.equal(w.rate(), 5);
  });
});
