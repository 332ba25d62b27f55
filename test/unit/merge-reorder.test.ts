import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import type { LogEvent } from '../../analyzer/src/core/types.ts';
import { ReorderStage } from '../../analyzer/src/merge/reorder.ts';
import { Pipeline } from '../../analyzer/src/pipeline/pipeline.ts';

let n = 0;
const ev = (source: string, t: number | null, message = `${source}@${t}`): LogEvent => ({
  source,
  fileId: source,
  offset: n,
  nextOffset: ++n,
  lineNo: n,
  format: 'plain',
  timestamp: t,
  level: 'INFO',
  component: '',
  message,
  fields: {},
});

function harness(windowMs: number, maxHeld = 1000) {
  let clock = 0;
  const registry = new Registry();
  const stage = new ReorderStage({ windowMs, maxHeld, now: () => clock, registry });
  const out: string[] = [];
  const push = (...es: LogEvent[]) => {
    for (const e of es) stage.process(e, (x) => out.push(x.message));
  };
  return {
    stage,
    out,
    push,
    registry,
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

describe('reorder window (service)', () => {
  test('events of several files come out in time order once the newest time is a window past them', () => {
    const h = harness(1000);
    // b's lines arrive after a's although they are older (b was read later).
    h.push(ev('a', 2000), ev('a', 2500), ev('b', 1600), ev('b', 2200));
    assert.deepEqual(h.out, [], 'nothing is due yet');
    h.push(ev('a', 3600));
    assert.deepEqual(h.out, ['b@1600', 'a@2000', 'b@2200', 'a@2500']);
    assert.equal(h.stage.heldEvents(), 1);
    assert.equal(h.stage.details().late, 0);
  });

  test('a quiet input still flows: an event is due after waiting the window in wall time', () => {
    const h = harness(1000);
    h.push(ev('a', 10_000));
    h.tick(999);
    h.stage.flush((x) => h.out.push(x.message), false);
    assert.deepEqual(h.out, []);
    h.tick(1);
    h.stage.flush((x) => h.out.push(x.message), false);
    assert.deepEqual(h.out, ['a@10000']);
    assert.equal(h.stage.details().releasedByWallClock, 1);
  });

  test('what arrives later than the window is passed on at once and counted', async () => {
    const h = harness(1000);
    h.push(ev('a', 5000), ev('a', 7000));
    assert.deepEqual(h.out, ['a@5000']);
    h.push(ev('b', 4000));
    assert.deepEqual(h.out, ['a@5000', 'b@4000']);
    assert.equal(h.stage.details().late, 1);
    assert.match(await h.registry.metrics(), /crumbtrail_reorder_late_events_total 1/);
  });

  test("untimed events stay after their source's previous event; the final flush releases everything", () => {
    const h = harness(60_000);
    h.push(ev('a', 1000), ev('a', null, 'a-trace'), ev('b', 500), ev('b', 2000));
    h.stage.flush((x) => h.out.push(x.message));
    assert.deepEqual(h.out, ['b@500', 'a@1000', 'a-trace', 'b@2000']);
    assert.equal(h.stage.heldEvents(), 0);
  });

  test('at most maxHeld events are held; releases forced by the cap are counted', () => {
    const h = harness(60_000, 3);
    h.push(ev('a', 1), ev('a', 2), ev('a', 3), ev('a', 4), ev('a', 5));
    assert.deepEqual(h.out, ['a@1', 'a@2']);
    assert.equal(h.stage.details().forcedByCap, 2);
  });

  test('the pipeline reports a stage that holds events, and its counters in the stage stats', () => {
    const p = new Pipeline<LogEvent, LogEvent>([new ReorderStage({ windowMs: 60_000 })]);
    p.run([ev('a', 1)]);
    assert.deepEqual(p.flush(false), []);
    assert.equal(p.holding(), true);
    assert.equal(p.stats()[0]!.details?.held, 1);
    assert.equal(p.flush().length, 1);
    assert.equal(p.holding(), false);
  });
});
