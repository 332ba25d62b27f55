import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SeriesBaseline } from '../../analyzer/src/anomaly/baseline.ts';
import { BaselineHistory } from '../../analyzer/src/anomaly/baseline.ts';
import { BucketClock, refFromHourOfWeek } from '../../analyzer/src/anomaly/buckets.ts';
import { DEFAULT_MAPPING } from '../../analyzer/src/anomaly/config.ts';
import { chooseCell, Detector } from '../../analyzer/src/anomaly/detector.ts';
import { Rng } from '../../analyzer/src/anomaly/eval/prng.ts';
import { QuantileSketch } from '../../analyzer/src/anomaly/sketch.ts';
import { RunningStats } from '../../analyzer/src/anomaly/stats.ts';
import { computeCell, severityOf, validateMapping } from '../../analyzer/src/anomaly/thresholds.ts';
import type { BaselineCell } from '../../analyzer/src/anomaly/types.ts';

const guard = { minSigmaAbs: 0.5, minSigmaRel: 0.05 };

function cell(scope: BaselineCell['scope'], key: number, n: number, mean = 1): BaselineCell {
  return {
    scope,
    key,
    n,
    mean,
    sd: 1,
    p50: mean,
    p95: mean,
    zPercentiles: [1, 2, 3, 4, 5],
    sevThresholds: [2, 2.5, 3, 4, 5],
  };
}

function emptyModel(): SeriesBaseline {
  return {
    series: 's',
    bucket: new Array(168).fill(undefined),
    hour: new Array(24).fill(undefined),
    global: undefined,
  };
}

describe('threshold mapping', () => {
  test('|z| percentiles of history become SEV5…SEV1 thresholds, monotone and floored', () => {
    const st = new RunningStats();
    const sk = new QuantileSketch(0.01);
    const rng = new Rng(5);
    for (let i = 0; i < 20_000; i++) {
      const x = rng.normal(100, 10);
      st.push(x);
      sk.add(x);
    }
    const c = computeCell('bucket', 3, st, sk, DEFAULT_MAPPING, guard);
    // For a normal distribution: |z| p80 ≈ 1.28, p90 ≈ 1.64, p95 ≈ 1.96, p99 ≈ 2.58, p99.9 ≈ 3.29.
    const expected = [1.28, 1.64, 1.96, 2.58, 3.29];
    c.zPercentiles.forEach((z, i) => {
      assert.ok(Math.abs(z - expected[i]!) < 0.12, `p${DEFAULT_MAPPING.percentiles[i]}: ${z}`);
    });
    // Floors (2, 2.5, 3, 4, 5) win over these small learned values.
    assert.deepEqual(c.sevThresholds, [2, 2.5, 3, 4, 5]);
    for (let i = 1; i < 5; i++) assert.ok(c.sevThresholds[i]! >= c.sevThresholds[i - 1]!);
  });

  test('heavy-tailed history raises the thresholds above the floors', () => {
    const st = new RunningStats();
    const sk = new QuantileSketch(0.01);
    const rng = new Rng(6);
    for (let i = 0; i < 20_000; i++) {
      const x = rng.uniform() < 0.03 ? rng.normal(100, 80) : rng.normal(100, 5);
      st.push(x);
      sk.add(x);
    }
    const c = computeCell('global', 0, st, sk, DEFAULT_MAPPING, guard);
    assert.ok(
      c.sevThresholds[4]! > 5,
      `SEV1 threshold ${c.sevThresholds[4]} should be learned above the floor`,
    );
  });

  test('severityOf returns the worst severity crossed with its percentile', () => {
    const c = cell('bucket', 0, 500);
    assert.equal(severityOf(1.9, c, DEFAULT_MAPPING), null);
    assert.deepEqual(severityOf(2.0, c, DEFAULT_MAPPING), { sev: 5, percentile: 80, threshold: 2 });
    assert.deepEqual(severityOf(3.5, c, DEFAULT_MAPPING), { sev: 3, percentile: 95, threshold: 3 });
    assert.deepEqual(severityOf(50, c, DEFAULT_MAPPING), { sev: 1, percentile: 99.9, threshold: 5 });
  });

  test('a custom mapping is honoured and a bad one is refused', () => {
    const m = {
      percentiles: [90, 99],
      severities: [3, 1] as (1 | 3)[],
      floors: { 1: 4, 2: 0, 3: 2, 4: 0, 5: 0 },
    };
    validateMapping(m);
    const c: BaselineCell = { ...cell('bucket', 0, 500), sevThresholds: [2, 4] };
    assert.equal(severityOf(3, c, m)?.sev, 3);
    assert.equal(severityOf(4.1, c, m)?.sev, 1);
    assert.throws(() => validateMapping({ ...m, percentiles: [99, 90] }), /ascend/);
    assert.throws(() => validateMapping({ ...m, severities: [1, 3] }), /mild to worst/);
    assert.throws(() => validateMapping({ ...m, percentiles: [90] }), /same, non-zero length/);
  });
});

