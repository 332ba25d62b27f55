import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BaselineHistory } from '../../analyzer/src/anomaly/baseline.ts';
import { BucketClock } from '../../analyzer/src/anomaly/buckets.ts';
import { DEFAULT_MAPPING, defaultAnomalyConfig } from '../../analyzer/src/anomaly/config.ts';
import { ONESHOT_MIN_SAMPLES, OneShotAnomalies } from '../../analyzer/src/anomaly/oneshot.ts';
import { AnomalyDbError, loadStoredBaselines } from '../../analyzer/src/anomaly/oneshot-store.ts';
import { AnomalyStore } from '../../analyzer/src/anomaly/store.ts';
import type { ClassifiedEvent, Level } from '../../analyzer/src/core/types.ts';

const T0 = Date.UTC(2025, 2, 3, 10, 0);
const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-oneshot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function ev(at: number, level: Level, component: string, latency?: number): ClassifiedEvent {
  return {
    event: {
      source: 'app.log',
      offset: 0,
      nextOffset: 1,
      lineNo: 1,
      format: 'plain',
      timestamp: at,
      level,
      component,
      message: 'm',
      fields: latency === undefined ? {} : { latency_ms: latency },
    },
    breadcrumb: null,
  };
}

/**
 * `minutes` minutes of an `api` component: 4–6 ERRORs and 20 INFO lines (latency 90–110 ms) a minute, spread
 * over the minute in time order; `spike` puts that many ERRORs into one minute instead.
 */
function* input(minutes: number, spike?: { minute: number; errors: number }): Generator<ClassifiedEvent> {
  for (let m = 0; m < minutes; m++) {
    const errors = spike?.minute === m ? spike.errors : 4 + (m % 3);
    const total = errors + 20;
    for (let i = 0; i < total; i++) {
      const at = T0 + m * MIN + Math.floor((i * MIN) / total);
      yield i < errors ? ev(at, 'ERROR', 'api') : ev(at, 'INFO', 'api', 90 + ((m * 7 + i) % 21));
    }
  }
}

function run(events: Iterable<ClassifiedEvent>, opts = {}) {
  const pass = new OneShotAnomalies(opts);
  for (const e of events) pass.push(e);
  return pass.finish();
}

describe('one-shot anomaly pass, baseline learned from the input', () => {
  test('an injected error spike is found at SEV1–2 in its minute, and it is the worst finding', () => {
    const spikeAt = 100;
    const found = run(input(180, { minute: spikeAt, errors: 40 }));
    assert.equal(found.baseline, 'input');
    assert.equal(found.minSamples, ONESHOT_MIN_SAMPLES);
    assert.ok(found.judged > 0);
    const hit = found.records.find((r) => r.series === 'api:errors' && r.at === T0 + spikeAt * MIN);
    assert.ok(hit, `spike found: ${JSON.stringify(found.records.slice(0, 3))}`);
    assert.ok(hit.sev <= 2, `SEV${hit.sev}`);
    assert.equal(hit.value, 40);
    assert.ok(hit.z > 5, `z ${hit.z}`);
    // Left out of its own baseline: μ is the other minutes' 4–6 errors, not dragged up by the spike.
    assert.ok(hit.mean > 4 && hit.mean < 6, `mean ${hit.mean}`);
    assert.equal(hit.scope, 'bucket', 'the same weekday×hour has 60 samples ≥ MIN_SAMPLES');
    assert.equal(found.records[0], hit, 'worst first');
  });

  test('a flat input yields nothing at SEV1–2', () => {
    const found = run(input(180));
    assert.ok(found.judged > 0, 'there was enough input to judge');
    assert.equal(found.bySev[1] + found.bySev[2], 0, JSON.stringify(found.records.slice(0, 3)));
    assert.ok(found.records.every((r) => r.sev >= 3));
  });

  test('the ladder falls back from a thin bucket to the hour/global baseline, and says so', () => {
    // 10:00–12:59: the 12:xx bucket has only 20 minutes of samples (< 30) once the input ends at 12:19.
    const found = run(input(140, { minute: 130, errors: 40 }));
    const hit = found.records.find((r) => r.series === 'api:errors' && r.at === T0 + 130 * MIN);
    assert.ok(hit);
    assert.ok(hit.fellBack);
    assert.equal(hit.scope, 'global', 'one weekday only: the hour of day is as thin as the bucket');
    assert.ok(hit.baselineN >= 100);
  });

  test('too little input: nothing is judged, nothing is claimed', () => {
    const found = run(input(ONESHOT_MIN_SAMPLES - 5, { minute: 10, errors: 40 }));
    assert.equal(found.judged, 0);
    assert.equal(found.records.length, 0);
  });

  test('a drop in the partial last minute is the input being cut, not an anomaly', () => {
    const events = [...input(120)];
    // End the input 5 s into a new minute: that minute has ~2 events instead of ~25.
    const last = T0 + 120 * MIN;
    events.push(ev(last, 'INFO', 'api', 100), ev(last + 5000, 'INFO', 'api', 100));
    const found = run(events);
    assert.ok(!found.records.some((r) => r.at === last && r.z < 0), JSON.stringify(found.records));
  });

  test('the record cap keeps the worst; counts cover every finding', () => {
    const found = run(input(180, { minute: 100, errors: 40 }), { maxRecords: 1 });
    assert.equal(found.records.length, 1);
    assert.equal(found.records[0]!.at, T0 + 100 * MIN);
    const counted = Object.values(found.bySev).reduce((a, b) => a + b, 0);
    assert.ok(counted >= 1);
  });
});

