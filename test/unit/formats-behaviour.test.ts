// Behaviour around the catalog: timestamps that never throw, year inference, level vocabularies, detection
// per source (with re-detection), CRI partial lines, user format files, the events export.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { eventDocument } from '../../analyzer/src/analyze/events.ts';
import type { DetectionDecision, LogEvent, RawLine } from '../../analyzer/src/core/types.ts';
import {
  builtinCatalog,
  catalogWith,
  FormatFileError,
  parseFormatFile,
} from '../../analyzer/src/parse/catalog/index.ts';
import { runSource } from '../../analyzer/src/parse/eval.ts';
import { ParseStage, parseLine } from '../../analyzer/src/parse/index.ts';
import { levelOf } from '../../analyzer/src/parse/level.ts';
import { parseTimestamp, timestampReason } from '../../analyzer/src/parse/timestamp.ts';
import { runCli } from '../helpers/cli.ts';

const REF = Date.parse('2024-06-01T00:00:00Z');
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const catalog = builtinCatalog();

describe('timestamps never throw', () => {
  test('epoch seconds, ms, µs and ns are told apart', () => {
    for (const v of [
      1710255840,
      1710255840123,
      1710255840123456,
      Number('1710255840123456789'),
      '1710255840123',
    ])
      assert.match(iso(parseTimestamp(v, 'epoch', REF))!, /^2024-03-12T15:04:00/);
  });
  test('every documented shape', () => {
    const cases: [string, Parameters<typeof parseTimestamp>[1], string][] = [
      ['2024-03-12T15:04:00.123+01:00', 'iso8601', '2024-03-12T14:04:00.123Z'],
      ['2015-10-18 18:01:47,978', 'iso8601', '2015-10-18T18:01:47.978Z'],
      ['2024-03-12 15:04:00.123 UTC', 'iso8601', '2024-03-12T15:04:00.123Z'],
      ['Mar 12 15:04:00', 'syslog', '2024-03-12T15:04:00.000Z'],
      ['Wed Oct 11 14:32:52 2000', 'ctime', '2000-10-11T14:32:52.000Z'],
      ['10/Oct/2000:13:55:36 -0700', 'clf', '2000-10-10T20:55:36.000Z'],
      ['2024/03/12 15:04:00', 'ymd-slash', '2024-03-12T15:04:00.000Z'],
      ['081109 203615', 'yymmdd', '2008-11-09T20:36:15.000Z'],
      ['0312 15:04:05.123456', 'klog', '2024-03-12T15:04:05.123Z'],
      ['03-12 15:04:00.123', 'md-time', '2024-03-12T15:04:00.123Z'],
      ['12 Mar 2024 15:04:00.123', 'dmy-month', '2024-03-12T15:04:00.123Z'],
      ['17/06/09 20:10:40', 'yy-slash', '2017-06-09T20:10:40.000Z'],
    ];
    for (const [text, kind, want] of cases)
      assert.equal(iso(parseTimestamp(text, kind, REF)), want, `${kind} ${text}`);
  });
  test('out of range or unreadable: null and a reason, no throw', () => {
    assert.equal(parseTimestamp(9e30, 'epoch', REF), null);
    assert.equal(timestampReason(), 'out-of-range');
    assert.equal(parseTimestamp('2024-13-45T99:00:00Z', 'iso8601', REF), null);
    assert.equal(timestampReason(), 'unparseable');
    assert.equal(parseTimestamp('Foo 99 99:99:99', 'syslog', REF), null);
    const e = parseLine({
      source: 'a',
      offset: 0,
      nextOffset: 1,
      lineNo: 1,
      bytes: Buffer.from('{"time":1e30,"msg":"x"}'),
    });
    assert.equal(e.timestamp, null);
  });
  test('a year-less date never lands after the reference (the file mtime) beyond the widest zone offset', () => {
    const ref = Date.parse('2025-01-01T00:10:00Z');
    assert.equal(iso(parseTimestamp('Dec 31 23:59:59', 'syslog', ref)), '2024-12-31T23:59:59.000Z');
    assert.equal(iso(parseTimestamp('Jan  1 00:05:00', 'syslog', ref)), '2025-01-01T00:05:00.000Z');
    for (const text of ['Jun  1 08:00:00', 'Dec 31 23:59:59', 'Mar 12 15:04:00'])
      assert.ok(parseTimestamp(text, 'syslog', REF)! <= REF + 14 * 3600_000, text);
  });
});

