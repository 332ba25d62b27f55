import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MinuteBucket } from '../../analyzer/src/core/types.ts';
import {
  binPerMinute,
  renderCriticalPerMinuteSvg,
  renderLevelMixSvg,
} from '../../analyzer/src/report/svg.ts';
import { assertTagsBalanced, attrValues } from '../helpers/markup-check.ts';
import { BASE_MS, flashCrashReport, syntheticMinutes } from '../helpers/report-fixtures.ts';

const barCounts = (svg: string) => attrValues(svg, 'rect', 'class="bar"', 'data-count').map(Number);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('renderCriticalPerMinuteSvg', () => {
  test('0 buckets: a valid empty chart with a message and no bars', () => {
    const svg = renderCriticalPerMinuteSvg([]);
    assertTagsBalanced(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(barCounts(svg).length, 0);
    assert.match(svg, /no timestamped events/);
  });

  test('1 bucket: one bar with its count', () => {
    const svg = renderCriticalPerMinuteSvg([
      { minute: BASE_MS, levels: { ERROR: 7 }, critical: 7, breadcrumbs: 0 },
    ]);
    assertTagsBalanced(svg);
    assert.deepEqual(barCounts(svg), [7]);
    assert.match(svg, /data-bin-minutes="1"/);
    assert.match(svg, />14:30</, 'UTC time label');
  });

  test('the fixture: one bar per minute with critical events, totals match, failure markers drawn', () => {
    const { data } = flashCrashReport();
    const pm = data.summary.perMinute;
    const markers = data.incidents.map((i) => ({
      time: i.failure.event.timestamp!,
      label: `<b>${i.id}</b>`,
    }));
    const svg = renderCriticalPerMinuteSvg(pm, { markers });
    assertTagsBalanced(svg);
    const bars = barCounts(svg);
    assert.equal(bars.length, pm.filter((b) => b.critical > 0).length);
    assert.equal(sum(bars), sum(pm.map((b) => b.critical)));
    assert.equal(attrValues(svg, 'g', 'failure-marker', 'data-time').length, data.incidents.length);
    assert.ok(svg.includes('&lt;b&gt;INC-20240506-1&lt;/b&gt;'), 'marker labels are escaped');
    assert.ok(!svg.includes('<b>'));
  });

  test('10,000 dense buckets are aggregated to ≤ 600 bars without losing counts', () => {
    const pm = syntheticMinutes(10_000);
    const svg = renderCriticalPerMinuteSvg(pm);
    assertTagsBalanced(svg);
    const bars = barCounts(svg);
    assert.ok(bars.length > 100 && bars.length <= 600, `bars: ${bars.length}`);
    assert.equal(sum(bars), sum(pm.map((b) => b.critical)));
    const binMinutes = Number(/data-bin-minutes="(\d+)"/.exec(svg)?.[1]);
    assert.ok(binMinutes >= 10_000 / 600, `bin minutes ${binMinutes}`);
    assert.match(svg, /per \d+ minutes/);
  });

  test('sparse buckets over a long span (10,000 days apart steps) still fit', () => {
    const pm = syntheticMinutes(10_000, 1440).filter((b) => b.critical > 0);
    const binned = binPerMinute(pm, 600)!;
    assert.ok(binned.bins.length <= 600);
    assert.equal(sum(binned.bins.map((b) => b.critical)), sum(pm.map((b) => b.critical)));
    const svg = renderCriticalPerMinuteSvg(pm);
    assertTagsBalanced(svg);
    assert.ok(barCounts(svg).length <= 600);
  });

  test('unsorted input and buckets without a usable minute are handled', () => {
    const pm: MinuteBucket[] = [
      { minute: BASE_MS + 120_000, levels: {}, critical: 2, breadcrumbs: 0 },
      { minute: Number.NaN, levels: {}, critical: 5, breadcrumbs: 0 },
      { minute: BASE_MS, levels: {}, critical: 1, breadcrumbs: 0 },
    ];
    const svg = renderCriticalPerMinuteSvg(pm);
    assert.deepEqual(barCounts(svg), [1, 2]);
  });
});

describe('renderLevelMixSvg', () => {
  test('one stack per non-empty minute, segments add up to the level counts', () => {
    const { data } = flashCrashReport();
    const pm = data.summary.perMinute;
    const svg = renderLevelMixSvg(pm);
    assertTagsBalanced(svg);
    const stacks = attrValues(svg, 'g', 'class="stack"', 'data-count').map(Number);
    assert.equal(stacks.length, pm.length);
    const segs = attrValues(svg, 'rect', 'data-level=', 'data-count').map(Number);
    const expected = sum(pm.flatMap((b) => Object.values(b.levels)));
    assert.equal(sum(segs), expected);
    assert.equal(sum(stacks), expected);
    const errors = [...svg.matchAll(/data-level="ERROR" data-count="(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(sum(errors), data.summary.byLevel.ERROR);
  });

  test('0 buckets renders an empty chart', () => {
    const svg = renderLevelMixSvg([]);
    assertTagsBalanced(svg);
    assert.match(svg, /data-testid="level-mix"/);
  });
});
