// Headless Chromium for the PNG export (and the report's browser test). Optional by design: playwright-core
// is a dev dependency and Chromium a system package, so callers get null when either is missing.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** $CRUMBTRAIL_CHROMIUM, else /usr/bin/chromium; null when neither exists. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CRUMBTRAIL_CHROMIUM, '/usr/bin/chromium'];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

export interface ChromiumOptions {
  deviceScaleFactor?: number;
  viewport?: { width: number; height: number };
  /** Default true; the PNG export turns it off. */
  javaScriptEnabled?: boolean;
}

/**
 * Run `fn` with a fresh Chromium context (its own temp user-data-dir, removed afterwards).
 * Returns null, without calling `fn`, when there is no browser or no playwright-core.
 */
export async function withChromium<T>(
  fn: (ctx: BrowserContext) => Promise<T>,
  opts: ChromiumOptions = {},
): Promise<{ value: T } | null> {
  const executablePath = chromiumPath();
  if (!executablePath) return null;
  let pw: typeof import('playwright-core');
  try {
    pw = await import('playwright-core');
  } catch {
    return null;
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'crumbtrail-chromium-'));
  try {
    const ctx = await pw.chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      deviceScaleFactor: opts.deviceScaleFactor ?? 1,
      viewport: opts.viewport ?? { width: 1280, height: 900 },
      javaScriptEnabled: opts.javaScriptEnabled ?? true,
      timeout: 30_000,
    });
    try {
      return { value: await fn(ctx) };
    } finally {
      await ctx.close();
    }
  } finally {
    await rm(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
