import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { AnalyzerMetrics } from '../../analyzer/src/metrics/analyzer-metrics.ts';
import { classifiedEvent } from '../helpers/classified-event.ts';
import { skipOrFail } from '../helpers/skip.ts';

const event = classifiedEvent;

/** Value of one sample in the text exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/** Our own families only: promtool flags prom-client's process_/nodejs_ defaults (e.g. nodejs_active_handles_total). */
function ownFamilies(text: string): string {
  const blocks = text.split(/\n(?=# HELP )/);
  return `${blocks
    .filter((b) => b.startsWith('# HELP crumbtrail_'))
    .join('\n')
    .trim()}\n`;
}

describe('analyzer metric families', () => {
  test('counts by level and component, critical errors, unparsed, breadcrumbs', async () => {
    const m = new AnalyzerMetrics({ defaultMetrics: false });
    for (let i = 0; i < 3; i++) m.observe(event('INFO', 'api'));
    m.observe(event('ERROR', 'db'));
    m.observe(event('FATAL', 'db'));
    m.observe(event('UNKNOWN', '', { format: 'unparsed' }));
    m.observe({
      ...event('WARN', 'risk'),
      breadcrumb: {
        event: event('WARN', 'risk').event,
        category: 'stress',
        symbol: '🟡',
        ruleId: 'r',
        severity: 3,
      },
    });
    const text = await m.exposition();
    assert.equal(sample(text, 'crumbtrail_log_lines_total{level="INFO",component="api"}'), 3);
    assert.equal(sample(text, 'crumbtrail_log_lines_total{level="ERROR",component="db"}'), 1);
    assert.equal(sample(text, 'crumbtrail_log_lines_total{level="UNKNOWN",component="unknown"}'), 1);
    // ERROR counts as an error event, not a critical one: only FATAL/CRITICAL page.
    assert.equal(sample(text, 'crumbtrail_error_events_total'), 2);
    assert.equal(sample(text, 'crumbtrail_critical_events_total'), 1);
    assert.equal(sample(text, 'crumbtrail_errors_per_minute'), 2);
    assert.equal(sample(text, 'crumbtrail_unparsed_lines_total'), 1);
    assert.equal(sample(text, 'crumbtrail_breadcrumbs_total{category="stress"}'), 1);
    // A second scrape adds nothing new: deltas are pushed once.
    const again = await m.exposition();
    assert.equal(sample(again, 'crumbtrail_log_lines_total{level="INFO",component="api"}'), 3);
  });

  test('60 components: 50 series plus other, and the cap is exported', async () => {
    const m = new AnalyzerMetrics({ defaultMetrics: false });
    for (let c = 0; c < 60; c++) m.observe(event('INFO', `svc-${c}`));
    const text = await m.exposition();
    const series = text.split('\n').filter((l) => l.startsWith('crumbtrail_log_lines_total{'));
    assert.equal(series.length, 51);
    assert.equal(sample(text, 'crumbtrail_log_lines_total{level="INFO",component="other"}'), 10);
    assert.equal(sample(text, 'crumbtrail_label_cap{label="component"}'), 50);
  });

  test('stage metrics come from the pipeline stats at scrape time', async () => {
    const m = new AnalyzerMetrics({ defaultMetrics: false });
    let stats = [{ name: 'parse', eventsIn: 10, eventsOut: 9, errors: 1, seconds: 0.5 }];
    m.setSources({ stageStats: () => stats });
    let text = await m.exposition();
    assert.equal(sample(text, 'crumbtrail_stage_events_in_total{stage="parse"}'), 10);
    assert.equal(sample(text, 'crumbtrail_stage_errors_total{stage="parse"}'), 1);
    stats = [{ name: 'parse', eventsIn: 25, eventsOut: 24, errors: 1, seconds: 0.75 }];
    text = await m.exposition();
    assert.equal(sample(text, 'crumbtrail_stage_events_in_total{stage="parse"}'), 25);
    assert.equal(sample(text, 'crumbtrail_stage_duration_seconds_total{stage="parse"}'), 0.75);
  });

  test('incidents feed the counter and the lead-time histogram', async () => {
    const m = new AnalyzerMetrics({ defaultMetrics: false });
    const b = {
      event: event('FATAL', 'x').event,
      category: 'final_failure' as const,
      symbol: '🔥',
      ruleId: 'r',
      severity: 1 as const,
    };
    m.incident({
      id: 'i',
      breadcrumbs: [b],
      firstSignal: b,
      failure: b,
      leadTimeMs: 90_000,
      components: [],
      responsible: 'x',
      countsByCategory: {},
      escalation: [],
    });
    const text = await m.exposition();
    assert.equal(sample(text, 'crumbtrail_incidents_total'), 1);
    assert.equal(sample(text, 'crumbtrail_incident_lead_time_seconds_bucket{le="60"}'), 0);
    assert.equal(sample(text, 'crumbtrail_incident_lead_time_seconds_bucket{le="120"}'), 1);
  });

  test('promtool check metrics passes on our own families', {
    skip: existsSync('/usr/bin/promtool')
      ? false
      : skipOrFail('metric families: /usr/bin/promtool not installed'),
  }, async () => {
    const m = new AnalyzerMetrics();
    m.setSources({
      stageStats: () => [{ name: 'parse', eventsIn: 1, eventsOut: 1, errors: 0, seconds: 0.001 }],
      files: () => [{ fileId: 'f', path: '/var/log/a.log', readOffset: 5, committedOffset: 5, size: 9 }],
      ready: () => true,
    });
    m.observe(event('ERROR', 'db'));
    const text = await m.exposition();
    assert.match(
      text,
      /^process_cpu_user_seconds_total /m,
      'default metrics are collected on the dedicated registry',
    );
    const own = ownFamilies(text);
    assert.match(own, /crumbtrail_tail_lag_bytes\{file="\/var\/log\/a.log"\} 4/);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: own, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `promtool check metrics:\n${r.stdout}${r.stderr}`);
    assert.equal(`${r.stdout}${r.stderr}`.trim(), '');
  });
});
