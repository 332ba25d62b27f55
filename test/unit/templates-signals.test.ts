import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClassifiedEvent, LogEvent } from '../../analyzer/src/core/types.ts';
import { TemplateStage } from '../../analyzer/src/templates/stage.ts';

const T0 = Date.UTC(2026, 2, 2, 10, 0);
let n = 0;
const ev = (sec: number, component: string, message: string): ClassifiedEvent => {
  const e: LogEvent = {
    source: 'a.log',
    offset: n,
    nextOffset: ++n,
    lineNo: n,
    format: 'plain',
    timestamp: T0 + sec * 1000,
    level: 'INFO',
    component,
    message,
    fields: {},
  };
  return { event: e, breadcrumb: null };
};

function run(stage: TemplateStage, items: ClassifiedEvent[]): ClassifiedEvent[] {
  const out: ClassifiedEvent[] = [];
  for (const i of items) stage.process(i, (o) => out.push(o));
  return out;
}

/** 30 minutes of a steady vocabulary: two templates per component, one event every 2 s each. */
function warmup(): ClassifiedEvent[] {
  const items: ClassifiedEvent[] = [];
  for (let s = 0; s < 30 * 60; s += 2) {
    items.push(ev(s, 'db', `checkpoint complete in ${s % 7} ms wrote ${s} buffers`));
    items.push(ev(s + 1, 'web', `request handled path=/v1/orders status=200 took ${s % 9}ms`));
  }
  return items;
}

describe('template signals', () => {
  test('every event gets a template and its id; ids stay with the cluster', () => {
    const stage = new TemplateStage();
    const out = run(stage, warmup().slice(0, 10));
    const db = out.filter((c) => c.event.component === 'db');
    assert.equal(new Set(db.map((c) => c.event.templateId)).size, 1);
    assert.equal(db.at(-1)!.event.template, 'checkpoint complete in <NUM> ms wrote <NUM> buffers');
    assert.equal(
      out.every((c) => c.breadcrumb === null),
      true,
      'no signal during the warm-up',
    );
  });

  test('novel: a new template after the warm-up in a quiet component is an abnormal-input candidate', () => {
    const stage = new TemplateStage();
    run(stage, warmup());
    const [novel] = run(stage, [ev(30 * 60 + 5, 'db', 'could not write block to WAL: disk quota exceeded')]);
    assert.equal(novel!.breadcrumb?.category, 'abnormal_input');
    assert.equal(novel!.breadcrumb?.ruleId, 'template-novel');
    assert.match(
      novel!.breadcrumb!.reason!,
      /new template in db, which had logged \d+ events and no new template for 30 min/,
    );
    // The same template again is no longer new; another new one right after is not "quiet" any more.
    const again = run(stage, [
      ev(30 * 60 + 6, 'db', 'could not write block to WAL: disk quota exceeded'),
      ev(30 * 60 + 7, 'db', 'archiver process exited with exit code 1'),
    ]);
    assert.deepEqual(
      again.map((c) => c.breadcrumb),
      [null, null],
    );
    const s = stage.summary();
    assert.equal(s.signalCounts.novel, 1);
    assert.equal(s.signals[0]!.kind, 'novel');
  });

  test('burst: a template far above its own baseline within a minute is stress, flagged once per minute', () => {
    const stage = new TemplateStage();
    run(stage, warmup());
    const flood = [];
    // Its baseline is 30/min (one every 2 s): 400 within one minute is > 10× that.
    for (let i = 0; i < 400; i++)
      flood.push(ev(30 * 60 + 10 + i / 10, 'web', `request handled path=/v1/orders status=200 took ${i}ms`));
    const out = run(stage, flood);
    const flagged = out.filter((c) => c.breadcrumb !== null);
    assert.equal(flagged.length, 1);
    assert.equal(flagged[0]!.breadcrumb!.category, 'stress');
    assert.equal(flagged[0]!.breadcrumb!.ruleId, 'template-burst');
    assert.match(
      flagged[0]!.breadcrumb!.reason!,
      /events of this template within the minute, \d+× its baseline of [\d.]+\/min/,
    );
  });

  test("a rule's breadcrumb wins over a template signal", () => {
    const stage = new TemplateStage();
    run(stage, warmup());
    const item = ev(30 * 60 + 5, 'db', 'could not write block to WAL: disk quota exceeded');
    const rule = {
      event: item.event,
      category: 'final_failure' as const,
      symbol: '🔥',
      ruleId: 'r',
      severity: 1 as const,
    };
    item.breadcrumb = rule;
    run(stage, [item]);
    assert.equal(item.breadcrumb, rule);
    assert.equal(stage.summary().signalCounts.novel, 1, 'still counted and listed');
  });
});
