import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PLAIN_GROK } from '../../elasticsearch/index.ts';
import { drillLines, hopTable, newDrillId } from '../../provision/drill.ts';
import { detectStack } from '../../provision/stack.ts';

describe('drill helpers', () => {
  test('drill ids are unique and the lines carry them as key=value in the seed format', () => {
    const a = newDrillId();
    assert.notEqual(a, newDrillId());
    const lines = drillLines(a, new Date('2026-11-21T10:00:00.000Z'));
    assert.equal(lines.length, 5);
    for (const l of lines) {
      assert.match(l, /^\[2026-11-21 10:00:00\.\d{3}\] [A-Z]+ - \[exchange-gateway\] /);
      assert.ok(l.endsWith(`drill_id=${a}`));
    }
    assert.ok(lines.some((l) => l.includes('] CRITICAL - [')));
    assert.ok(PLAIN_GROK.startsWith('^\\['));
  });

  test('hop table lists each hop with its latency', () => {
    const t = hopTable([
      { hop: 'Filebeat → ES app logs', service: 'filebeat', ok: true, latencyMs: 4200, detail: '' },
      { hop: 'analyzer incidents + metrics', service: 'analyzer', ok: false, latencyMs: 61000, detail: 'x' },
    ]);
    assert.match(t, /Filebeat → ES app logs\s+\| ok\s+\|\s+4\.2 s \|/);
    assert.match(t, /analyzer incidents \+ metrics\s+\| FAIL \|\s+61\.0 s \|/);
  });

  test('stack detection honours STACK=live / STACK=none without touching Docker', async () => {
    assert.equal((await detectStack({ STACK: 'live' })).live, true);
    assert.equal((await detectStack({ STACK: 'none' })).live, false);
  });
});
