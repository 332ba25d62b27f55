// Where templates go besides the event: the anomaly series and GET /api/templates.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { defaultAnomalyConfig } from '../../analyzer/src/anomaly/config.ts';
import { SeriesAggregator } from '../../analyzer/src/anomaly/series.ts';
import type { SeriesSample } from '../../analyzer/src/anomaly/types.ts';
import type { ClassifiedEvent, LogEvent } from '../../analyzer/src/core/types.ts';
import { templateRoutes } from '../../analyzer/src/templates/routes.ts';
import { TemplateStage } from '../../analyzer/src/templates/stage.ts';

const T0 = Date.UTC(2026, 2, 2, 10, 0);
let n = 0;
const ev = (sec: number, message: string): ClassifiedEvent => {
  const e: LogEvent = {
    source: 'a.log',
    offset: n,
    nextOffset: ++n,
    lineNo: n,
    format: 'plain',
    timestamp: T0 + sec * 1000,
    level: 'INFO',
    component: 'db',
    message,
    fields: {},
  };
  return { event: e, breadcrumb: null };
};

function mined(): { stage: TemplateStage; items: ClassifiedEvent[] } {
  const stage = new TemplateStage();
  const items = [
    // 210 in the first minute, 5 in the second: the template earns its series at its 200th event.
    ...Array.from({ length: 210 }, (_, i) => ev(i / 4, `checkpoint complete in ${i} ms`)),
    ...Array.from({ length: 5 }, (_, i) => ev(60 + i, `checkpoint complete in ${i} ms`)),
    ev(75, 'vacuum finished on table orders'),
  ];
  for (const i of items) stage.process(i, () => {});
  return { stage, items };
}

describe('template feeds', () => {
  test('per-template rate series sit beside the per-component ones', () => {
    const { items } = mined();
    const out: SeriesSample[] = [];
    const agg = new SeriesAggregator(defaultAnomalyConfig().series, (s) => out.push(...s));
    for (const i of items) agg.push(i);
    agg.flush();
    const id = items[0]!.event.templateId!;
    const series = out.filter((s) => s.series === `db:template.${id}`);
    assert.deepEqual(
      series.map((s) => s.value),
      [11, 5],
      'counted from its 200th event on',
    );
    const rare = items.at(-1)!.event.templateId!;
    assert.equal(
      agg.seriesKeys().some((k) => k.includes(rare)),
      false,
      'a rare template has no series (its counts would be noise)',
    );
    assert.ok(agg.seriesKeys().includes('db:errors'), 'component series unchanged');
  });

  test('GET /api/templates lists templates, largest first; ?id= finds one; a bad limit is a 400', async () => {
    const { stage, items } = mined();
    const route = templateRoutes(stage)['GET /api/templates']!;
    const call = async (q: string) => {
      const r = await route({} as IncomingMessage, new URL(`http://127.0.0.1/api/templates${q}`), null);
      return { status: r.status, body: JSON.parse(String(r.body)) };
    };
    const all = await call('');
    assert.equal(all.status, 200);
    assert.equal(all.body.total, 2);
    assert.equal(all.body.templates[0].template, 'checkpoint complete in <NUM> ms');
    assert.equal(all.body.templates[0].count, 215);
    const one = await call(`?id=${items.at(-1)!.event.templateId}`);
    assert.equal(one.body.template.template, 'vacuum finished on table orders');
    assert.equal((await call('?id=nope')).status, 404);
    assert.equal((await call('?limit=0')).status, 400);
  });
});
