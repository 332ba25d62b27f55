// PNG from one of our SVG charts, rasterised by headless Chromium (no native image deps in the kit).
import { withChromium } from './browser.ts';

/** Write `svg` as a PNG (2× pixel density). Returns false when no browser is available (nothing written). */
export async function writePngFromSvg(svg: string, path: string): Promise<boolean> {
  const size = /viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/.exec(svg);
  const width = Math.ceil(Number(size?.[1] ?? 960));
  const height = Math.ceil(Number(size?.[2] ?? 300));
  const done = await withChromium(
    async (ctx) => {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      // The SVG is ours (text already escaped) and JS stays off: nothing in it may run while rasterising.
      await page.setContent(
        `<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`,
      );
      await page.locator('svg').first().screenshot({ path, type: 'png' });
    },
    { deviceScaleFactor: 2, viewport: { width, height }, javaScriptEnabled: false },
  );
  return done !== null;
}