describe('one-shot anomaly pass against a stored baseline', () => {
  const cfg = defaultAnomalyConfig();
  /** Baselines learned by the engine from 3 flat days (what the service would hold). */
  function learnedModels() {
    const history = new BaselineHistory(new BucketClock('UTC'), cfg.sketchAlpha, cfg.sketchMaxBins);
    for (let m = -3 * 1440; m < 0; m++)
      history.add({ series: 'api:errors', minute: T0 + m * MIN, value: 4 + (((m % 3) + 3) % 3) });
    return new Map([['api:errors', history.compute('api:errors', DEFAULT_MAPPING, cfg).model]]);
  }

  test('samples are judged against the stored history (minSamples of the service)', () => {
    const found = run(input(20, { minute: 10, errors: 40 }), {
      stored: { models: learnedModels(), path: 'mem' },
    });
    assert.equal(found.baseline, 'store');
    assert.equal(found.storePath, 'mem');
    assert.equal(found.minSamples, cfg.minSamples);
    const hit = found.records.find((r) => r.series === 'api:errors');
    assert.ok(hit);
    assert.equal(hit.at, T0 + 10 * MIN);
    assert.equal(hit.sev, 1, 'a spike far outside three days of 4–6');
    assert.equal(hit.scope, 'hour', 'three days of one hour: bucket has 60 (< 120), the hour 180');
  });

  test('loadStoredBaselines reads a store read-only and refuses what is not one', () => {
    const path = join(dir, 'anomalies.sqlite');
    const store = new AnomalyStore(path);
    store.replaceThresholds(learnedModels().values(), Date.now());
    store.close();
    const before = statSync(path).mtimeMs;
    const models = loadStoredBaselines(path);
    assert.deepEqual([...models.keys()], ['api:errors']);
    assert.equal(models.get('api:errors')!.global!.n, 3 * 1440);
    assert.equal(statSync(path).mtimeMs, before, 'not written');
    assert.throws(() => loadStoredBaselines(join(dir, 'missing.sqlite')), AnomalyDbError);
    const empty = new AnomalyStore(join(dir, 'empty.sqlite'));
    empty.close();
    assert.throws(() => loadStoredBaselines(join(dir, 'empty.sqlite')), /no learned thresholds yet/);
  });
});
