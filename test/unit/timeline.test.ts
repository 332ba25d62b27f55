import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../../analyzer/src/analyze/run.ts';
import { type Breadcrumb, CATEGORY_SYMBOL, type Category } from '../../analyzer/src/core/types.ts';
import { loadRules } from '../../analyzer/src/rules/load.ts';
import { IncidentBuilder } from '../../analyzer/src/timeline/incidents.ts';

const T0 = Date.UTC(2010, 4, 6, 14, 30);
let offset = 0;
const bc = (minutes: number, category: Category, component = 'svc', message?: string): Breadcrumb => ({
  event: {
    source: 'a.log',
    offset: offset++,
    nextOffset: offset,
    lineNo: offset,
    format: 'plain',
    timestamp: T0 + minutes * 60_000,
    level: 'WARN',
    component,
    message: message ?? `${category} number ${offset}`,
    fields: {},
  },
  category,
  symbol: CATEGORY_SYMBOL[category],
  ruleId: 'r',
  severity: 3,
});
const HOUR = 60;

describe('incident timeline', () => {
  test('a failure collects the signals packed before it; lead time = failure − first signal', () => {
    const settled: Breadcrumb[] = [];
    const b = new IncidentBuilder({ lookbackMs: 15 * 60_000 }, (x) => settled.push(x));
    const early = bc(-20, 'stress', 'too-early');
    const path = [
      bc(0, 'abnormal_input', 'order-router', 'large order order_id=W-75000'),
      bc(1, 'risk_bypass', 'risk', 'limit check skipped order_id=W-75000'),
      bc(2, 'stress', 'md'),
      bc(3, 'stress', 'md'),
      bc(7, 'control_failure', 'risk'),
    ];
    const failure = bc(10.5, 'final_failure', 'gateway');
    for (const x of [early, ...path]) assert.equal(b.add(x), null);
    const inc = b.add(failure)!;
    assert.ok(inc, 'the failure opens an incident');
    assert.equal(inc.leadTimeMs, 10.5 * 60_000);
    assert.equal(inc.firstSignal, path[0]);
    assert.equal(inc.failure, failure);
    assert.equal(
      inc.responsible,
      'order-router',
      'the first linked signal (order id shared with the bypass)',
    );
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
    assert.deepEqual(open, [early], 'an unlinked signal 20 minutes before is an open signal');
    assert.equal(settled.length, 7, 'every breadcrumb settles exactly once');
    assert.equal(new Set(settled).size, 7);
    for (const x of [...path, failure]) assert.equal(x.incidentId, inc.id);
    assert.equal(early.incidentId, undefined);
  });

  test('unlinked signals reach back only while they stay close; linked ones reach back hours', () => {
    const b = new IncidentBuilder();
    const deploy = bc(-2 * HOUR, 'trigger', 'checkout', 'deployment started of checkout v42');
    const unrelatedOld = bc(-2 * HOUR + 1, 'stress', 'search', 'slow query');
    // The same warning family in the failing component every 40 minutes: linked across the gaps.
    const warns = [-90, -50, -10].map((m) => bc(m, 'stress', 'checkout', `pool exhausted waiters=${-m}`));
    const near = bc(-2, 'stress', 'mailer', 'smtp slow');
    const failure = bc(0, 'final_failure', 'checkout', 'worker crashed');
    for (const x of [deploy, unrelatedOld, ...warns, near]) b.add(x);
    const inc = b.add(failure)!;
    assert.deepEqual(inc.breadcrumbs, [deploy, ...warns, near, failure]);
    assert.equal(inc.leadTimeMs, 2 * 3_600_000, 'the deploy two hours before is the first signal');
    assert.equal(inc.responsible, 'checkout');
    assert.deepEqual(b.finish(), [unrelatedOld]);
  });

  test('shared entity values and trace ids link signals across components and long gaps', () => {
    const b = new IncidentBuilder();
    const blk = bc(
      -50,
      'stress',
      'datanode',
      'Got exception while serving blk_-4411589101766563890 to /10.0.0.5',
    );
    const other = bc(-49, 'stress', 'namenode', 'slow heartbeat');
    const traced = bc(-40, 'stress', 'api', 'slow upstream');
    traced.event.traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const mid = bc(-30, 'control_failure', 'namenode', 'replica lost for blk_-4411589101766563890');
    mid.event.traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const failure = bc(0, 'final_failure', 'client', 'read failed blk_-4411589101766563890: data loss');
    for (const x of [blk, other, traced, mid]) b.add(x);
    const inc = b.add(failure)!;
    assert.deepEqual(inc.breadcrumbs, [blk, traced, mid, failure]);
    assert.equal(inc.responsible, 'datanode');
    assert.deepEqual(b.finish(), [other], 'only the same component: 49 minutes is beyond the weak reach');
  });

  test('a signal only sharing the component reaches back 15 minutes from the trail, not more', () => {
    const b = new IncidentBuilder();
    const old = bc(-40, 'risk_acceleration', 'risk-engine', 'volatility elevated vix=32.1');
    const recent = bc(-12, 'risk_bypass', 'risk-engine', 'price limit check skipped');
    const failure = bc(0, 'final_failure', 'risk-engine', 'halted');
    b.add(old);
    b.add(recent);
    const inc = b.add(failure)!;
    assert.deepEqual(inc.breadcrumbs, [recent, failure]);
    assert.deepEqual(b.finish(), [old]);
  });

  test('alerts and failures soon after join the incident; a linked failure recurring joins it too', () => {
    const b = new IncidentBuilder({ mergeMs: 2 * 60_000, recurMs: 30 * 60_000 });
    b.add(bc(0, 'stress', 'db', 'slow checkpoint'));
    const first = b.add(bc(5, 'final_failure', 'db', 'server process was terminated by signal 9'))!;
    assert.equal(b.add(bc(5.5, 'alerting', 'pager')), null);
    assert.equal(b.add(bc(6.5, 'final_failure', 'web')), null, 'any failure within the merge window');
    assert.equal(b.add(bc(8, 'alerting', 'pager')), null, 'within mergeMs of the last failure');
    const between = bc(20, 'stress', 'db', 'recovery slow');
    b.add(between);
    assert.equal(
      b.add(bc(25, 'final_failure', 'db', 'server process was terminated by signal 9')),
      null,
      'crash loop',
    );
    assert.ok(
      b.add(bc(27.5, 'final_failure', 'db', 'deadlock detected')),
      'the same component failing otherwise is new',
    );
    assert.equal(between.incidentId, first.id, 'the signals between two crashes are part of it');
    const unrelated = b.add(bc(60, 'final_failure', 'billing', 'invoice run aborted'))!;
    assert.ok(unrelated, 'an unlinked failure after the merge window is its own incident');
    const later = b.add(bc(60 + 31, 'final_failure', 'billing', 'invoice run aborted'))!;
    assert.ok(later, 'a linked failure after recurMs of quiet starts anew');
    b.finish();
    assert.equal(b.incidents().length, 4);
    assert.deepEqual([b.incidents()[0], ...b.incidents().slice(2)], [first, unrelated, later]);
    assert.equal(first.leadTimeMs, 5 * 60_000, 'lead time is to the first failure');
    assert.equal(first.countsByCategory.final_failure, 3);
  });

  test('a trail starts with a linked signal: an unrelated warning just before it is not the first signal', () => {
    const b = new IncidentBuilder();
    const startup = bc(-0.6, 'stress', 'controller', 'connection to node 0 could not be established');
    const zk = [0, 0.03, 0.06].map((m) =>
      bc(-0.5 + m, 'stress', 'zk-client', 'Session 0x1000016e1910000 closing socket connection'),
    );
    const fatal = bc(0, 'final_failure', 'kafka-server', 'Fatal error during startup');
    for (const x of [startup, ...zk]) b.add(x);
    const inc = b.add(fatal)!;
    assert.equal(
      inc.firstSignal,
      zk[0],
      'the session id links the client lines; the start-up warning is not linked',
    );
    assert.equal(inc.responsible, 'zk-client');
    assert.deepEqual(b.finish(), [startup]);
  });

  test('a failure with no signals before it has zero lead time and is its own first signal', () => {
    const b = new IncidentBuilder();
    const inc = b.add(bc(0, 'final_failure', 'db'))!;
    assert.equal(inc.leadTimeMs, 0);
    assert.equal(inc.responsible, 'db');
  });

  test('signals arriving a little out of order still give the right trail', () => {
    const b = new IncidentBuilder();
    const s2 = bc(-1, 'stress', 'api', 'upstream timed out order_id=O-123456');
    const s1 = bc(-3, 'abnormal_input', 'edge', 'malformed request order_id=O-123456');
    b.add(s2);
    b.add(s1);
    const inc = b.add(bc(0, 'final_failure', 'api', 'service unavailable'))!;
    assert.equal(inc.firstSignal, s1);
    assert.equal(inc.leadTimeMs, 3 * 60_000);
  });

  test('the window is bounded: a storm of signals does not grow memory, and the eviction is counted', () => {
    const b = new IncidentBuilder({ maxWindow: 100, maxOpenSignals: 10 });
    for (let i = 0; i < 1000; i++) b.add(bc(i / 1000, 'stress'));
    const inc = b.add(bc(1, 'final_failure'))!;
    assert.equal(inc.breadcrumbs.length, 101);
    assert.equal(b.openSignalCount, 900);
    assert.equal(b.finish().length, 10);
    const s = b.stats();
    assert.equal(s.windowEvicted, 900);
    assert.equal(s.openSignalsNotKept, 890);
  });
});

