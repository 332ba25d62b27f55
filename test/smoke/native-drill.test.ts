// Native smoke: when no compose stack runs, the incident drill runs against what is real here — the analyzer
// service with the Prometheus and Alertmanager binaries on PATH (Debian's in CI), driven by the repo's own
// configs — so CI exercises the drill's code paths. With a live stack, test/smoke/stack.test.ts runs instead.
// Bounded waits, no timing assertions: latencies are printed (the hop table), never compared.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  NATIVE_HOP_COUNT,
  type NativeDrillResult,
  nativeDrillAvailable,
  runNativeDrill,
} from '../../provision/native-drill.ts';
import { detectStack } from '../../provision/stack.ts';
import { requireAll, skipOrFail } from '../helpers/skip.ts';

const stack = await detectStack();
const bins = nativeDrillAvailable();
// With a live stack the live smoke suite covers the drill; under REQUIRE_ALL=1 the native drill runs as well
// (its processes use free loopback ports and a temporary directory, so the two never meet).
const skip =
  typeof bins === 'string'
    ? skipOrFail(`native-drill: ${bins}`)
    : stack.live && !requireAll()
      ? `a live stack runs (${stack.reason}): the live smoke suite covers the drill`
      : false;
if (skip && typeof bins !== 'string') console.log(`native-drill: SKIPPED: ${skip}`);

const echo = (line: string): void => console.log(line);

/** The failure message names the hop and carries the output of the process that explains it. */
function failureReport(r: NativeDrillResult): string {
  const f = r.failed;
  if (!f) return 'no hop failed';
  return `drill ${r.drillId}: hop "${f.hop}" failed: ${f.detail}\n--- ${f.service} output ---\n${r.logs[f.service] ?? '(none captured)'}`;
}

describe('native incident drill (analyzer + real Prometheus + real Alertmanager)', { skip }, () => {
  test('an ERROR line pages nobody; then the drill reaches every hop: incidents, metrics, Prometheus, Alertmanager, webhook, analyzer alerts', {
    timeout: 180_000,
  }, async () => {
    if (typeof bins === 'string') return;
    const result = await runNativeDrill({ print: echo, bins, hopTimeoutMs: 90_000 });
    // First the negative: an ERROR line, once Prometheus has evaluated every rule with it counted, pages nobody.
    assert.equal(result.quiet.ok, true, failureReport(result));
    assert.equal(result.failed, undefined, failureReport(result));
    assert.equal(result.hops.length, NATIVE_HOP_COUNT);
    assert.ok(result.ok);
    assert.deepEqual(
      result.hops.map((h) => h.hop),
      [
        'analyzer /api/incidents',
        'analyzer /metrics counters',
        'Prometheus alerts firing',
        'Alertmanager received',
        'webhook receiver (paging)',
        'analyzer /api/alerts',
      ],
    );
    for (const h of result.hops) assert.ok(Number.isFinite(h.latencyMs), `${h.hop}: latency measured`);
  });

  test('lines the analyzer does not follow: the first hop fails, named, with the analyzer output', {
    timeout: 120_000,
  }, async () => {
    if (typeof bins === 'string') return;
    const printed: string[] = [];
    const result = await runNativeDrill({
      print: (l) => printed.push(l),
      bins,
      hopTimeoutMs: 3000,
      // Beside the followed directory, not in it: nothing downstream can ever see the drill.
      inject: (dir, drillId, lines) =>
        appendFileSync(join(dir, '..', `${drillId}.log`), `${lines.join('\n')}\n`),
    });
    assert.equal(result.ok, false);
    assert.equal(result.failed?.hop, 'analyzer /api/incidents', failureReport(result));
    assert.equal(result.failed?.service, 'analyzer');
    assert.equal(result.hops.length, 1, 'later hops depend on the first and are not polled');
    assert.match(result.failed?.detail ?? '', /none mentions drill-/);
    const out = printed.join('\n');
    assert.match(out, /drill hop "analyzer \/api\/incidents" failed/);
    assert.match(out, /--- analyzer output \(native drill\) ---/);
    // The analyzer's own stderr (its start-up lines) is what gets dumped.
    assert.match(result.logs.analyzer ?? '', /crumbtrail: /);
  });
});
