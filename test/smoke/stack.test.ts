// Live smoke suite: runs against a running compose project (detected via Docker labels, or STACK=live).
// Without one the tests skip with a visible notice rather than pass silently.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runSmoke } from '../../provision/smoke.ts';
import { detectStack } from '../../provision/stack.ts';
import { skipOrFail } from '../helpers/skip.ts';

const repoRoot = new URL('../..', import.meta.url).pathname;
const stack = await detectStack();

describe('live stack smoke', () => {
  if (!stack.live) {
    const reason = skipOrFail(
      `live stack smoke: ${stack.reason} (start it with docker compose up -d --wait, or set STACK=live)`,
    );
    test(`live stack not running: ${stack.reason}`, { skip: reason }, () => {});
    return;
  }
  test('every service healthy, then the incident drill reaches every hop', {
    timeout: 30 * 60_000,
  }, async () => {
    const lines: string[] = [];
    const result = await runSmoke(repoRoot, (l) => {
      lines.push(l);
      console.log(`# ${l.replace(/\n/g, '\n# ')}`);
    });
    for (const h of result.health) assert.ok(h.ok, `${h.service}: ${h.detail}`);
    const failed = result.hops.find((h) => !h.ok);
    assert.equal(failed, undefined, `hop "${failed?.hop}" failed: ${failed?.detail}\n${lines.join('\n')}`);
    assert.equal(result.hops.length, 7);
  });
});
