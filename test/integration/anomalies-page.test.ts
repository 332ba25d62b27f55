// /anomalies in headless Chromium right after a replay: no baseline can exist yet, and the page says so (and
// why) instead of an empty table; it links back to the dashboard.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
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

describe('/anomalies page', {
  timeout: 120_000,
  skip: existsSync(CHROMIUM) ? false : skipOrFail(`anomalies-page: ${CHROMIUM} not installed`),
}, () => {
  test('after a short replay it shows the warm-up state and what is missing', async () => {
    const dir = tempDir('ct-anom-');
    writeLines(join(dir, 'app.log'), 500, 2);
    const svc = await startService(['--glob', join(dir, '*.log'), '--state-dir', join(dir, 'state')]);
    await until(
      'lines counted',
      async () => (await getJson<StatsView>(`${svc.url}/stats`)).totals.events === 500,
    );
    browser = await chromium.launchPersistentContext(tempDir('ct-chromium-'), {
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
