// The dashboard and /anomalies share one style: the inline page formatters say what the reports say
// (analyzer/src/report/time.ts), both pages link to each other, and no page uses the browser's local clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { dashboardHtml as anomaliesHtml } from '../../analyzer/src/anomaly/dashboard.ts';
import { formatDuration, utcDateTime } from '../../analyzer/src/report/time.ts';
import { dashboardHtml } from '../../analyzer/src/service/dashboard.ts';
import { PAGE_FORMAT_JS } from '../../analyzer/src/service/page-theme.ts';

const page = runInNewContext(`${PAGE_FORMAT_JS}; ({ duration, utcTime })`) as {
  duration: (ms: number) => string;
  utcTime: (ms: number) => string;
};

describe('page formatters match the reports', () => {
  test('durations: the CLI and report.html style ("13m 22s"), never raw seconds', () => {
    for (const ms of [
      0, 850, 1000, 42_000, 59_999, 60_000, 802_780, 3_599_000, 3_600_000, 7_500_000, 86_400_000, 300_000_000,
      -5000,
    ]) {
      assert.equal(page.duration(ms), formatDuration(ms), `${ms} ms`);
    }
    assert.equal(page.duration(802_780), '13m 22s');
  });

  test('times: UTC, 24 h, labelled', () => {
    const t = Date.UTC(2010, 4, 6, 14, 45, 27, 900);
    assert.equal(page.utcTime(t), `${utcDateTime(t)} UTC`);
    assert.equal(page.utcTime(0), '');
  });
});

describe('the two pages', () => {
  const pages = { dashboard: dashboardHtml(), anomalies: anomaliesHtml() };

  test('link to each other, share the theme, use no local clock', () => {
    for (const [name, html] of Object.entries(pages)) {
      assert.match(html, /<a href="\.\/"[^>]*>dashboard<\/a>/, name);
      assert.match(html, /<a href="\.\/anomalies"[^>]*>anomalies<\/a>/, name);
      assert.match(html, /--bg:#101418/, `${name}: the dark theme`);
      assert.doesNotMatch(html, /toLocale(Time|Date)?String/, `${name}: local time`);
    }
  });

  test('the dashboard names its two error figures for what they count', () => {
    assert.match(pages.dashboard, /log errors\/min \(ERROR\+ lines/);
    assert.match(pages.dashboard, /<h2>Pipeline errors<\/h2>/);
    assert.doesNotMatch(pages.dashboard, /Recent errors/);
    assert.doesNotMatch(pages.dashboard, /toFixed\(0\) \+ ' s'/);
  });

  test('/anomalies explains an empty table (warming up, late or untimed events)', () => {
    assert.match(pages.anomalies, /id="warmup"/);
    assert.match(pages.anomalies, /lateEvents/);
    assert.match(pages.anomalies, /untimedEvents/);
  });
});
