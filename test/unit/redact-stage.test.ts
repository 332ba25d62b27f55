// Redaction: secrets and personal data out of message, fields and continuation lines; counts per pattern;
// ordinary lines untouched (and returned as the same object: the hot path allocates nothing).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import type { LogEvent } from '../../analyzer/src/core/types.ts';
import {
  compilePattern,
  luhn,
  RedactionConfigError,
  Redactor,
  RedactStage,
} from '../../analyzer/src/redact/index.ts';

function ev(message: string, extra: Partial<LogEvent> = {}): LogEvent {
  return {
    source: 'a.log',
    offset: 0,
    nextOffset: message.length + 1,
    lineNo: 1,
    format: 'plain',
    timestamp: 0,
    level: 'INFO',
    component: 'auth',
    message,
    fields: {},
    ...extra,
  };
}

describe('redactor', () => {
  const r = new Redactor();
  const cases: [string, string, string][] = [
    ['login user=bob password=hunter2 ok', 'login user=bob password=[REDACTED] ok', 'secret_kv'],
    ['db_passwd: s3cr3t;', 'db_passwd: [REDACTED];', 'secret_kv'],
    ['{"api_key":"AKIA123456","x":1}', '{"api_key":"[REDACTED]","x":1}', 'secret_kv'],
    ['access_token=eyJhbGciOi.abc.def&next=1', 'access_token=[REDACTED]&next=1', 'secret_kv'],
    ['apikey=abc SECRET="two words"', 'apikey=[REDACTED] SECRET="[REDACTED]"', 'secret_kv'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y', 'Authorization: Bearer [REDACTED]', 'authorization'],
    ['authorization=Basic dXNlcjpwYXNz', 'authorization=Basic [REDACTED]', 'authorization'],
    ['card 4111 1111 1111 1111 declined', 'card [REDACTED-CARD] declined', 'credit_card'],
    ['card 4012-8888-8888-1881', 'card [REDACTED-CARD]', 'credit_card'],
    ['mail to jane.doe+x@example.co.uk failed', 'mail to [REDACTED]@example.co.uk failed', 'email'],
  ];
  for (const [input, expected, pattern] of cases) {
    test(`${pattern}: ${input}`, () => {
      const before = r.counts()[pattern] ?? 0;
      assert.equal(r.text(input), expected);
      assert.ok((r.counts()[pattern] ?? 0) > before, `${pattern} counted`);
    });
  }

  test('lookalikes stay: non-Luhn long numbers, timestamps, ids, plain words', () => {
    const keep = [
      'order 4111111111111112 shipped',
      '2026-11-21T10:00:00.123Z request_id=1234567890123 took 15ms',
      'tokens_seen 5 keyset rotated',
      'no secrets here, just a plain line',
      'version 1.2.3-rc.4 on host-12.example',
    ];
    for (const line of keep) assert.equal(r.text(line), line, line);
    assert.equal(luhn('4111111111111111'), true);
    assert.equal(luhn('4111111111111112'), false);
  });

  test('already redacted text is not counted again', () => {
    const once = r.text('password=x');
    const before = r.counts().secret_kv ?? 0;
    assert.equal(r.text(once), once);
    assert.equal(r.counts().secret_kv ?? 0, before);
  });
});

describe('redact stage', () => {
  test('message, fields (secret-named keys wholesale) and continuation lines; counter by pattern', async () => {
    const registry = new Registry();
    const stage = new RedactStage({ registry });
    assert.equal(stage.name, 'redact');
    const input = ev('payment failed for bob@example.com password=pw1', {
      fields: { password: 'pw1', user: 'bob@example.com', amount: 5, note: 'Bearer abcdefghij' },
      continuation: ['  at charge(card=4111111111111111)', '  at main'],
    });
    const out: LogEvent[] = [];
    stage.process(input, (e) => out.push(e));
    const e = out[0]!;
    assert.equal(e.message, 'payment failed for [REDACTED]@example.com password=[REDACTED]');
    assert.deepEqual(e.fields, {
      password: '[REDACTED]',
      user: '[REDACTED]@example.com',
      amount: 5,
      note: 'Bearer [REDACTED]',
    });
    assert.deepEqual(e.continuation, ['  at charge(card=[REDACTED-CARD])', '  at main']);
    assert.equal(input.fields.password, 'pw1', 'input event not mutated');
    const text = await registry.metrics();
    assert.match(text, /crumbtrail_redactions_total\{pattern="secret_kv"\} [2-9]/);
    assert.match(text, /crumbtrail_redactions_total\{pattern="email"\} 2/);
    assert.match(text, /crumbtrail_redactions_total\{pattern="credit_card"\} 1/);
    assert.match(text, /crumbtrail_redactions_total\{pattern="authorization"\} 1/);
  });

  test('an event with nothing to redact passes through as the same object', () => {
    const stage = new RedactStage();
    const input = ev('GET /health 200 in 3ms', { fields: { status: 200, path: '/health' } });
    let got: LogEvent | undefined;
    stage.process(input, (e) => {
      got = e;
    });
    assert.equal(got, input);
  });

  test('configured patterns: compiled with a precheck; bad ones fail naming the pattern', () => {
    const ssn = compilePattern({ name: 'ssn', regex: '\\b\\d{3}-\\d{2}-\\d{4}\\b', precheck: ['-'] });
    const r = new Redactor({ patterns: [ssn] });
    assert.equal(r.text('ssn 123-45-6789 on file'), 'ssn [REDACTED] on file');
    assert.throws(() => compilePattern({ name: 'Bad Name', regex: 'x' }), RedactionConfigError);
    assert.throws(() => compilePattern({ name: 'broken', regex: '(' }), /redact\.patterns\.broken\.regex/);
  });
});

describe('createRedactStage (the service factory for pipeline.redact)', () => {
  test('defaults on, extra patterns after them, one counter per registry, bad options name the key', async () => {
    const { createRedactStage } = await import('../../analyzer/src/redact/index.ts');
    const registry = new Registry();
    const a = createRedactStage(
      { patterns: [{ name: 'ticket', regex: 'TCK-\\d+', precheck: ['tck-'] }] },
      registry,
    );
    const b = createRedactStage({}, registry); // same registry again: no duplicate-metric throw
    assert.equal(a.redactor.text('TCK-42 password=x'), '[REDACTED] password=[REDACTED]');
    assert.equal(b.redactor.text('TCK-42'), 'TCK-42');
    assert.equal(createRedactStage({ defaults: false }).redactor.text('password=x'), 'password=x');
    assert.throws(() => createRedactStage({ pattern: [] }), /pipeline\.redact\.pattern: unknown option/);
    assert.throws(() => createRedactStage({ patterns: [{ name: 'x' }] }), /pipeline\.redact\.patterns\[0\]/);
    assert.match(await registry.metrics(), /crumbtrail_redactions_total\{pattern="ticket"\} 1/);
  });
});
