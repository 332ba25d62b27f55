import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateCorpus } from '../../analyzer/src/anomaly/eval/corpus.ts';
import { evaluate } from '../../analyzer/src/anomaly/eval/evaluate.ts';

describe('anomaly evaluation (reduced corpus)', () => {
  test('the corpus is deterministic for a seed and different for another', () => {
    const o = { seed: 3, days: 10, evalFromDay: 7, anomalies: 12 };
    const a = generateCorpus(o);
    const b = generateCorpus(o);
    const c = generateCorpus({ ...o, seed: 4 });
    assert.deepEqual(a.injections, b.injections);
    assert.deepEqual(a.values[0], b.values[0]);
    assert.notDeepEqual(a.injections, c.injections);
    assert.ok(
      a.injections.some((i) => i.kind === 'off-hours-busy'),
      'needs hour-only anomalies',
    );
    assert.ok(a.injections.every((i) => i.start >= 7 * 1440));
  });

  test('at equal recall the time-aware detector has at most 1/3 of the global false positives', () => {
    const r = evaluate({ seed: 21, days: 14, trainDays: 10, evalFromDay: 10, anomalies: 24, minSamples: 60 });
    assert.equal(r.injected, 24);
    for (const row of r.equalRecall.filter((e) => e.recall <= 0.8)) {
      assert.ok(row.globalFpPerDay > 0, `global detector had no false positive at recall ${row.recall}`);
      assert.ok(
        row.timeAwareFpPerDay <= row.globalFpPerDay / 3,
        `recall ${row.recall}: time-aware ${row.timeAwareFpPerDay}/day vs global ${row.globalFpPerDay}/day`,
      );
    }
    // The hour-only anomalies are out of reach of a global mean/σ: at SEV3 it must find fewer.
    const sev3 = (rows: typeof r.timeAware) => rows.find((x) => x.sev === 3)!;
    assert.ok(sev3(r.timeAware).recall > sev3(r.global).recall);
    assert.ok(r.fullRecalcCells > 0);
  });
});
