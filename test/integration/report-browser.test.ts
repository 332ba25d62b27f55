// report.html in real headless Chromium (file://, JS on): charts drawn, table filter/sort work, and log
// lines carrying script/img payloads stay text. Skips with a notice when /usr/bin/chromium is missing.
// Set REPORT_SCREENSHOT_DIR to keep the screenshots (otherwise they go to a temp dir that is removed).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { OneShotAnomalies } from '../../analyzer/src/anomaly/oneshot.ts';
import { chromiumPath, withChromium } from '../../analyzer/src/report/browser.ts';
import { renderHtmlReport } from '../../analyzer/src/report/html.ts';
import { writePngFromSvg } from '../../analyzer/src/report/png.ts';
import { renderCriticalPerMinuteSvg, SEV_COLOR } from '../../analyzer/src/report/svg.ts';
import { flashCrashReport, XSS_IMG, XSS_SCRIPT } from '../helpers/report-fixtures.ts';
import { skipOrFail } from '../helpers/skip.ts';

const browser = chromiumPath();
const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-report-'));
const shots = process.env.REPORT_SCREENSHOT_DIR ?? join(dir, 'shots');
mkdirSync(shots, { recursive: true });
after(() => rmSync(dir, { recursive: true, force: true }));

const skipBrowser = browser ? false : skipOrFail('report-browser: /usr/bin/chromium not found');

async function rowCount(page: Page): Promise<number> {
  return page.locator('[data-testid="breadcrumb-table"] tbody tr').count();
}

/** The debounced text filter re-renders a moment later: wait for the count line to settle on `n`. */
async function waitForRows(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (want) => document.querySelectorAll('[data-testid="breadcrumb-table"] tbody tr').length === want,
    n,
    { timeout: 5000 },
  );
}

