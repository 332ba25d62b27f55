import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { OneShotAnomalies } from '../../analyzer/src/anomaly/oneshot.ts';
import type { AnomalyFindings, ReportData } from '../../analyzer/src/core/types.ts';
import { jsonForScript } from '../../analyzer/src/report/escape.ts';
import { renderHtmlReport } from '../../analyzer/src/report/html.ts';
import { assertTagsBalanced } from '../helpers/markup-check.ts';
import { flashCrashReport, XSS_IMG, XSS_SCRIPT } from '../helpers/report-fixtures.ts';

/** The engine's findings on the fixture (27 minutes: minSamples 10), plus one SEV1 whose series is markup. */
function withAnomalies(fx: ReturnType<typeof flashCrashReport>): AnomalyFindings {
  const crumbs = new Map(fx.allBreadcrumbs.map((b) => [b.event, b]));
  const pass = new OneShotAnomalies({ minSamples: 10 });
  for (const e of fx.events) pass.push({ event: e, breadcrumb: crumbs.get(e) ?? null });
  const found = pass.finish();
  const at =
    fx.data.incidents[0]!.failure.event.timestamp! -
    (fx.data.incidents[0]!.failure.event.timestamp! % 60_000);
  found.records.unshift({
    id: 'x',
    series: `${XSS_IMG}:errors`,
    at,
    value: 40,
    mean: 2,
    sd: 1,
    z: 38,
    sev: 1,
    percentile: 99.9,
    threshold: 5,
    scope: 'hour',
    fellBack: true,
    baselineN: 120,
  });
  found.bySev[1]++;
  return found;
}

describe('jsonForScript', () => {
  test('cannot close the script element and round-trips through JSON.parse', () => {
    const value = { m: '</script><script>x</script><!-- & \u2028\u2029 >' };
    const s = jsonForScript(value);
    assert.ok(!/[<>&\u2028\u2029]/.test(s));
    assert.deepEqual(JSON.parse(s), value);
  });
});

describe('renderHtmlReport', () => {
  const { data } = flashCrashReport({ breadcrumbCap: 10 });
  const page = renderHtmlReport(data);

  test('log text never appears as markup: only our two script elements, no injected img', () => {
    assert.equal((page.match(/<script\b/gi) ?? []).length, 2);
    assert.equal((page.match(/<\/script>/gi) ?? []).length, 2);
    assert.ok(!page.includes(XSS_SCRIPT));
    assert.ok(!page.includes(XSS_IMG));
    assert.ok(!/<img\b/i.test(page));
    assert.ok(
      page.includes('&lt;/script&gt;&lt;script&gt;window.__xss'),
      'shown as text in the incident card',
    );
    assertTagsBalanced(page);
  });

  test('embedded JSON parses back to the exact breadcrumb sample', () => {
    const m = /<script type="application\/json" id="crumbtrail-data">([\s\S]*?)<\/script>/.exec(page);
    assert.ok(m);
    const json = JSON.parse(m[1]!) as { rows: { msg: string; comp: string; c: string }[] };
    assert.equal(json.rows.length, 10);
    assert.deepEqual(
      json.rows.map((r) => r.msg),
      data.breadcrumbs.map((b) => b.event.message),
    );
  });

  test('self-contained: no external URLs; CSP admits exactly our inline script by hash', () => {
    assert.ok(!/\b(src|href)="(https?:)?\/\//i.test(page));
    assert.ok(!/@import|url\(/i.test(page));
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    assert.ok(csp.includes(`'sha256-${hash}'`));
  });

  test('totals, cap note, charts and incidents are present', () => {
    assert.match(page, /Showing <b>10<\/b> of <b>18<\/b> breadcrumbs; all in <code>breadcrumbs.csv<\/code>/);
    assert.match(page, /data-testid="critical-per-minute"/);
    assert.match(page, /data-testid="level-mix"/);
    assert.equal((page.match(/data-testid="incident"/g) ?? []).length, 2);
    assert.match(page, /<div class="lead-value">4m 58s<\/div>/);
    assert.match(page, /no-format <b>3<\/b> · invalid-utf8 <b>1<\/b>/);
  });

  test('an empty run still renders a valid page', () => {
    const empty = flashCrashReport({ noXss: true }).data;
    empty.incidents = [];
    empty.breadcrumbs = [];
    empty.breadcrumbsTotal = 0;
    empty.openSignals = [];
    empty.summary.perMinute = [];
    const html = renderHtmlReport(empty);
    assertTagsBalanced(html);
    assert.match(html, /No incidents/);
    assert.match(html, /no timestamped events/);
  });

  test('anomalies: SEV badges, baseline "this input", one row per finding, chart bands, markup escaped', () => {
    const fx = flashCrashReport({ noXss: true });
    const found = withAnomalies(fx);
    const data: ReportData = { ...fx.data, anomalies: found };
    const html = renderHtmlReport(data);
    assertTagsBalanced(html);
    const table = /<table class="grid" data-testid="anomaly-table">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    assert.equal((table.match(/<tr class="sev-row-/g) ?? []).length, found.records.length);
    assert.ok(found.records.length > 5, 'the engine found the single-event minutes of the fixture too');
    assert.match(table, /<span class="sev sev-1">SEV1<\/span>/);
    assert.match(table, /<span class="sev sev-5">SEV5<\/span>/);
    assert.match(table, /hour <span class="muted">\(fallback\)<\/span>/);
    assert.match(table, /<b>\+38<\/b>/);
    assert.ok(!/<img\b/i.test(html), 'series text is escaped');
    assert.match(html, /Baseline: <b>this input<\/b>/);
    assert.match(html, /data-testid="stat-anomalies"/);
    // SEV1–3 minutes become bands on the critical chart: only the injected SEV1 is that bad here.
    assert.equal((html.match(/data-testid="anomaly-marker"/g) ?? []).length, 1);
    assert.match(html, /\.sev-1\{--s:#/);
  });

  test('the anomaly section follows the pass: absent when off, honest when there was too little input', () => {
    const fx = flashCrashReport({ noXss: true });
    assert.ok(!renderHtmlReport(fx.data).includes('id="anomalies"'));
    const thin: AnomalyFindings = {
      baseline: 'input',
      minSamples: 30,
      series: 4,
      samples: 80,
      judged: 0,
      samplesDropped: 0,
      bySev: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 },
      records: [],
    };
    const html = renderHtmlReport({ ...fx.data, anomalies: thin });
    assert.match(html, /data-testid="anomaly-none">No series had 30 per-minute samples/);
    assert.ok(!html.includes('data-testid="anomaly-table"'));
  });
});
