import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RawLine } from '../../analyzer/src/core/types.ts';
import { parseLine } from '../../analyzer/src/parse/index.ts';
import { Classifier } from '../../analyzer/src/rules/classify.ts';
import { loadRules, parseRules, RuleFileError } from '../../analyzer/src/rules/load.ts';

const ev = (s: string) =>
  parseLine({ source: 'a', offset: 0, nextOffset: 1, lineNo: 1, bytes: Buffer.from(s) } satisfies RawLine);
const line = (level: string, component: string, msg: string) =>
  ev(`[2010-05-06 14:32:05] ${level} - [${component}] ${msg}`);

describe('default rules', () => {
  const c = new Classifier(loadRules());
  const cases: Array<[string, string, string, string | null]> = [
    ['WARN', 'order-router', 'large sell order qty=75000', 'abnormal_input'],
    ['WARN', 'risk-engine', 'price limit check skipped for algo order', 'risk_bypass'],
    ['WARN', 'market-data', 'feed delayed latency_ms=850', 'stress'],
    ['WARN', 'market-data', 'feed delayed latency_ms=300', null],
    ['WARN', 'order-router', 'sell volume accelerating', 'risk_acceleration'],
    ['ERROR', 'risk-engine', 'circuit breaker did not trip: drop_pct=6.2', 'control_failure'],
    ['ERROR', 'pricing', 'execution at stub quote price=0.01', 'data_anomaly'],
    ['INFO', 'pricing', 'execution price=41.09', null],
    ['CRITICAL', 'gateway', 'trading halted: market crash', 'final_failure'],
    ['ERROR', 'alerting', 'ALERT fired: MarketCrash paging on-call', 'alerting'],
    ['INFO', 'deployer', 'deployment started of api v2.3', 'trigger'],
    ['INFO', 'api', 'request served in 3 ms', null],
    ['CRITICAL', 'db', 'nightly job state unexplained', 'final_failure'],
  ];
  for (const [level, comp, msg, want] of cases) {
    test(`${level} [${comp}] ${msg} → ${want}`, () => {
      assert.equal(c.classify(line(level, comp, msg))?.category ?? null, want);
    });
  }
  test('unparsed lines are never breadcrumbs', () => {
    assert.equal(c.classify(ev('CRITICAL trading halted')), null);
  });
  test('the breadcrumb carries symbol, rule id and severity', () => {
    const b = c.classify(line('CRITICAL', 'gw', 'trading halted'))!;
    assert.deepEqual([b.symbol, b.ruleId, b.severity], ['🔥', 'service-halted', 1]);
  });
});

describe('rule conditions', () => {
  const rules = parseRules(
    `rules:
  - id: a
    category: stress
    severity: 4
    component: [risk-*, Pricing]
    min_level: WARN
    where: ['latency_ms >= 500', "venue == 'CME'", 'order_id exists', 'path =~ ^/admin']
  - id: b
    category: trigger
    level: [INFO]
    message: '(?i)DEPLOY'
`,
    'inline',
  );
  const c = new Classifier(rules);
  test('all conditions hold', () => {
    assert.equal(
      c.classify(line('ERROR', 'risk-engine', 'x latency_ms=500 venue=CME order_id=1 path=/admin/x'))?.ruleId,
      'a',
    );
    assert.equal(
      c.classify(line('ERROR', 'pricing', 'x latency_ms=900 venue=CME order_id=1 path=/admin'))?.ruleId,
      'a',
    );
  });
  test('any failing condition rejects', () => {
    assert.equal(
      c.classify(line('ERROR', 'risk-engine', 'x latency_ms=499 venue=CME order_id=1 path=/admin')),
      null,
    );
    assert.equal(
      c.classify(line('ERROR', 'other', 'x latency_ms=900 venue=CME order_id=1 path=/admin')),
      null,
    );
    assert.equal(
      c.classify(line('INFO', 'risk-engine', 'x latency_ms=900 venue=CME order_id=1 path=/admin')),
      null,
    );
    assert.equal(
      c.classify(line('ERROR', 'risk-engine', 'x latency_ms=900 venue=NYSE order_id=1 path=/admin')),
      null,
    );
    assert.equal(c.classify(line('ERROR', 'risk-engine', 'x latency_ms=900 venue=CME path=/admin')), null);
  });
  test('level list and (?i) message', () => {
    assert.equal(c.classify(line('INFO', 'x', 'deploy v2'))?.ruleId, 'b');
    assert.equal(c.classify(line('WARN', 'x', 'deploy v2')), null);
  });
});

describe('invalid rule files name file, line and reason', () => {
  const bad = (text: string, line: number, reason: RegExp) => {
    assert.throws(
      () => parseRules(text, 'my-rules.yml'),
      (err: unknown) =>
        err instanceof RuleFileError &&
        err.file === 'my-rules.yml' &&
        err.line === line &&
        reason.test(err.reason),
    );
  };
  test('YAML syntax', () => bad('rules:\n  - id: a\n    id: b\n', 3, /not valid YAML/));
  test('unknown category', () =>
    bad('rules:\n  - id: a\n    category: doom\n    level: [ERROR]\n', 3, /category.*one of/));
  test('unknown key', () =>
    bad('rules:\n  - id: a\n    category: stress\n    levle: [ERROR]\n', 4, /unknown key 'levle'/));
  test('bad regex', () =>
    bad(
      'rules:\n  - id: a\n    category: stress\n    message: "(unclosed"\n',
      4,
      /not a valid regular expression/,
    ));
  test('bad condition', () =>
    bad(
      "rules:\n  - id: a\n    category: stress\n    where:\n      - 'price <'\n",
      5,
      /has no value|must look like/,
    ));
  test('bad severity', () =>
    bad('rules:\n  - id: a\n    category: stress\n    severity: 9\n    level: [ERROR]\n', 4, /severity/));
  test('duplicate id', () =>
    bad(
      'rules:\n  - id: a\n    category: stress\n    level: [ERROR]\n  - id: a\n    category: stress\n    level: [ERROR]\n',
      5,
      /duplicate/,
    ));
  test('rule without conditions', () => bad('rules:\n  - id: a\n    category: stress\n', 2, /no condition/));
  test('missing file', () => {
    assert.throws(() => loadRules('/nonexistent/rules.yml'), /cannot read the rule file \(ENOENT\)/);
  });
});
