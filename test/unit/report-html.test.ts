import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { jsonForScript } from '../../analyzer/src/report/escape.ts';
import { renderHtmlReport } from '../../analyzer/src/report/html.ts';
import { assertTagsBalanced } from '../helpers/markup-check.ts';
import { flashCrashReport, XSS_IMG, XSS_SCRIPT } from '../helpers/report-fixtures.ts';

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
});