describe('levels: as written and normalised', () => {
  test('syslog alert and emerg are levels (CRITICAL / FATAL)', () => {
    assert.equal(levelOf('alert', 'name', undefined), 'CRITICAL');
    assert.equal(levelOf('emerg', 'name', undefined), 'FATAL');
    assert.equal(levelOf(1, 'syslog-severity', undefined), 'CRITICAL');
    assert.equal(levelOf('8', 'syslog-pri', undefined), 'FATAL'); // facility 1, severity 0
  });
  test('single letters, vocabularies, pino numbers, HTTP status', () => {
    const want: [unknown, Parameters<typeof levelOf>[1], string][] = [
      ['D', 'name', 'DEBUG'],
      ['I', 'name', 'INFO'],
      ['W', 'name', 'WARN'],
      ['E', 'name', 'ERROR'],
      ['F', 'name', 'FATAL'],
      ['V', 'name', 'TRACE'],
      ['warning', 'name', 'WARN'],
      ['err', 'name', 'ERROR'],
      ['crit', 'name', 'CRITICAL'],
      ['notice', 'name', 'INFO'],
      ['severe', 'name', 'CRITICAL'],
      ['panic', 'name', 'FATAL'],
      ['dpanic', 'name', 'CRITICAL'],
      ['silly', 'name', 'TRACE'],
      ['http', 'name', 'DEBUG'],
      [10, 'pino', 'TRACE'],
      [20, 'pino', 'DEBUG'],
      [30, 'pino', 'INFO'],
      [40, 'pino', 'WARN'],
      [50, 'pino', 'ERROR'],
      [60, 'pino', 'FATAL'],
      ['503', 'http-status', 'ERROR'],
      ['404', 'http-status', 'WARN'],
      ['200', 'http-status', 'INFO'],
    ];
    for (const [raw, kind, level] of want)
      assert.equal(levelOf(raw, kind, undefined), level, `${kind} ${raw}`);
  });
  test('the seed format keeps its closed vocabulary (an unknown word stays unparsed there)', () => {
    assert.equal(
      parseLine({
        source: 'a',
        offset: 0,
        nextOffset: 1,
        lineNo: 1,
        bytes: Buffer.from('[2010-05-06 14:32:05] E - [c] m'),
      }).format,
      'unparsed',
    );
  });
});

const raw = (source: string, text: string, lineNo: number, offset = lineNo * 100): RawLine => ({
  source,
  offset,
  nextOffset: offset + Buffer.byteLength(text) + 1,
  lineNo,
  bytes: Buffer.from(text),
});

