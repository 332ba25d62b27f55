import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultAnomalyConfig, type SeriesConfig } from '../../analyzer/src/anomaly/config.ts';
import { SeriesAggregator } from '../../analyzer/src/anomaly/series.ts';
import type { SeriesSample } from '../../analyzer/src/anomaly/types.ts';
import type { Category, ClassifiedEvent, FieldValue, Level } from '../../analyzer/src/core/types.ts';

const T0 = Date.UTC(2025, 2, 3, 10, 0);

function ev(
  at: number,
  level: Level,
  component: string,
  fields: Record<string, FieldValue> = {},
  category?: Category,
): ClassifiedEvent {
  const event = {
    source: 'app.log',
    offset: 0,
    nextOffset: 1,
    lineNo: 1,
    format: 'json' as const,
    timestamp: at,
    level,
    component,
    message: 'm',
    fields,
  };
  return {
    event,
    breadcrumb: category ? { event, category, symbol: '🟡', ruleId: 'r', severity: 3 } : null,
  };
}

function collect(cfg: Partial<SeriesConfig> = {}): { agg: SeriesAggregator; out: SeriesSample[] } {
  const out: SeriesSample[] = [];
  const agg = new SeriesAggregator({ ...defaultAnomalyConfig().series, ...cfg }, (s) => out.push(...s));
  return { agg, out };
}

function value(out: SeriesSample[], series: string, minute: number): number | undefined {
  return out.find((s) => s.series === series && s.minute === minute)?.value;
}

describe('SeriesAggregator', () => {
  test('counts errors (ERROR+CRITICAL+FATAL), warns and breadcrumbs per component and minute', () => {
    const { agg, out } = collect();
    agg.push(ev(T0 + 1000, 'ERROR', 'orders'));
    agg.push(ev(T0 + 2000, 'CRITICAL', 'orders'));
    agg.push(ev(T0 + 3000, 'FATAL', 'orders', {}, 'final_failure'));
    agg.push(ev(T0 + 4000, 'WARN', 'orders', {}, 'stress'));
    agg.push(ev(T0 + 5000, 'INFO', 'orders'));
    agg.flush();
    assert.equal(value(out, 'orders:errors', T0), 3);
    assert.equal(value(out, 'orders:warns', T0), 1);
    assert.equal(value(out, 'orders:crumb.final_failure', T0), 1);
    assert.equal(value(out, 'orders:crumb.stress', T0), 1);
  });

  test('closes minutes by event time, tolerates small disorder, drops events older than closed minutes', () => {
    const { agg, out } = collect({ allowedLatenessMs: 60_000 });
    agg.push(ev(T0 + 10_000, 'ERROR', 'a'));
    agg.push(ev(T0 + 70_000, 'ERROR', 'a'));
    agg.push(ev(T0 + 50_000, 'ERROR', 'a')); // late but minute 0 is still open
    assert.equal(out.length, 0);
    agg.push(ev(T0 + 125_000, 'INFO', 'a')); // newest − lateness passes the end of minute 0
    assert.equal(value(out, 'a:errors', T0), 2);
    agg.push(ev(T0 + 20_000, 'ERROR', 'a')); // minute 0 is closed: counted as late
    assert.equal(agg.stats().late, 1);
    agg.flush();
    assert.equal(value(out, 'a:errors', T0 + 60_000), 1);
  });

  test('quiet minutes become zeros for known count series (bounded fill)', () => {
    const { agg, out } = collect({ allowedLatenessMs: 0, maxZeroFillMinutes: 3 });
    agg.push(ev(T0, 'ERROR', 'a'));
    agg.push(ev(T0 + 10 * 60_000, 'ERROR', 'a'));
    agg.flush();
    const minutes = out.filter((s) => s.series === 'a:errors').map((s) => (s.minute - T0) / 60_000);
    assert.deepEqual(minutes, [0, 7, 8, 9, 10]);
    assert.equal(value(out, 'a:errors', T0 + 7 * 60_000), 0);
  });

  test('duration fields give per-minute p95 or mean', () => {
    for (const [stat, expected] of [
      ['p95', 100],
      ['mean', 14.5],
    ] as const) {
      const { agg, out } = collect({ durationStat: stat });
      for (let i = 1; i <= 19; i++)
        agg.push(ev(T0 + i * 1000, 'INFO', 'gw', { latency_ms: i === 19 ? 100 : 10 }));
      agg.push(ev(T0 + 25_000, 'INFO', 'gw', { latency_ms: 'slow', elapsed: 7 }));
      agg.flush();
      const v = value(out, `gw:latency_ms.${stat}`, T0)!;
      assert.ok(Math.abs(v - (stat === 'mean' ? (18 * 10 + 100) / 19 : expected)) < 1e-9, `${stat} ${v}`);
      assert.equal(value(out, `gw:elapsed.${stat}`, T0), 7);
    }
  });

  test('components and series come from bounded sets; the rest folds into other', () => {
    const { agg, out } = collect({ componentAllowlist: ['keep'], maxComponents: 2, maxSeries: 7 });
    for (const c of ['x', 'y', 'keep', 'z', 'w']) agg.push(ev(T0, 'ERROR', c));
    agg.push(ev(T0, 'ERROR', 'bad name/with:colon'));
    agg.flush();
    const names = new Set(out.map((s) => s.series));
    assert.ok(names.has('keep:errors'));
    assert.ok(names.has('x:errors') && names.has('y:errors'));
    assert.ok(!names.has('z:errors') && !names.has('w:errors'));
    assert.ok(names.has('other:errors'));
    assert.equal(value(out, 'other:errors', T0), 3);
    assert.ok(names.size <= 8, [...names].join(','));
  });

  test('events without a timestamp are counted, not bucketed', () => {
    const { agg, out } = collect();
    const e = ev(T0, 'ERROR', 'a');
    e.event.timestamp = null;
    agg.push(e);
    agg.flush();
    assert.equal(out.length, 0);
    assert.equal(agg.stats().untimed, 1);
  });
});
