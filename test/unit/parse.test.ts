import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogEvent, RawLine } from '../../analyzer/src/core/types.ts';
import { LineSplitter } from '../../analyzer/src/decode/lines.ts';
import { MultilineStage, parseLine } from '../../analyzer/src/parse/index.ts';

const raw = (s: string | Buffer, offset = 0): RawLine => {
  const bytes = typeof s === 'string' ? Buffer.from(s) : s;
  return { source: 'app.log', offset, nextOffset: offset + bytes.length + 1, lineNo: 1, bytes };
};

describe('seed plain format', () => {
  test('with milliseconds', () => {
    const e = parseLine(raw('[2010-05-06 14:32:05.123] CRITICAL - [exchange-gateway] trading halted'));
    assert.equal(e.format, 'plain');
    assert.equal(e.timestamp, Date.UTC(2010, 4, 6, 14, 32, 5, 123));
    assert.equal(e.level, 'CRITICAL');
    assert.equal(e.component, 'exchange-gateway');
    assert.equal(e.message, 'trading halted');
  });
  test('without milliseconds, level case-insensitive, WARNING folds to WARN', () => {
    const e = parseLine(raw('[2010-05-06 14:32:05] warning - [risk-engine] check skipped'));
    assert.equal(e.timestamp, Date.UTC(2010, 4, 6, 14, 32, 5, 0));
    assert.equal(e.level, 'WARN');
  });
  for (const level of ['DEBUG', 'info', 'Warn', 'ERROR', 'critical', 'FATAL']) {
    test(`level ${level}`, () => {
      assert.notEqual(parseLine(raw(`[2010-05-06 14:32:05] ${level} - [c] m`)).level, 'UNKNOWN');
    });
  }
  test('an explicit zone is honoured', () => {
    const e = parseLine(raw('[2010-05-06T16:32:05.5+02:00] INFO - [c] m'));
    assert.equal(e.timestamp, Date.UTC(2010, 4, 6, 14, 32, 5, 500));
  });
  test('key=value pairs become typed fields', () => {
    const e = parseLine(
      raw(
        '[2010-05-06 14:32:05] WARN - [pricing] fill latency_ms=850 price=0.01 user="a b" ok=true sym=ACN,',
      ),
    );
    assert.deepEqual(e.fields, { latency_ms: 850, price: 0.01, user: 'a b', ok: true, sym: 'ACN' });
  });
  test('an unknown level word is not the seed format', () => {
    assert.equal(parseLine(raw('[2010-05-06 14:32:05] LOUD - [c] m')).format, 'unparsed');
  });
});

describe('JSON lines', () => {
  test('common names and ECS nesting map onto the event; extras are kept', () => {
    const e = parseLine(
      raw(
        JSON.stringify({
          '@timestamp': '2024-03-01T10:00:00.250Z',
          log: { level: 'error' },
          service: { name: 'api' },
          message: 'boom retry=3',
          trace_id: 't1',
          span_id: 's1',
          http: { status: 502 },
        }),
      ),
    );
    assert.equal(e.format, 'json');
    assert.equal(e.timestamp, Date.UTC(2024, 2, 1, 10, 0, 0, 250));
    assert.equal(e.level, 'ERROR');
    assert.equal(e.component, 'api');
    assert.equal(e.message, 'boom retry=3');
    assert.equal(e.traceId, 't1');
    assert.equal(e.spanId, 's1');
    assert.deepEqual(e.fields, { 'http.status': 502, retry: 3 });
  });
  test('alternative names: time/severity/component/msg, epoch seconds, pino numeric level', () => {
    const a = parseLine(raw('{"time":1700000000,"severity":"WARNING","component":"db","msg":"slow"}'));
    assert.deepEqual(
      [a.timestamp, a.level, a.component, a.message],
      [1_700_000_000_000, 'WARN', 'db', 'slow'],
    );
    const b = parseLine(raw('{"time":1700000000123,"level":50,"service":"x","msg":"m"}'));
    assert.deepEqual([b.timestamp, b.level], [1_700_000_000_123, 'ERROR']);
  });
  test('JSON fields win over key=value text of the same name', () => {
    const e = parseLine(raw('{"message":"latency_ms=1","latency_ms":900}'));
    assert.equal(e.fields.latency_ms, 900);
  });
  test('broken JSON and JSON arrays are unparsed, not a crash', () => {
    assert.equal(parseLine(raw('{"message": "cut')).format, 'unparsed');
    assert.equal(parseLine(raw('[1,2,3]')).format, 'unparsed');
  });
});