describe('detection per source', () => {
  test('once per source, recorded on every event; re-detected when the match rate collapses', () => {
    const decisions: DetectionDecision[] = [];
    const stage = new ParseStage({ catalog, refTime: () => REF, onDecision: (d) => decisions.push(d) });
    const out: LogEvent[] = [];
    let n = 0;
    for (let i = 0; i < 700; i++)
      stage.process(raw('f', `[2024-03-12 15:04:00.123] INFO - [api] ok ${i}`, ++n), (e) => out.push(e));
    for (let i = 0; i < 1500; i++)
      stage.process(raw('f', `Mar 12 15:04:00 web1 sshd[42]: line ${i}`, ++n), (e) => out.push(e));
    stage.process(raw('g', '{"level":"info","msg":"x","time":"2024-03-12T15:04:00Z"}', 1), (e) =>
      out.push(e),
    );
    stage.flush();
    assert.deepEqual(
      decisions.map((d) => [d.source, d.format, d.reason]),
      [
        ['f', 'seed', 'initial'],
        ['f', 'syslog-rfc3164', 'redetect'],
        ['g', 'slog-json', 'initial'],
      ],
    );
    assert.ok(out.every((e) => e.formatName !== undefined));
    assert.equal(out[0]!.formatName, 'seed');
    assert.equal(out.at(-2)!.formatName, 'syslog-rfc3164');
  });
  test('--format NAME forces one format: other lines are not parsed by a guess', () => {
    const stage = new ParseStage({ catalog, format: 'klog' });
    const out: LogEvent[] = [];
    stage.process(raw('f', '[2024-03-12 15:04:00.123] INFO - [api] ok', 1), (e) => out.push(e));
    stage.process(raw('f', 'E0312 15:04:05.123456 1 a.go:1] boom', 2), (e) => out.push(e));
    assert.deepEqual(
      out.map((e) => e.formatName ?? e.unparsedReason),
      ['continuation', 'klog'],
    );
  });
  test('CRI partial lines (P) are joined up to F: one event, starting at the first piece', () => {
    const stage = new ParseStage({ catalog });
    const out: LogEvent[] = [];
    const lines = [
      '2024-03-12T15:04:00.1Z stdout P level=error msg="very long ',
      '2024-03-12T15:04:00.1Z stdout P line split by ',
      '2024-03-12T15:04:00.1Z stdout F the runtime"',
    ];
    for (const [i, l] of lines.entries()) stage.process(raw('c', l, i + 1, i * 100), (e) => out.push(e));
    assert.equal(out.length, 1);
    assert.equal(out[0]!.message, 'very long line split by the runtime');
    assert.equal(out[0]!.level, 'ERROR');
    assert.equal(out[0]!.offset, 0);
    assert.equal(out[0]!.lineNo, 1);
    assert.equal(out[0]!.formatName, 'cri/logfmt');
  });
  test('an unknown format still gets timestamps from the generic fallback', () => {
    const text = [
      '2024-03-12 15:04:00 something started',
      '2024-03-12 15:04:01 WARN: queue long',
      '2024-03-12 15:04:02 done',
    ].join('\n');
    const { events } = runSource(catalog, 'u', Buffer.from(text), REF);
    assert.deepEqual(
      events.map((e) => [e.formatName, iso(e.timestamp)?.slice(11, 19), e.level]),
      [
        ['generic', '15:04:00', 'UNKNOWN'],
        ['generic', '15:04:01', 'WARN'],
        ['generic', '15:04:02', 'UNKNOWN'],
      ],
    );
  });
});

describe('user format files', () => {
  test('the shipped example loads, validates and is detected', () => {
    const cat = catalogWith([join('analyzer', 'formats', 'examples', 'my-formats.yml')]);
    const { events, decisions } = runSource(
      cat,
      'b',
      Buffer.from('2024-03-12 15:04:00.123 | OOPS  | invoicer | total negative\n'),
      REF,
    );
    assert.equal(decisions[0]?.format, 'acme-billing');
    assert.equal(events[0]!.level, 'ERROR');
    assert.equal(events[0]!.rawLevel, 'OOPS');
  });
  test('mistakes name the file, the line and the reason', () => {
    const err = (text: string) => {
      try {
        parseFormatFile(text, 'my.yml');
      } catch (e) {
        assert.ok(e instanceof FormatFileError);
        return `${e.line}: ${e.reason}`;
      }
      return 'accepted';
    };
    assert.match(err(readFileSync('test/fixtures/formats/bad-lookbehind.yml', 'utf8')), /^4: .*lookbehind/);
    assert.match(
      err(
        'family: x\nformats:\n  - name: a\n    pattern: "^(?<ts>\\\\S+) (?<msg>.*)$"\n    message: { from: nope }\n',
      ),
      /^5: .*'nope'/,
    );
    assert.match(
      err(
        'family: x\nformats:\n  - name: a\n    decoder: regex\n    pattern: "^(?<a.b>x)(?<msg>.*)$"\n    message: { from: msg }\n',
      ),
      /^5: .*group name 'a\.b'/,
    );
    assert.match(err('family: x\nformats:\n  - name: a\n    colour: red\n'), /^4: unknown key 'colour'/);
    assert.match(
      err(
        'family: x\nformats:\n  - name: a\n    level: { from: x, map: { boom: LOUD } }\n    decoder: json\n',
      ),
      /^4: .*'LOUD'/,
    );
  });
});

