import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Breadcrumb, CATEGORY_SYMBOL, type Category } from '../../analyzer/src/core/types.ts';
import { IncidentBuilder } from '../../analyzer/src/timeline/incidents.ts';

const T0 = Date.UTC(2010, 4, 6, 14, 30);
let offset = 0;
const bc = (minutes: number, category: Category, component = 'svc'): Breadcrumb => ({
  event: {
    source: 'a.log',
    offset: offset++,
    nextOffset: offset,
    lineNo: offset,
    format: 'plain',
    timestamp: T0 + minutes * 60_000,
    level: 'WARN',
    component,
    message: `${category} at ${minutes}`,
    fields: {},
  },
  category,
  symbol: CATEGORY_SYMBOL[category],
  ruleId: 'r',
  severity: 3,
});

describe('incident timeline', () => {
  test('a failure collects the signals of its look-back window; lead time = failure − first signal', () => {
    const settled: Breadcrumb[] = [];
    const b = new IncidentBuilder({ lookbackMs: 15 * 60_000 }, (x) => settled.push(x));
    const early = bc(-20, 'stress', 'too-early');
    const path = [
      bc(0, 'abnormal_input', 'order-router'),
      bc(1, 'risk_bypass', 'risk'),
      bc(2, 'stress', 'md'),
      bc(3, 'stress', 'md'),
      bc(9, 'control_failure', 'risk'),
    ];
    const failure = bc(13.5, 'final_failure', 'gateway');
    for (const x of [early, ...path]) assert.equal(b.add(x), null);
    const inc = b.add(failure)!;
    assert.ok(inc, 'the failure opens an incident');
    assert.equal(inc.leadTimeMs, 13.5 * 60_000);
    assert.equal(inc.firstSignal, path[0]);
    assert.equal(inc.failure, failure);
    assert.equal(inc.responsible, 'order-router');
    assert.deepEqual(inc.components, ['order-router', 'risk', 'md', 'gateway']);
    assert.deepEqual(inc.countsByCategory, {
      abnormal_input: 1,
      risk_bypass: 1,
      stress: 2,
      control_failure: 1,
      final_failure: 1,
    });
    assert.deepEqual(
      inc.escalation.map((x) => x.category),
      ['abnormal_input', 'risk_bypass', 'stress', 'control_failure', 'final_failure'],
    );
    const open = b.finish();
    assert.deepEqual(open, [early], 'the signal outside the window is an open signal');
    assert.equal(settled.length, 7, 'every breadcrumb settles exactly once');
    assert.equal(new Set(settled).size, 7);
    for (const x of [...path, failure]) assert.equal(x.incidentId, inc.id);
    assert.equal(early.incidentId, undefined);
  });

  test('alerts and failures soon after join the incident; later ones start anew', () => {
    const b = new IncidentBuilder({ lookbackMs: 10 * 60_000, mergeMs: 2 * 60_000 });
    b.add(bc(0, 'stress'));
    const first = b.add(bc(5, 'final_failure'))!;
    assert.equal(b.add(bc(5.5, 'alerting')), null);
    assert.equal(b.add(bc(6.5, 'final_failure')), null);
    assert.equal(b.add(bc(8, 'alerting')), null, 'within mergeMs of the last failure');
    b.add(bc(20, 'abnormal_input'));
    const second = b.add(bc(22, 'final_failure'))!;
    b.finish();
    assert.notEqual(second.id, first.id);
    assert.equal(first.breadcrumbs.length, 5);
    assert.equal(first.leadTimeMs, 5 * 60_000, 'lead time is to the first failure');
    assert.equal(second.leadTimeMs, 2 * 60_000);
    assert.deepEqual(b.incidents(), [first, second]);
  });

  test('a failure with no signals before it has zero lead time and is its own first signal', () => {
    const b = new IncidentBuilder();
    const inc = b.add(bc(0, 'final_failure', 'db'))!;
    assert.equal(inc.leadTimeMs, 0);
    assert.equal(inc.responsible, 'db');
  });

  test('the window is bounded: a storm of signals does not grow memory', () => {
    const b = new IncidentBuilder({ maxWindow: 100, maxOpenSignals: 10 });
    for (let i = 0; i < 1000; i++) b.add(bc(i / 1000, 'stress'));
    const inc = b.add(bc(1, 'final_failure'))!;
    assert.equal(inc.breadcrumbs.length, 101);
    assert.equal(b.openSignalCount, 900);
    assert.equal(b.finish().length, 10);
  });
});
