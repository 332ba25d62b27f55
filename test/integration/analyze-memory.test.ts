// A memory bound, not a timing: 1,000,000 lines analysed with peak RSS under 200 MB (measured in the child).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeBigLog } from '../helpers/big-log.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-mem-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('1,000,000 lines: peak RSS under 200 MB, every line accounted for', { timeout: 600_000 }, async () => {
  const log = join(dir, 'big.log');
  const bytes = await writeBigLog(log, 1_000_000);
  const started = performance.now();
  const r = await runCli('analyzer/src/cli/analyze.ts', [log, '--out', join(dir, 'out'), '--json'], {
    env: { CRUMBTRAIL_REPORT_RSS: '1' },
    launcher: true,
    timeoutMs: 580_000,
  });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(r.code, 0, r.stderr);
  const kib = Number(/crumbtrail-max-rss-kib=(\d+)/.exec(r.stderr)?.[1]);
  assert.ok(kib > 0, 'the child reported its peak RSS');
  const res = JSON.parse(r.stdout) as {
    summary: { lines: number; events: number; continuationLines: number; byLevel: Record<string, number> };
    incidents: unknown[];
  };
  assert.equal(res.summary.lines, 1_000_000);
  assert.equal(
    res.summary.events + res.summary.continuationLines,
    1_000_000,
    'every line is an event or folded into one',
  );
  // The same CRITICAL recurs every 1,000 s (50,000 lines × 20 ms): a crash loop, so each recurrence joins the
  // open incident, which is force-closed at its 2 h age limit — 5.6 h of log give 3 incidents.
  assert.equal(res.incidents.length, 3);
  const csvRows =
    readFileSync(join(dir, 'out', 'critical.csv'), 'utf8')
      .trimEnd()
      .split('\n').length - 1;
  const { ERROR = 0, CRITICAL = 0, FATAL = 0 } = res.summary.byLevel;
  assert.equal(csvRows, ERROR + CRITICAL + FATAL, 'critical.csv streamed every ERROR/CRITICAL/FATAL row');
  // Reported, not asserted: speed belongs to `npm run bench`.
  console.log(
    `# 1M lines (${(bytes / 1048576).toFixed(0)} MiB): peak RSS ${(kib / 1024).toFixed(0)} MiB, ${Math.round(1_000_000 / seconds)} lines/s incl. start-up`,
  );
  assert.ok(kib / 1024 < 200, `peak RSS ${(kib / 1024).toFixed(0)} MiB must stay under 200 MB`);
});
