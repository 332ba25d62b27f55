// The dashboard page in headless Chromium (Debian's /usr/bin/chromium through playwright-core): it shows
// throughput and breadcrumbs from the live service, and markup inside log lines stays text (no XSS). And
// /anomalies right after a replay: no baseline can exist yet, and the page says so (and why).

import assert from 'node:assert/strict';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../analyzer/src/report/browser.ts';
import { skipOrFail } from '../helpers/skip.ts';
import {
  cleanup,
  getJson,
  type StatsView,
  startService,
  tempDir,
  until,
  writeLines,
} from './service-harness.ts';

const CHROMIUM = '/usr/bin/chromium';
let browser: BrowserContext | null = null;
after(async () => {
  await browser?.close();
  cleanup();
});

describe('dashboard page', {
  timeout: 120_000,
  skip: existsSync(CHROMIUM) ? false : skipOrFail(`service-dashboard: ${CHROMIUM} not installed`),
}, () => {
  test('shows throughput and breadcrumbs; log markup is not executed', async () => {
    const dir = tempDir('ct-dash-');
    const file = join(dir, 'app.log');
    writeLines(file, 2_000, 3);
    const xss = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    appendFileSync(file, `[2026-01-01 00:01:00.000] FATAL - [payments] service halted ${xss}\n`);
    const svc = await startService([
      '--glob',
      join(dir, '*.log'),
      '--state-dir',
      join(dir, 'state'),
      '--no-anomalies',
    ]);
    await until(
      'lines counted',
      async () => (await getJson<StatsView>(`${svc.url}/stats`)).totals.events === 2_001,
    );

    // A fresh user data dir per run (playwright wants it as the persistent context's directory, not a flag).
    browser = await chromium.launchPersistentContext(tempDir('ct-chromium-'), {
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS],
    });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${svc.url}/`);
    await page.waitForFunction(() => document.getElementById('events')?.textContent === '2001', undefined, {
      timeout: 15_000,
    });
    assert.match((await page.textContent('#lps')) ?? '', /^\d+$/);
    const crumbText = (await page.textContent('#crumbs')) ?? '';
    assert.match(crumbText, /service halted/);
    assert.match(crumbText, /🔥/);
    assert.match(crumbText, /SEV\d/);
    // The payload shows as text and never ran.
    assert.ok(crumbText.includes('<img src=x'), 'markup is rendered as text');
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await page.locator('#crumbs img').count(), 0);
    assert.match((await page.textContent('#stages')) ?? '', /parse/);
    assert.deepEqual(pageErrors, []);
    svc.child.kill('SIGTERM');
    assert.equal(await svc.exited, 0, svc.stderr());
  });

  test('after a short replay it shows the warm-up state and what is missing', async () => {
    const dir = tempDir('ct-anom-');
    writeLines(join(dir, 'app.log'), 500, 2);
    const svc = await startService(['--glob', join(dir, '*.log'), '--state-dir', join(dir, 'state')]);
    await until(
      'lines counted',
      async () => (await getJson<StatsView>(`${svc.url}/stats`)).totals.events === 500,
    );
    browser ??= await chromium.launchPersistentContext(tempDir('ct-chromium-'), {
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS],
    });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${svc.url}/anomalies`);
    await page.waitForSelector('#warmup:not([hidden])', { timeout: 15_000 });
    const text = (await page.textContent('#warmup')) ?? '';
    assert.match(text, /No anomalies can be found yet/);
    assert.match(text, /per-minute samples/);
    assert.equal(await page.getAttribute('header nav a[href="./"]', 'href'), './');
    assert.match((await page.textContent('#status')) ?? '', /UTC/);
    assert.deepEqual(pageErrors, []);
    svc.child.kill('SIGTERM');
    assert.equal(await svc.exited, 0, svc.stderr());
  });
});
