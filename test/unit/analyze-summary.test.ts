// The one-shot summary's caps: memory stays flat on inputs with endless component names or scrambled times,
// and what a cap left out is counted and shown in the terminal summary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OTHER_COMPONENT, SummaryBuilder } from '../../analyzer/src/analyze/summary.ts';
import type { LogEvent } from '../../analyzer/src/core/types.ts';
import { renderHtmlReport } from '../../analyzer/src/report/html.ts';
import { formatSummary } from '../../analyzer/src/report/terminal.ts';
import { flashCrashReport } from '../helpers/report-fixtures.ts';

function event(component: string, timestamp: number): LogEvent {
  return {
    source: 'a.log',
    offset: 0,
    nextOffset: 1,
    lineNo: 1,
    format: 'plain',
    timestamp,
    level: 'ERROR',
    component,
    message: 'm',
    fields: {},
  };
}

test('components past the cap fold into (other); minutes past the cap are dropped; both counted', () => {
  const s = new SummaryBuilder(['a.log'], { componentCap: 3, minuteCap: 2 });
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 10; i++) s.add({ event: event(`c${i}`, t0 + i * 60_000), breadcrumb: null });
  s.add({ event: event('c0', t0), breadcrumb: null });
  const out = s.finish();
  assert.deepEqual(out.byComponent, { c0: 2, c1: 1, c2: 1, [OTHER_COMPONENT]: 7 });
  assert.equal(out.limits?.componentsFolded, 7);
  assert.deepEqual(
    out.perMinute.map((m) => [m.minute - t0, m.critical]),
    [
      [0, 2],
      [60_000, 1],
    ],
  );
  assert.equal(out.limits?.minutesDropped, 8);
  assert.equal(out.events, 11, 'every event is still counted');

  const report = flashCrashReport().data;
  const text = formatSummary({ ...report, summary: out }, { color: false, symbols: false, width: 160 });
  assert.match(text, /capped\s+15\s+7 events of components past the first 3 counted as \(other\)/);
  assert.match(text, /8 events in minutes past 2 left out of the per-minute chart/);
  const page = renderHtmlReport({ ...report, summary: out });
  assert.match(page, /data-testid="stat-capped"[\s\S]*?7 events of components past 3 as \(other\)/);
  assert.doesNotMatch(renderHtmlReport(report), /stat-capped/, 'nothing shown when no cap was reached');
});

test('the terminal summary says when the anomaly pass dropped samples past its cap', () => {
  const report = flashCrashReport().data;
  const anomalies = {
    baseline: 'input' as const,
    minSamples: 30,
    series: 4,
    samples: 1_500_000,
    judged: 1_000_000,
    samplesDropped: 500_000,
    bySev: { 1: 0, 2: 1, 3: 0, 4: 0, 5: 0 },
    records: [],
  };
  const text = formatSummary({ ...report, anomalies }, { color: false, symbols: false, width: 160 });
  assert.match(text, /500,000 of 1,500,000 samples past the memory cap not judged/);
});

test('a ten-character count keeps a space before its detail (10,000,000 lines)', () => {
  const report = flashCrashReport().data;
  const text = formatSummary(
    { ...report, summary: { ...report.summary, lines: 10_000_000 } },
    { color: false, symbols: false, width: 160 },
  );
  assert.match(text, /lines\s+10,000,000 from/);
});