describe('events export', () => {
  test('ECS document per event: header fields split off, stack trace folded in, line number kept', () => {
    const text = [
      '2024-03-12 15:04:00,123 ERROR [main] com.acme.Db: pool exhausted waited_ms=900',
      'java.lang.IllegalStateException: no connection',
      '\tat com.acme.Db.get(Db.java:42)',
      '2024-03-12 15:04:01,000 INFO [main] com.acme.Db: recovered',
    ].join('\n');
    const { events } = runSource(catalog, '/var/log/app.log', Buffer.from(text), REF);
    const doc = eventDocument(events[0]!);
    assert.equal(doc['@timestamp'], '2024-03-12T15:04:00.123Z');
    assert.equal(doc['log.level'], 'ERROR');
    assert.equal(doc['crumbtrail.level'], 'ERROR');
    assert.equal(doc.message, 'pool exhausted waited_ms=900');
    assert.equal(doc['crumbtrail.format'], 'log4j');
    assert.equal(doc['crumbtrail.component'], 'com.acme.Db');
    assert.equal(doc['crumbtrail.line'], 1);
    assert.equal(doc['log.file.path'], '/var/log/app.log');
    assert.equal(doc['log.logger'], 'com.acme.Db');
    assert.equal(
      doc['error.stack_trace'],
      'java.lang.IllegalStateException: no connection\n\tat com.acme.Db.get(Db.java:42)',
    );
    assert.equal(eventDocument(events[1]!)['crumbtrail.line'], 4);
  });
  test('npm run analyze --events writes NDJSON; --list-formats; bad --format / --formats exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'formats-cli-'));
    const log = join(dir, 'app.log');
    writeFileSync(
      log,
      '10.0.0.1 - - [12/Mar/2024:15:04:00 +0000] "GET / HTTP/1.1" 503 12 "-" "curl/8"\n{"time":1710255840123456789,"level":"error","msg":"ns epoch"}\n',
    );
    const CLI = 'analyzer/src/cli/analyze.ts';
    const r = await runCli(CLI, [
      log,
      '--out',
      join(dir, 'r'),
      '--events',
      join(dir, 'ev.ndjson'),
      '--no-anomalies',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const docs = readFileSync(join(dir, 'ev.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(docs.length, 2);
    assert.equal(docs[0]['http.response.status_code'], 503);
    assert.equal(docs[0]['crumbtrail.level'], 'ERROR');
    assert.equal(docs[1]['@timestamp'], '2024-03-12T15:04:00.123Z');
    // Template mining runs before the export: every document carries its template and stable id.
    assert.equal(docs[1]['crumbtrail.template'], 'ns epoch');
    assert.match(String(docs[0]['crumbtrail.template_id']), /\S/);
    const list = await runCli(CLI, ['--list-formats']);
    assert.equal(list.code, 0);
    for (const f of catalog.formats) assert.match(list.stdout, new RegExp(`^${f.name} `, 'm'));
    const bad = await runCli(CLI, [log, '--format', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format 'nope' is not in the catalog/);
    const badFile = await runCli(CLI, [log, '--formats', 'test/fixtures/formats/bad-lookbehind.yml']);
    assert.equal(badFile.code, 2);
    assert.match(badFile.stderr, /bad-lookbehind\.yml:4: .*lookbehind/);
  });
});