describe('anything else is unparsed with a reason', () => {
  test('binary', () =>
    assert.equal(parseLine(raw(Buffer.from([0x1f, 0x8b, 0x00, 0x41]))).unparsedReason, 'binary'));
  test('invalid UTF-8', () =>
    assert.equal(parseLine(raw(Buffer.from([0x5b, 0xc3, 0x28, 0x5d]))).unparsedReason, 'invalid-utf8'));
  test('free text', () => assert.equal(parseLine(raw('hello world')).unparsedReason, 'no-format'));
  test('blank', () => assert.equal(parseLine(raw('   ')).unparsedReason, 'blank'));
});

describe('LineSplitter keeps byte offsets', () => {
  test('CRLF stripped, multibyte counted in bytes, partial line held back', () => {
    const s = new LineSplitter('f');
    const lines = s.push(Buffer.from('é1\r\nab\npart'));
    assert.deepEqual(
      lines.map((l) => [l.bytes.toString(), l.offset, l.nextOffset]),
      [
        ['é1', 0, 5],
        ['ab', 5, 8],
      ],
    );
    assert.equal(s.offset, 8);
    assert.equal(s.pendingBytes, 4);
    const more = s.push(Buffer.from('ial\n'));
    assert.deepEqual(
      more.map((l) => [l.bytes.toString(), l.offset, l.nextOffset]),
      [['partial', 8, 16]],
    );
  });
  test('over-long lines are cut and flagged, the stream continues', () => {
    const s = new LineSplitter('f', 100, { maxLineBytes: 4 });
    const lines = [...s.push(Buffer.from('abcdefgh')), ...s.push(Buffer.from('ij\nxy\n'))];
    assert.deepEqual(
      lines.map((l) => [l.bytes.toString(), l.offset, l.nextOffset, l.truncated === true]),
      [
        ['abcd', 100, 111, true],
        ['xy', 111, 114, false],
      ],
    );
  });
  test('end() gives the unterminated tail to finite inputs', () => {
    const s = new LineSplitter('f');
    s.push(Buffer.from('a\nb'));
    assert.deepEqual(
      s.end().map((l) => l.bytes.toString()),
      ['b'],
    );
  });
});

describe('multiline folding', () => {
  const run = (lines: string[]) => {
    const stage = new MultilineStage();
    const out: LogEvent[] = [];
    let offset = 0;
    for (const l of lines) {
      stage.process(parseLine(raw(l, offset)), (e) => out.push(e));
      offset += Buffer.byteLength(l) + 1;
    }
    stage.flush((e) => out.push(e));
    return { out, folded: stage.folded };
  };
  test('a stack trace joins the event above it and extends its nextOffset', () => {
    const lines = [
      '[2010-05-06 14:32:05] ERROR - [svc] failed',
      'java.lang.IllegalStateException: x',
      '\tat a.B(B.java:1)',
      '\t... 3 more',
      '[2010-05-06 14:32:06] INFO - [svc] next',
    ];
    const { out, folded } = run(lines);
    assert.equal(out.length, 2);
    assert.equal(folded, 3);
    assert.deepEqual(out[0]!.continuation, lines.slice(1, 4));
    assert.equal(out[0]!.nextOffset, out[1]!.offset);
  });
  test('an unparsed line that is not a continuation stays an event of its own; orphans pass through', () => {
    const { out } = run(['random words first', '[2010-05-06 14:32:05] INFO - [svc] ok', 'more random words']);
    assert.deepEqual(
      out.map((e) => e.format),
      ['unparsed', 'plain', 'unparsed'],
    );
  });
});

describe('key=value scanner edge cases', () => {
  const kv = (msg: string) => parseLine(raw(`[2010-05-06 14:32:05] INFO - [c] ${msg}`)).fields;
  test('delimiters, quotes, escapes, dotted keys, numbers', () => {
    assert.deepEqual(kv('=x k="a\\"b" n.m-o=1; (p=v) [z=1] a=b=c _e=-2.5e3 q=\'s p\''), {
      k: 'a\\"b',
      'n.m-o': 1,
      p: 'v',
      z: 1,
      a: 'b=c',
      _e: -2500,
      q: 's p',
    });
  });
  test('keys must start a word; empty values are skipped', () => {
    assert.deepEqual(kv('9x=1 url=http://h/p?a=1 e= done'), { url: 'http://h/p?a=1' });
  });
});

describe('LineSplitter and the caller’s buffer', () => {
  test('by default lines are copies: a caller reusing its read buffer does not corrupt them', () => {
    const s = new LineSplitter('f');
    const buf = Buffer.from('first\n');
    const lines = s.push(buf);
    buf.write('XXXXX\n');
    assert.equal(lines[0]!.bytes.toString(), 'first');
  });
  test('with chunksAreFresh lines are views into the chunk (no copy)', () => {
    const s = new LineSplitter('f', 0, { chunksAreFresh: true });
    const buf = Buffer.from('first\n');
    const lines = s.push(buf);
    assert.equal(lines[0]!.bytes.buffer, buf.buffer);
  });
});
