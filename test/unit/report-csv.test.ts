import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Breadcrumb, LogEvent } from '../../analyzer/src/core/types.ts';
import {
  BREADCRUMB_CSV_COLUMNS,
  BreadcrumbCsvWriter,
  CRITICAL_CSV_COLUMNS,
  CriticalCsvWriter,
  IsoTimeText,
} from '../../analyzer/src/report/csv.ts';
import { parseCsv } from '../helpers/csv-read.ts';
import { flashCrashReport, XSS_SCRIPT } from '../helpers/report-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function crumb(message: string, extra: Partial<LogEvent> = {}): Breadcrumb {
  return {
    event: {
      source: '/var/log/a,b.log',
      offset: 10,
      nextOffset: 20,
      lineNo: 1,
      format: 'plain',
      timestamp: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
      level: 'WARN',
      component: 'svc',
      message,
      fields: {},
      ...extra,
    },
    category: 'stress',
    symbol: '🟡',
    ruleId: 'r1',
    severity: 3,
  };
}

describe('BreadcrumbCsvWriter', () => {
  test('header, one row per breadcrumb, RFC 4180 quoting of commas, quotes, newlines and unicode', async () => {
    const path = join(dir, 'quoting.csv');
    const w = new BreadcrumbCsvWriter(path);
    const tricky = [
      'a, b',
      'say "hi"',
      'line1\nline2\r\nline3',
      'lone\nLF',
      'lone\rCR',
      'ünïcødé 🔥 日本語',
      '',
      'plain',
    ];
    for (const m of tricky) await w.write(crumb(m, { fields: { k: 'v;w', n: 3, ok: true, nothing: null } }));
    await w.close();
    assert.equal(w.rows, tricky.length);
    const text = readFileSync(path, 'utf8');
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], [...BREADCRUMB_CSV_COLUMNS]);
    assert.equal(rows.length, tricky.length + 1);
    const msgCol = BREADCRUMB_CSV_COLUMNS.indexOf('message');
    assert.deepEqual(
      rows.slice(1).map((r) => r[msgCol]),
      tricky,
    );
    const r1 = rows[1]!;
    assert.equal(r1[BREADCRUMB_CSV_COLUMNS.indexOf('time')], '2024-01-02T03:04:05.678Z');
    assert.equal(r1[BREADCRUMB_CSV_COLUMNS.indexOf('symbol')], '🟡');
    assert.equal(r1[BREADCRUMB_CSV_COLUMNS.indexOf('source')], '/var/log/a,b.log');
    assert.equal(r1[BREADCRUMB_CSV_COLUMNS.indexOf('fields')], 'k="v;w";n=3;ok=true;nothing=null');
    assert.ok(text.includes('"say ""hi"""'), 'embedded quotes are doubled inside a quoted field');
  });

  test('formula-looking cells are prefixed with a quote; numbers are not', async () => {
    const path = join(dir, 'formula.csv');
    const w = new BreadcrumbCsvWriter(path);
    const payloads = ['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\tTAB', '\rCR', '=HYPERLINK("http://x","y")'];
    for (const m of payloads) await w.write(crumb(m, { component: '=evil()', offset: -1 }));
    await w.close();
    const rows = parseCsv(readFileSync(path, 'utf8')).slice(1);
    const msgCol = BREADCRUMB_CSV_COLUMNS.indexOf('message');
    assert.deepEqual(
      rows.map((r) => r[msgCol]),
      payloads.map((p) => `'${p}`),
    );
    for (const r of rows) {
      assert.equal(r[BREADCRUMB_CSV_COLUMNS.indexOf('component')], "'=evil()");
      assert.equal(r[BREADCRUMB_CSV_COLUMNS.indexOf('offset')], '-1');
    }
  });

  test('OWASP CSV injection: formula cells are quoted with a leading quote, separators inside cells quoted', async () => {
    const path = join(dir, 'owasp.csv');
    const w = new BreadcrumbCsvWriter(path);
    // Full-width forms, a formula after a ; (a separator in some spreadsheet locales), DDE, quotes inside.
    const payloads = ['＝1+1', '＋1', '－1', '＠SUM(A1)', 'ok;=cmd|" /C calc"!A0', '=1+1";=2', 'a,-b'];
    for (const m of payloads) await w.write(crumb(m, { traceId: '@t', fields: { q: '=x' } }));
    await w.close();
    const text = readFileSync(path, 'utf8');
    const rows = parseCsv(text).slice(1);
    const col = (name: (typeof BREADCRUMB_CSV_COLUMNS)[number]) => BREADCRUMB_CSV_COLUMNS.indexOf(name);
    assert.deepEqual(
      rows.map((r) => r[col('message')]),
      ["'＝1+1", "'＋1", "'－1", "'＠SUM(A1)", 'ok;=cmd|" /C calc"!A0', `'=1+1";=2`, 'a,-b'],
    );
    // Every neutralised cell is quoted as well (OWASP: prefix ' and wrap in double quotes).
    assert.ok(text.includes(`"'＝1+1"`));
    assert.ok(text.includes('"ok;=cmd|"" /C calc""!A0"'), 'a cell holding ; is quoted');
    for (const r of rows) {
      assert.equal(r[col('trace_id')], "'@t");
      assert.equal(r[col('fields')], 'q="=x"');
    }
    // No cell a spreadsheet reads back starts like a formula.
    for (const r of rows)
      for (const cell of r)
        assert.ok(!/^[=+\-@\t\r＝＋－＠]/.test(cell), `cell ${JSON.stringify(cell)} starts like a formula`);
  });

  test('time text: milliseconds, second and day boundaries, out-of-range and missing times', () => {
    const t = new IsoTimeText();
    for (const ms of [
      Date.UTC(2024, 0, 2, 3, 4, 5, 678),
      Date.UTC(2024, 0, 2, 3, 4, 5, 679),
      Date.UTC(2024, 0, 2, 3, 4, 6, 0),
      Date.UTC(2024, 0, 2, 23, 59, 59, 999),
      Date.UTC(2024, 0, 3, 0, 0, 0, 1),
      Date.UTC(2024, 0, 2, 3, 4, 5, 1) + 0.7,
      -1,
      -1001,
      0,
      8.64e15,
    ])
      assert.equal(t.format(ms), new Date(ms).toISOString(), String(ms));
    assert.equal(t.format(null), '');
    assert.equal(t.format(Number.NaN), '');
    assert.equal(t.format(9e15), '');
  });

  test('streams a large run to disk and every row arrives (backpressure path exercised)', async () => {
    const path = join(dir, 'big.csv');
    const w = new BreadcrumbCsvWriter(path);
    const n = 60_000;
    const b = crumb('x'.repeat(200));
    for (let i = 0; i < n; i++) await w.write(b);
    await w.close();
    const lines = readFileSync(path, 'utf8').split('\r\n');
    assert.equal(lines.length, n + 2, 'header + n rows + trailing empty after the last CRLF');
    assert.ok(w.drainWaits > 0, 'some writes had to wait for drain');
    assert.equal(w.rows, n);
  });

  test('an unwritable path fails with one clear error on close, and write after close throws', async () => {
    const w = new BreadcrumbCsvWriter(join(dir, 'missing-dir', 'x.csv'));
    await w.write(crumb('a'))?.catch(() => {});
    await assert.rejects(w.close(), /cannot write CSV .*missing-dir.*--out directory/);
    await assert.rejects(async () => w.write(crumb('b')), /cannot write CSV|closed/);
  });
});