describe('fallback ladder', () => {
  const b = refFromHourOfWeek(3 * 24 + 14); // Wednesday 14:00
  test('bucket when it has enough samples', () => {
    const m = emptyModel();
    m.bucket[b.hourOfWeek] = cell('bucket', b.hourOfWeek, 200);
    m.hour[14] = cell('hour', 14, 1000);
    m.global = cell('global', 0, 9000);
    assert.deepEqual(chooseCell(m, b, 120), { cell: m.bucket[b.hourOfWeek], fellBack: false });
  });
  test('same hour any day when the bucket is thin, then global, then nothing', () => {
    const m = emptyModel();
    m.bucket[b.hourOfWeek] = cell('bucket', b.hourOfWeek, 60);
    m.hour[14] = cell('hour', 14, 300);
    m.global = cell('global', 0, 9000);
    assert.equal(chooseCell(m, b, 120)?.cell.scope, 'hour');
    assert.equal(chooseCell(m, b, 120)?.fellBack, true);
    m.hour[14] = cell('hour', 14, 100);
    assert.equal(chooseCell(m, b, 120)?.cell.scope, 'global');
    m.global = cell('global', 0, 100);
    assert.equal(chooseCell(m, b, 120), null);
  });
});

describe('detection against learned baselines', () => {
  const clock = new BucketClock('UTC');
  const start = Date.UTC(2025, 2, 3); // a Monday
  function trained(days: number): Detector {
    const h = new BaselineHistory(clock, 0.01, 1024);
    const rng = new Rng(9);
    for (let m = 0; m < days * 1440; m++) {
      const t = start + m * 60_000;
      const d = new Date(t);
      const busy = d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 9 && d.getUTCHours() < 17;
      h.add({ series: 'api:errors', minute: t, value: rng.poisson(busy ? 20 : 1) });
      h.add({ series: 'flat:warns', minute: t, value: 0 });
    }
    const det = new Detector(clock, { minSamples: 120, mapping: DEFAULT_MAPPING, ...guard });
    const models = new Map<string, SeriesBaseline>();
    for (const s of h.series()) models.set(s, h.compute(s, DEFAULT_MAPPING, guard).model);
    det.replace(models);
    return det;
  }
  const det = trained(21);
  const sunday3am = Date.UTC(2025, 2, 30, 3, 0);
  const tuesday11 = Date.UTC(2025, 2, 25, 11, 0);

  test('a busy-hour level at 3 a.m. on Sunday is an anomaly of its bucket', () => {
    const j = det.judge({ series: 'api:errors', minute: sunday3am, value: 20 });
    assert.ok(j?.hit, 'expected an anomaly');
    assert.equal(j.hit.sev, 1);
    assert.equal(j.cell.scope, 'bucket');
    assert.equal(j.fellBack, false);
    assert.deepEqual(j.bucket, { dayOfWeek: 0, hour: 3, hourOfWeek: 3 });
    assert.ok(j.z > 10);
  });

  test('the same level at 11 a.m. on a Tuesday is normal; a spike there is not', () => {
    assert.equal(det.judge({ series: 'api:errors', minute: tuesday11, value: 20 })?.hit, null);
    const spike = det.judge({ series: 'api:errors', minute: tuesday11, value: 60 });
    assert.ok(spike?.hit && spike.hit.sev <= 2, `spike severity ${spike?.hit?.sev}`);
  });

  test('σ≈0 history is guarded: a small change gives a finite z', () => {
    const j = det.judge({ series: 'flat:warns', minute: tuesday11, value: 1 });
    assert.ok(j && Number.isFinite(j.z));
    assert.equal(j.z, 2); // σ floored at minSigmaAbs 0.5
    assert.equal(det.judge({ series: 'flat:warns', minute: tuesday11, value: 0 })?.hit, null);
  });

  test('with one week of history the detector falls back to the hour of day', () => {
    const young = trained(7);
    const j = young.judge({ series: 'api:errors', minute: sunday3am, value: 20 });
    assert.equal(j?.cell.scope, 'hour');
    assert.equal(j?.fellBack, true);
    assert.equal(young.judge({ series: 'unknown', minute: sunday3am, value: 1 }), null);
  });
});

describe('time zones', () => {
  test('buckets follow the configured zone', () => {
    const t = Date.UTC(2025, 6, 6, 23, 30); // Sunday 23:30 UTC = Monday 01:30 in Paris (CEST)
    assert.deepEqual(new BucketClock('UTC').bucketOf(t), { dayOfWeek: 0, hour: 23, hourOfWeek: 23 });
    assert.deepEqual(new BucketClock('Europe/Paris').bucketOf(t), { dayOfWeek: 1, hour: 1, hourOfWeek: 25 });
  });
});
