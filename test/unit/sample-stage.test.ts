// Sampling: WARN and above always kept; lower levels kept by a consistent hash of the trace id (whole traces
// kept or dropped together) or of the message; rate honoured roughly; off unless configured.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Level, LogEvent } from '../../analyzer/src/core/types.ts';
import { SampleConfigError, SampleStage, samplingFromEnv } from '../../analyzer/src/sample/index.ts';

function ev(i: number, level: Level, traceId?: string): LogEvent {
  const e: LogEvent = {
    source: 'a.log',
    offset: i * 10,
    nextOffset: i * 10 + 10,
    lineNo: i + 1,
    format: 'plain',
    timestamp: 0,
    level,
    component: 'api',
    message: `request ${i} served`,
    fields: {},
  };
  if (traceId) e.traceId = traceId;
  return e;
}

describe('sample stage', () => {
  test('off by default', () => {
    assert.equal(samplingFromEnv({}), null);
    assert.equal(samplingFromEnv({ CRUMBTRAIL_SAMPLE_RATE: '1' }), null);
    assert.deepEqual(samplingFromEnv({ CRUMBTRAIL_SAMPLE_RATE: '0.25' }), { rate: 0.25, keepFrom: 'WARN' });
    assert.throws(() => samplingFromEnv({ CRUMBTRAIL_SAMPLE_RATE: '25%' }), SampleConfigError);
    assert.throws(() => samplingFromEnv({ CRUMBTRAIL_SAMPLE_RATE: '0' }), /CRUMBTRAIL_SAMPLE_RATE/);
    assert.throws(
      () => samplingFromEnv({ CRUMBTRAIL_SAMPLE_RATE: '0.5', CRUMBTRAIL_SAMPLE_KEEP_FROM: 'LOUD' }),
      /CRUMBTRAIL_SAMPLE_KEEP_FROM/,
    );
  });

  test('keeps every WARN and above; about `rate` of the rest', () => {
    const s = new SampleStage({ rate: 0.2 });
    let kept = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      for (const level of ['WARN', 'ERROR', 'CRITICAL', 'FATAL'] as const)
        assert.ok(s.keeps(ev(i, level)), level);
      if (s.keeps(ev(i, 'INFO'))) kept++;
    }
    assert.ok(kept > n * 0.17 && kept < n * 0.23, `kept ${kept} of ${n} at rate 0.2`);
  });

  test('consistent: a trace is kept or dropped whole, and the same on every run', () => {
    const a = new SampleStage({ rate: 0.3 });
    const b = new SampleStage({ rate: 0.3 });
    let keptTraces = 0;
    for (let t = 0; t < 500; t++) {
      const decisions = new Set<boolean>();
      for (let i = 0; i < 5; i++) decisions.add(a.keeps(ev(t * 5 + i, 'DEBUG', `trace-${t}`)));
      assert.equal(decisions.size, 1, `trace-${t} split`);
      assert.equal(b.keeps(ev(0, 'INFO', `trace-${t}`)), [...decisions][0]);
      if ([...decisions][0]) keptTraces++;
    }
    assert.ok(keptTraces > 100 && keptTraces < 200, `kept ${keptTraces} of 500 traces at 0.3`);
  });

  test('process emits or drops', () => {
    const s = new SampleStage({ rate: 0.000001 });
    const out: LogEvent[] = [];
    s.process(ev(1, 'INFO', 'x'), (e) => out.push(e));
    s.process(ev(2, 'ERROR', 'x'), (e) => out.push(e));
    assert.deepEqual(
      out.map((e) => e.level),
      ['ERROR'],
    );
  });
});
