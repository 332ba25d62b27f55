import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTimeline } from '../../analyzer/src/report/terminal.ts';
import { displayWidth } from '../../analyzer/src/report/text.ts';
import { flashCrashReport } from '../helpers/report-fixtures.ts';

const ESC = '\x1b';

describe('formatTimeline', () => {
  test('color=false: no escape codes; summary, lead time, responsible component, causal path', () => {
    const { data } = flashCrashReport();
    const out = formatTimeline(data, { color: false, symbols: true, width: 120 });
    assert.ok(!out.includes(ESC));
    assert.match(out, /lines\s+134\s/);
    assert.match(out, /unparsed\s+4\s+no-format 3 · invalid-utf8 1/);
    assert.match(out, /incidents\s+2\s/);
    // 14:40:12 → 14:45:10 is 298 s.
    assert.match(out, /lead time\s+4m 58s/);
    assert.match(out, /responsible\s+order-gateway/);
    assert.match(out, /Incident INC-20240506-1/);
    assert.match(out, /14:45:10\.000\s+\+4m 58s\s+🔥 final failure\s+matching-engine\s+circuit breaker/);
    assert.match(out, /🟠 bypassed control 1/);
    for (const line of out.split('\n')) assert.ok(displayWidth(line) <= 120, `too wide: ${line}`);
  });

  test('color=true adds ANSI styling; symbols=false is plain ASCII labels', () => {
    const { data } = flashCrashReport();
    const colored = formatTimeline(data, { color: true, symbols: true });
    assert.ok(colored.includes(`${ESC}[`));
    const ascii = formatTimeline(data, { color: false, symbols: false, width: 100 });
    assert.ok(!ascii.includes(ESC));
    assert.match(ascii, /\[FAIL\] final failure/);
    assert.match(ascii, /\[BYP\] bypassed control 1/);
    assert.ok(!/[^\x00-\x7f]/.test(ascii), 'only ASCII when symbols=false and the log text is ASCII');
  });

  test('escape sequences and line breaks inside log text cannot reach the terminal', () => {
    const { data } = flashCrashReport();
    const b = data.incidents[0]!.breadcrumbs[1]!;
    b.event.message = 'evil \x1b]0;pwned\x07 title \x1b[2J clear\nnext \u202eesrever';
    for (const color of [true, false]) {
      const out = formatTimeline(data, { color, symbols: true, width: 200 });
      assert.ok(!out.includes('\x1b]0;'), 'OSC sequence removed');
      assert.ok(!out.includes('\x1b[2J'), 'CSI from the log removed');
      assert.ok(!out.includes('\x07') && !out.includes('\u202e'));
      assert.match(out, /evil \?\]0;pwned\? title \?\[2J clear next \?esrever/);
    }
  });

  test('long paths show the escalation steps and say how many were left out', () => {
    const { data } = flashCrashReport();
    const out = formatTimeline(data, { color: false, symbols: true, maxRows: 5 });
    const inc = data.incidents[0]!;
    assert.match(out, new RegExp(`… ${inc.breadcrumbs.length - 5} more breadcrumbs on this path`));
  });

  test('no incidents says so', () => {
    const { data } = flashCrashReport();
    data.incidents = [];
    data.openSignals = [];
    assert.match(formatTimeline(data, { color: false, symbols: true }), /No incidents/);
  });

  test('one anomalies line: total, counts by SEV, and the baseline used', () => {
    const { data } = flashCrashReport();
    assert.doesNotMatch(formatTimeline(data, { color: false, symbols: true }), /anomalies/);
    data.anomalies = {
      baseline: 'input',
      minSamples: 30,
      series: 12,
      samples: 700,
      judged: 650,
      samplesDropped: 0,
      bySev: { 1: 1, 2: 2, 3: 0, 4: 0, 5: 7 },
      records: [],
    };
    const out = formatTimeline(data, { color: false, symbols: false });
    assert.match(out, /\n {2}anomalies +10 +SEV1 1, SEV2 2, SEV5 7, baseline: this input\n/);
    data.anomalies = {
      ...data.anomalies,
      baseline: 'store',
      storePath: '/var/lib/crumbtrail/anomalies.sqlite',
    };
    assert.match(
      formatTimeline(data, { color: false, symbols: true }),
      /anomalies +10 +SEV1 1 · SEV2 2 · SEV5 7 · baseline: store \/var\/lib\/crumbtrail\/anomalies\.sqlite/,
    );
    data.anomalies = { ...data.anomalies, judged: 0, bySev: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } };
    assert.match(formatTimeline(data, { color: false, symbols: false }), /anomalies +0 +too little input/);
  });
});