describe('incident caps (steady failures must not grow memory)', () => {
  test('an incident open past its age limit is force-closed with the reason, and counted', () => {
    const b = new IncidentBuilder({ maxIncidentAgeMs: 60 * 60_000 });
    // A failure every minute for three hours: one endless incident without the cap.
    for (let m = 0; m < 180; m++) b.add(bc(m, m % 2 ? 'final_failure' : 'stress', 'db', `crash ${m % 2}`));
    b.finish();
    const incs = b.incidents();
    assert.equal(incs.length, 3);
    assert.deepEqual(
      incs.map((i) => i.forceClosed),
      ['age', 'age', undefined],
    );
    assert.deepEqual(b.stats().forceClosed, { age: 2, size: 0 });
  });

  test('an incident that took too many breadcrumbs is force-closed; path and escalation stay bounded', () => {
    const b = new IncidentBuilder({ maxIncidentBreadcrumbs: 5000 });
    const cats: Category[] = ['final_failure', 'alerting'];
    for (let i = 0; i < 12_000; i++) b.add(bc(i / 1000, cats[i % 2]!, 'gw', `down ${i % 2}`));
    const open = b.current()!;
    assert.ok(open.escalation.length < 400, `escalation capped while open (${open.escalation.length})`);
    b.finish();
    const s = b.stats();
    assert.equal(s.forceClosed.size, 2);
    assert.ok(s.escalationDropped > 0);
    for (const inc of b.incidents()) {
      assert.ok(inc.breadcrumbs.length <= 400, 'a closed incident keeps the story, not the flood');
      assert.ok(inc.escalation.length <= 400);
      const counted = (inc.countsByCategory.final_failure ?? 0) + (inc.countsByCategory.alerting ?? 0);
      assert.equal(counted, inc.breadcrumbs.length + (inc.omitted ?? 0), 'counts stay exact');
    }
  });
});

describe('the sample incident keeps its story', () => {
  test('samples/flash-crash.log: one incident, 14:32:05.120 order-router → 14:45:27.900, lead 13 m 22 s', async () => {
    const path = new URL('../../samples/flash-crash.log', import.meta.url).pathname;
    const data = await analyze([{ path }], { rules: loadRules() });
    assert.equal(data.incidents.length, 1);
    const inc = data.incidents[0]!;
    assert.equal(new Date(inc.firstSignal.event.timestamp!).toISOString(), '2010-05-06T14:32:05.120Z');
    assert.equal(new Date(inc.failure.event.timestamp!).toISOString(), '2010-05-06T14:45:27.900Z');
    assert.equal(inc.leadTimeMs, 13 * 60_000 + 22_780);
    assert.equal(inc.responsible, 'order-router');
    assert.equal(inc.firstSignal.event.component, 'order-router');
  });
});