describe('report.html in headless Chromium', { skip: skipBrowser }, () => {
  test('charts, table, filtering, sorting; XSS payloads stay text', async (t) => {
    const { data } = flashCrashReport();
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport(data));
    const pm = data.summary.perMinute;

    const ran = await withChromium(async (ctx) => {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const dialogs: string[] = [];
      const errors: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('pageerror', (e) => errors.push(e.message));
      // Record CSP violations: an escaping bug would show up here even though the CSP blocks the script.
      await page.addInitScript(() => {
        const w = window as unknown as { __violations: string[] };
        w.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(e.violatedDirective));
      });
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 10_000 });

      // Critical-per-minute chart: one bar per minute with critical events, same total, visibly drawn.
      const bars = page.locator('[data-testid="critical-per-minute"] rect.bar');
      assert.equal(await bars.count(), pm.filter((b) => b.critical > 0).length);
      const counts = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        pm.reduce((a, b) => a + b.critical, 0),
      );
      const tallest = await bars.evaluateAll((els) =>
        Math.max(...els.map((e) => e.getBoundingClientRect().height)),
      );
      assert.ok(tallest > 20, `bars are drawn (tallest ${tallest}px)`);
      assert.equal(await page.locator('[data-testid="failure-marker"]').count(), data.incidents.length);

      // Level-mix chart rendered: a stack per minute with a real size on screen.
      const stacks = page.locator('[data-testid="level-mix"] g.stack');
      assert.equal(await stacks.count(), pm.length);
      const box = await page.locator('[data-testid="level-mix"]').boundingBox();
      assert.ok(box && box.width > 300 && box.height > 100);

      // Table: all rows, then filters.
      assert.equal(await rowCount(page), data.breadcrumbs.length);
      const stress = data.breadcrumbs.filter((b) => b.category === 'stress').length;
      await page.selectOption('#f-category', 'stress');
      assert.equal(await rowCount(page), stress);
      const cats = await page
        .locator('[data-testid="breadcrumb-table"] tbody tr')
        .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.category));
      assert.deepEqual([...new Set(cats)], ['stress']);
      await page.selectOption('#f-category', '');
      await page.fill('#f-text', 'settlement');
      const settlement = data.breadcrumbs.filter((b) => b.event.component === 'settlement').length;
      await waitForRows(page, settlement);
      await page.fill('#f-text', '');
      await waitForRows(page, data.breadcrumbs.length);
      await page.selectOption('#f-level', 'ERROR');
      assert.equal(await rowCount(page), data.breadcrumbs.filter((b) => b.event.level === 'ERROR').length);
      await page.selectOption('#f-level', '');

      // Sorting: severity ascending, then descending; time descending puts the latest first.
      const sevs = () =>
        page
          .locator('[data-testid="breadcrumb-table"] tbody tr td:nth-child(3)')
          .evaluateAll((els) => els.map((e) => Number(e.textContent)));
      await page.click('th[data-sort="severity"] button');
      const asc = await sevs();
      assert.deepEqual(
        asc,
        [...asc].sort((a, b) => a - b),
      );
      assert.equal(await page.getAttribute('th[data-sort="severity"]', 'aria-sort'), 'ascending');
      await page.click('th[data-sort="severity"] button');
      const desc = await sevs();
      assert.deepEqual(
        desc,
        [...desc].sort((a, b) => b - a),
      );
      assert.notDeepEqual(asc, desc);
      await page.click('th[data-sort="time"] button');
      await page.click('th[data-sort="time"] button');
      const firstTime = await page
        .locator('[data-testid="breadcrumb-table"] tbody tr td')
        .first()
        .textContent();
      const latest = Math.max(...data.breadcrumbs.map((b) => b.event.timestamp!));
      assert.equal(firstTime, new Date(latest).toISOString().replace('T', ' ').replace('Z', ''));

      // XSS: the payloads are visible as text, nothing ran, nothing was injected.
      const state = await page.evaluate(() => ({
        xss: (window as unknown as { __xss?: unknown }).__xss,
        imgs: document.querySelectorAll('img').length,
        scripts: document.querySelectorAll('script').length,
        violations: (window as unknown as { __violations: string[] }).__violations,
      }));
      // Rendered text (what a reader sees), not textContent, which would include the script elements.
      const text = await page.locator('main').evaluate((el) => (el as HTMLElement).innerText);
      assert.equal(state.xss, undefined);
      assert.equal(state.imgs, 0);
      assert.equal(state.scripts, 2);
      assert.deepEqual(state.violations, []);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(errors, []);
      assert.ok(text.includes(XSS_SCRIPT), 'script payload shown as text');
      assert.ok(text.includes(XSS_IMG), 'img payload shown as text');

      await page.screenshot({ path: join(shots, 'report-light.png'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: join(shots, 'report-dark.png'), fullPage: true });
      t.diagnostic(`screenshots in ${shots}`);
      return true;
    });
    assert.ok(ran, 'Chromium launched');
  });

  test('the capped table says so, and the PNG export writes an image', async () => {
    const { data } = flashCrashReport({ breadcrumbCap: 5 });
    const file = join(dir, 'capped.html');
    writeFileSync(file, renderHtmlReport(data));
    await withChromium(async (ctx) => {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 10_000 });
      assert.equal(await rowCount(page), 5);
      const note = await page.locator('[data-testid="breadcrumb-cap"]').textContent();
      assert.equal(note, `Showing 5 of ${data.breadcrumbsTotal} breadcrumbs; all in breadcrumbs.csv.`);
    });
    const png = join(shots, 'critical-per-minute.png');
    assert.equal(await writePngFromSvg(renderCriticalPerMinuteSvg(data.summary.perMinute), png), true);
    assert.ok(statSync(png).size > 2000);
  });

  test('the anomalies table renders one row per finding, with coloured SEV badges', async () => {
    const fx = flashCrashReport({ noXss: true });
    const crumbs = new Map(fx.allBreadcrumbs.map((b) => [b.event, b]));
    // The fixture spans 27 minutes: a lower MIN_SAMPLES lets the engine judge it.
    const pass = new OneShotAnomalies({ minSamples: 10 });
    for (const e of fx.events) pass.push({ event: e, breadcrumb: crumbs.get(e) ?? null });
    const anomalies = pass.finish();
    assert.ok(anomalies.records.length > 0);
    const file = join(dir, 'anomalies.html');
    writeFileSync(file, renderHtmlReport({ ...fx.data, anomalies }));
    await withChromium(async (ctx) => {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 10_000 });
      const rows = page.locator('[data-testid="anomaly-table"] tbody tr');
      assert.equal(await rows.count(), anomalies.records.length);
      assert.ok(await page.locator('[data-testid="anomaly-table"]').isVisible());
      const worst = anomalies.records[0]!.sev;
      const badge = rows.first().locator('.sev');
      assert.equal(await badge.textContent(), `SEV${worst}`);
      const bg = await badge.evaluate((el) => getComputedStyle(el).backgroundColor);
      const hex = SEV_COLOR[worst];
      const rgb = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ');
      assert.equal(bg, `rgb(${rgb})`);
      assert.match(
        (await page.locator('[data-testid="anomaly-baseline"]').textContent()) ?? '',
        /this input/,
      );
      await page.locator('#anomalies').screenshot({ path: join(shots, 'anomalies.png') });
    });
  });
});
