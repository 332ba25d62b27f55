import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BreadcrumbView, IncidentView } from '../../analyzer/src/service/recent.ts';
import { PLAIN_GROK } from '../../elasticsearch/index.ts';
import { drillLines, type Hop, hopTable, newDrillId, runHops } from '../../provision/drill.ts';
import { counterSum, drillAlertNames, findDrillIncident } from '../../provision/native-drill.ts';
import { reportHops } from '../../provision/smoke.ts';
import { detectStack } from '../../provision/stack.ts';

describe('drill helpers', () => {
  test('drill ids are unique and the lines carry them as key=value in the seed format', () => {
    const a = newDrillId();
    assert.notEqual(a, newDrillId());
    const lines = drillLines(a, new Date('2026-11-21T10:00:00.000Z'));
    assert.equal(lines.length, 5);
    for (const l of lines) {
      assert.match(l, /^\[2026-11-21 10:00:00\.\d{3}\] [A-Z]+ - \[exchange-gateway\] /);
      assert.ok(l.endsWith(`drill_id=${a}`));
    }
    assert.ok(lines.some((l) => l.includes('] CRITICAL - [')));
    assert.ok(PLAIN_GROK.startsWith('^\\['));
  });

  test('hop table lists each hop with its latency', () => {
    const t = hopTable([
      { hop: 'Filebeat → ES app logs', service: 'filebeat', ok: true, latencyMs: 4200, detail: '' },
      { hop: 'analyzer incidents + metrics', service: 'analyzer', ok: false, latencyMs: 61000, detail: 'x' },
    ]);
    assert.match(t, /Filebeat → ES app logs\s+\| ok\s+\|\s+4\.2 s \|/);
    assert.match(t, /analyzer incidents \+ metrics\s+\| FAIL \|\s+61\.0 s \|/);
  });

  test('stack detection honours STACK=live / STACK=none without touching Docker', async () => {
    assert.equal((await detectStack({ STACK: 'live' })).live, true);
    assert.equal((await detectStack({ STACK: 'none' })).live, false);
  });

  test('runHops polls each pluggable hop, stops at the first failure and never polls the later ones', async () => {
    const calls: string[] = [];
    let tries = 0;
    const hops: Hop[] = [
      {
        hop: 'eventually',
        service: 'a',
        check: async () => {
          calls.push('eventually');
          tries++;
          return { ok: tries >= 3, detail: `try ${tries}` };
        },
      },
      {
        hop: 'never',
        service: 'b',
        check: async () => {
          calls.push('never');
          throw new Error('connection refused');
        },
      },
      { hop: 'unreached', service: 'c', check: async () => ({ ok: true, detail: '' }) },
    ];
    const printed: string[] = [];
    const results = await runHops(hops, { started: Date.now(), timeoutMs: 200, intervalMs: 10 }, (l) =>
      printed.push(l),
    );
    assert.deepEqual(
      results.map((r) => [r.hop, r.ok, r.detail]),
      [
        ['eventually', true, 'try 3'],
        ['never', false, 'connection refused'],
      ],
    );
    assert.ok(!calls.includes('unreached'));
    assert.match(printed[1] ?? '', /^ {2}FAIL never\s+\d+\.\ds {2}connection refused$/);
  });

  test('reportHops prints the table, names the failed hop and dumps that service logs', async () => {
    const printed: string[] = [];
    const asked: string[] = [];
    const failed = await reportHops(
      [
        { hop: 'first', service: 'analyzer', ok: true, latencyMs: 1000, detail: '' },
        { hop: 'second', service: 'prometheus', ok: false, latencyMs: 5000, detail: 'no alert' },
      ],
      (l) => printed.push(l),
      async (service) => {
        asked.push(service);
        return { title: `${service} output`, text: 'level=error msg=boom' };
      },
    );
    assert.equal(failed?.hop, 'second');
    assert.deepEqual(asked, ['prometheus']);
    const out = printed.join('\n');
    assert.match(out, /\| second\s+\| FAIL \|/);
    assert.match(out, /drill hop "second" failed after 5s: no alert/);
    assert.match(out, /--- prometheus output ---\nlevel=error msg=boom/);
    assert.equal(
      await reportHops(
        [],
        () => {},
        async () => assert.fail('no logs for a clean run'),
      ),
      undefined,
    );
  });

  test('native drill matching: counters summed over series, incident by drill id, alerts by instance and time', () => {
    const text = [
      '# TYPE crumbtrail_breadcrumbs_total counter',
      'crumbtrail_breadcrumbs_total{category="trigger"} 2',
      'crumbtrail_breadcrumbs_total{category="final_failure"} 1',
      'crumbtrail_breadcrumbs_total_other 40',
      'crumbtrail_incidents_total 1',
    ].join('\n');
    assert.equal(counterSum(text, 'crumbtrail_breadcrumbs_total'), 3);
    assert.equal(counterSum(text, 'crumbtrail_incidents_total'), 1);
    assert.equal(counterSum(text, 'crumbtrail_absent_total'), 0);

    const crumb = (message: string, source = '/logs/app.log'): BreadcrumbView => ({
      timestamp: 0,
      seenAt: 0,
      category: 'final_failure',
      symbol: '',
      severity: 1,
      ruleId: 'r',
      level: 'CRITICAL',
      component: 'gw',
      message,
      source,
      offset: 0,
    });
    const incident = (id: string, failure: BreadcrumbView): IncidentView => ({
      id,
      closedAt: 0,
      failureAt: 0,
      firstSignalAt: 0,
      leadTimeSeconds: 0,
      responsible: 'gw',
      components: ['gw'],
      countsByCategory: {},
      breadcrumbCount: 1,
      firstSignal: crumb('other'),
      failure,
      escalation: [],
    });
    const incs = [
      incident('old', crumb('halted drill_id=drill-a')),
      incident('new', crumb('halted drill_id=drill-b')),
    ];
    assert.equal(findDrillIncident(incs, 'drill-b')?.id, 'new');
    assert.equal(findDrillIncident([incident('f', crumb('x', '/logs/drill-c.log'))], 'drill-c')?.id, 'f');
    assert.equal(findDrillIncident(incs, 'drill-z'), undefined);

    const t = Date.parse('2026-11-21T10:00:00Z');
    const alert = (alertname: string, instance: string, at: string) => ({
      labels: { alertname, instance },
      at,
    });
    assert.deepEqual(
      drillAlertNames(
        [
          alert('CrumbtrailIncidentOpened', '127.0.0.1:1', '2026-11-21T10:00:02Z'),
          alert('CrumbtrailCriticalBreadcrumbs', '127.0.0.1:1', '2026-11-21T10:00:01.5Z'),
          alert('CrumbtrailCriticalBreadcrumbs', '127.0.0.1:2', '2026-11-21T10:00:03Z'),
          alert('CrumbtrailErrorRateSpike', '127.0.0.1:1', '2026-11-21T10:00:03Z'),
        ],
        '127.0.0.1:1',
        t,
      ),
      ['CrumbtrailCriticalBreadcrumbs', 'CrumbtrailIncidentOpened'],
    );
    // An alert that started well before the lines were written belongs to something else.
    assert.deepEqual(
      drillAlertNames(
        [alert('CrumbtrailCriticalBreadcrumbs', '127.0.0.1:1', '2026-11-21T09:59:50Z')],
        '127.0.0.1:1',
        t,
      ),
      [],
    );
  });
});
