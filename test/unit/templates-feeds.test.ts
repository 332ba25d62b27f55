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
const ev = (sec: number, message: string): ClassifiedEvent => {
  const e: LogEvent = {
    source: 'a.log',
    offset: sec,
    nextOffset: sec + 1,
    lineNo: sec + 1,
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
    ev(0, 'checkpoint complete in 5 ms'),
    ev(10, 'checkpoint complete in 7 ms'),
    ev(70, 'checkpoint complete in 9 ms'),
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
      [2, 1],
      'two events in the first minute, one in the second',
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
    assert.equal(all.body.templates[0].count, 3);
    const one = await call(`?id=${items[3]!.event.templateId}`);
    assert.equal(one.body.template.template, 'vacuum finished on table orders');
    assert.equal((await call('?id=nope')).status, 404);
    assert.equal((await call('?limit=0')).status, 400);
  });
});
