import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../../analyzer/src/anomaly/eval/prng.ts';
import { QuantileSketch, weightedPercentile } from '../../analyzer/src/anomaly/sketch.ts';
import { RunningStats } from '../../analyzer/src/anomaly/stats.ts';

function naive(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  return { mean, sd: Math.sqrt(v) };
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('RunningStats', () => {
  test('mean and σ match a two-pass computation, even around a large offset', () => {
    const rng = new Rng(1);
    for (const offset of [0, 1e9]) {
      const xs = Array.from({ length: 5000 }, () => offset + rng.normal(10, 3));
      const r = new RunningStats();
      for (const x of xs) r.push(x);
      const n = naive(xs);
      assert.equal(r.n, xs.length);
      assert.ok(
        Math.abs(r.mean - n.mean) < 1e-6 * Math.max(1, Math.abs(n.mean)),
        `mean ${r.mean} vs ${n.mean}`,
      );
      assert.ok(Math.abs(r.sd - n.sd) < 1e-6, `sd ${r.sd} vs ${n.sd} at offset ${offset}`);
    }
  });

  test('merging partial states equals pushing everything into one', () => {
    const rng = new Rng(2);
    const xs = Array.from({ length: 3000 }, () => rng.poisson(rng.uniform(0, 20)));
    const parts = [new RunningStats(), new RunningStats(), new RunningStats(), new RunningStats()];
    xs.forEach((x, i) => {
      parts[i % 7 === 0 ? 0 : i < 1000 ? 1 : i < 2999 ? 2 : 3]!.push(x);
    });
    const merged = new RunningStats();
    for (const p of parts) merged.merge(RunningStats.from(p.toJSON()));
    merged.merge(new RunningStats());
    const whole = new RunningStats();
    for (const x of xs) whole.push(x);
    assert.equal(merged.n, whole.n);
    assert.ok(Math.abs(merged.mean - whole.mean) < 1e-9);
    assert.ok(Math.abs(merged.variance - whole.variance) < 1e-9);
    assert.ok(Math.abs(merged.sum - xs.reduce((s, x) => s + x, 0)) < 1e-6);
    assert.ok(Math.abs(merged.sumSquares - xs.reduce((s, x) => s + x * x, 0)) < 1e-3);
  });

  test('empty and single-value states have zero σ, not NaN', () => {
    const r = new RunningStats();
    assert.equal(r.sd, 0);
    r.push(5);
    assert.equal(r.sd, 0);
    assert.equal(r.mean, 5);
  });
});

describe('QuantileSketch', () => {
  test('every quantile is within the relative error bound alpha', () => {
    const rng = new Rng(3);
    const alpha = 0.01;
    const k = new QuantileSketch(alpha);
    const xs = Array.from({ length: 20_000 }, () => Math.exp(rng.normal(4, 1.5)));
    for (const x of xs) k.add(x);
    const sorted = [...xs].sort((a, b) => a - b);
    for (const q of [0, 0.01, 0.1, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1]) {
      const exact = exactQuantile(sorted, q);
      const got = k.quantile(q);
      assert.ok(Math.abs(got - exact) <= alpha * exact + 1e-12, `q${q}: ${got} vs ${exact}`);
    }
  });

  test('zeros and negative values are kept; merge equals one sketch of everything', () => {
    const rng = new Rng(4);
    const a = new QuantileSketch(0.02);
    const b = new QuantileSketch(0.02);
    const all = new QuantileSketch(0.02);
    const xs = Array.from({ length: 4000 }, () => Math.round(rng.normal(0, 10)));
    xs.forEach((x, i) => {
      (i % 2 ? a : b).add(x);
      all.add(x);
    });
    a.merge(b);
    assert.equal(a.count, xs.length);
    for (const q of [0.05, 0.25, 0.5, 0.75, 0.95]) assert.equal(a.quantile(q), all.quantile(q));
    const sorted = [...xs].sort((x, y) => x - y);
    for (const q of [0.05, 0.5, 0.95]) {
      const exact = exactQuantile(sorted, q);
      assert.ok(Math.abs(a.quantile(q) - exact) <= 0.02 * Math.abs(exact) + 1e-12, `q${q}`);
    }
    const round = QuantileSketch.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    assert.equal(round.count, a.count);
    assert.equal(round.quantile(0.9), a.quantile(0.9));
  });

  test('stays bounded: the bin count never exceeds maxBins and the high tail stays accurate', () => {
    const k = new QuantileSketch(0.01, 64);
    const xs: number[] = [];
    for (let i = 1; i <= 50_000; i++) xs.push(i * 0.37);
    for (const x of xs) k.add(x);
    assert.ok(k.bins <= 64, `bins ${k.bins}`);
    const sorted = [...xs].sort((a, b) => a - b);
    const exact = exactQuantile(sorted, 0.99);
    assert.ok(Math.abs(k.quantile(0.99) - exact) <= 0.01 * exact);
  });

  test('weightedPercentile walks cumulative weight', () => {
    assert.equal(
      weightedPercentile(
        [
          [1, 80],
          [2, 10],
          [3, 9],
          [10, 1],
        ],
        80,
      ),
      1,
    );
    assert.equal(
      weightedPercentile(
        [
          [1, 80],
          [2, 10],
          [3, 9],
          [10, 1],
        ],
        90,
      ),
      2,
    );
    assert.equal(
      weightedPercentile(
        [
          [1, 80],
          [2, 10],
          [3, 9],
          [10, 1],
        ],
        99.9,
      ),
      10,
    );
    assert.ok(Number.isNaN(weightedPercentile([], 50)));
  });
});