describe('CriticalCsvWriter', () => {
  test('every ERROR/CRITICAL/FATAL event, classified or not; other levels skipped', async () => {
    const { events, allBreadcrumbs } = flashCrashReport();
    const byEvent = new Map(allBreadcrumbs.map((b) => [b.event, b]));
    const path = join(dir, 'critical.csv');
    const w = new CriticalCsvWriter(path);
    for (const e of events) await w.write({ event: e, breadcrumb: byEvent.get(e) ?? null });
    await w.close();
    const expected = events.filter((e) => ['ERROR', 'CRITICAL', 'FATAL'].includes(e.level));
    assert.ok(
      expected.some((e) => !byEvent.has(e)),
      'fixture has unclassified errors',
    );
    const rows = parseCsv(readFileSync(path, 'utf8'));
    assert.deepEqual(rows[0], [...CRITICAL_CSV_COLUMNS]);
    assert.equal(rows.length - 1, expected.length);
    assert.equal(w.rows, expected.length);
    const col = (name: (typeof CRITICAL_CSV_COLUMNS)[number]) => CRITICAL_CSV_COLUMNS.indexOf(name);
    const failure = rows.find(
      (r) => r[col('category')] === 'final_failure' && r[col('level')] === 'CRITICAL',
    );
    assert.ok(failure, 'the classified final failure is there with its category');
    assert.equal(failure[col('incident_id')], 'INC-20240506-1');
    const unclassified = rows.find((r) => r[col('message')]?.includes('socket reset'));
    assert.ok(unclassified);
    assert.equal(unclassified[col('category')], '');
    const formula = rows.find((r) => r[col('message')]?.includes('HYPERLINK'));
    assert.ok(formula?.[col('message')]?.startsWith("'="), 'formula neutralised');
    assert.ok(!rows.some((r) => r[col('message')] === XSS_SCRIPT), 'WARN breadcrumbs are not critical');
  });

  test('accepts a bare LogEvent too', async () => {
    const path = join(dir, 'bare.csv');
    const w = new CriticalCsvWriter(path);
    await w.write({ ...crumb('boom').event, level: 'FATAL' });
    await w.write({ ...crumb('fine').event, level: 'INFO' });
    await w.close();
    const rows = parseCsv(readFileSync(path, 'utf8'));
    assert.equal(rows.length, 2);
    assert.equal(rows[1]![CRITICAL_CSV_COLUMNS.indexOf('message')], 'boom');
  });
});
