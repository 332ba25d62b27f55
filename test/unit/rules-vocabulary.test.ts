// The default rules on the failure vocabulary of real systems, and the misfires they must not make.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogEvent, RawLine } from '../../analyzer/src/core/types.ts';
import { MultilineStage, parseLine } from '../../analyzer/src/parse/index.ts';
import { Classifier } from '../../analyzer/src/rules/classify.ts';
import { loadRules, parseRules } from '../../analyzer/src/rules/load.ts';

/** Parse one or more physical lines (a line plus its stack trace) into the event the classifier sees. */
function event(text: string): LogEvent {
  const multiline = new MultilineStage();
  const out: LogEvent[] = [];
  text.split('\n').forEach((l, i) => {
    const raw: RawLine = { source: 'a', offset: i, nextOffset: i + 1, lineNo: i + 1, bytes: Buffer.from(l) };
    multiline.process(parseLine(raw), (e) => out.push(e));
  });
  multiline.flush?.((e) => out.push(e));
  assert.equal(out.length, 1, `one event from ${JSON.stringify(text)}`);
  return out[0]!;
}
const line = (level: string, component: string, msg: string) =>
  event(`[2024-05-01 10:00:00] ${level} - [${component}] ${msg}`);

const rules = loadRules();
const c = new Classifier(rules);

describe('every default rule documents an example line, and matches it', () => {
  for (const r of rules.rules) {
    test(r.id, () => {
      assert.ok(r.examples && r.examples.length > 0, `rule '${r.id}' has an example`);
      if (r.after) {
        // A rule that applies only after a run of other breadcrumbs: its examples are that run, then the line.
        const fresh = new Classifier(rules);
        const last = r.examples[r.examples.length - 1]!;
        for (const ex of r.examples.slice(0, -1))
          assert.equal(fresh.classify(event(ex))?.category, r.after.category);
        assert.equal(fresh.classify(event(last))?.ruleId, r.id, last);
        assert.notEqual(
          new Classifier(rules).classify(event(last))?.ruleId,
          r.id,
          'not without the run before',
        );
        return;
      }
      for (const ex of r.examples) assert.equal(c.classify(event(ex))?.ruleId, r.id, ex);
    });
  }
});

describe('the failure vocabulary of real systems', () => {
  const cases: Array<[string, string, string, string]> = [
    // web tier
    ['ERROR', 'nginx', 'no live upstreams while connecting to upstream, client: 127.0.0.1', 'final_failure'],
    [
      'ERROR',
      'nginx',
      'recv() failed (104: Connection reset by peer) while reading response header',
      'stress',
    ],
    ['ERROR', 'nginx', 'worker process 4121 exited on signal 9', 'final_failure'],
    ['WARN', 'api', 'write EPIPE: broken pipe', 'stress'],
    // databases
    ['INFO', 'postgres', 'terminating any other active server processes', 'none'],
    ['INFO', 'postgres', 'all server processes terminated; reinitializing', 'final_failure'],
    [
      'INFO',
      'postgres',
      'database system was interrupted; last known up at 2024-05-01 09:59:01 UTC',
      'risk_acceleration',
    ],
    ['ERROR', 'postgres', 'canceling statement due to statement timeout', 'stress'],
    ['FATAL', 'postgres', 'sorry, too many clients already', 'stress'],
    ['FATAL', 'postgres', 'password authentication failed for user "app"', 'abnormal_input'],
    ['FATAL', 'postgres', 'the database system is in recovery mode', 'final_failure'],
    [
      'WARN',
      'mysql',
      'Deadlock found when trying to get lock; try restarting transaction',
      'control_failure',
    ],
    ['WARN', 'mysql', 'replica lagging: 340 seconds behind master', 'stress'],
    // caches, brokers, coordination
    ['WARN', 'redis', 'Error accepting a client connection: accept: Too many open files', 'stress'],
    [
      'WARN',
      'kafka',
      'Connection to node 1 (localhost/127.0.0.1:9092) could not be established. Broker may not be available.',
      'stress',
    ],
    ['INFO', 'consumer', 'Marking the coordinator broker-1:9092 (id: 2147483646) dead', 'control_failure'],
    ['WARN', 'zookeeper', 'Connection broken for id 1, my id = 3, error =', 'stress'],
    ['WARN', 'consumer', 'consumer lag growing on topic=orders partition=3', 'stress'],
    // JVM, runtimes
    ['WARN', 'es', '[gc][12] overhead, spent [1.2s] collecting in the last [1.5s]', 'stress'],
    ['ERROR', 'app', 'java.lang.OutOfMemoryError: Java heap space', 'final_failure'],
    [
      'ERROR',
      'node',
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      'final_failure',
    ],
    ['INFO', 'worker', 'Retrying in 8s (attempt 3 of 5)', 'stress'],
    ['DEBUG', 'worker', 'caught java.net.SocketTimeoutException on poll', 'control_failure'],
    ['INFO', 'worker', 'caught NullPointerException while rendering', 'control_failure'],
    // containers, init, kernel
    ['ERROR', 'kubelet', 'pod api-7d9f container api terminated: OOMKilled', 'final_failure'],
    [
      'WARN',
      'kubelet',
      'Liveness probe failed: Get "http://10.0.0.5:8080/healthz": context deadline exceeded',
      'control_failure',
    ],
    ['INFO', 'systemd', 'api.service: Main process exited, code=killed, status=9/KILL', 'final_failure'],
    ['INFO', 'systemd', 'api.service: Main process exited, code=exited, status=0/SUCCESS', 'none'],
    ['ERROR', 'app', 'could not write segment: No space left on device', 'final_failure'],
    ['WARN', 'es', 'flood stage disk watermark [95%] exceeded on [node-1]', 'stress'],
    // security
    ['INFO', 'sshd', 'Invalid user oracle from 198.51.100.23 port 40022', 'abnormal_input'],
    ['WARN', 'api', 'JWT token expired for client=c-17', 'abnormal_input'],
    // circuit breakers, changes
    ['WARN', 'checkout', 'circuit breaker payments-api opened', 'risk_acceleration'],
    ['INFO', 'deployer', 'rollout of checkout v43 to 10 % of hosts', 'trigger'],
    ['INFO', 'nginx', 'reconfiguring', 'trigger'],
  ];
  for (const [level, comp, msg, want] of cases) {
    test(`${level} [${comp}] ${msg} → ${want}`, () => {
      assert.equal(c.classify(line(level, comp, msg))?.category ?? 'none', want);
    });
  }
});

describe('misfires that must not happen (issue 11)', () => {
  test('"kill switch unavailable: no per-host halt control" is a missing control, not the final failure', () => {
    for (const level of ['ERROR', 'CRITICAL']) {
      const b = c.classify(line(level, 'smars', 'kill switch unavailable: no per-host halt control'));
      assert.equal(b?.category, 'control_failure', level);
    }
  });
  test('"No configuration change required" is not a trigger', () => {
    assert.equal(c.classify(line('INFO', 'cfg', 'No configuration change required')), null);
    assert.equal(
      c.classify(line('INFO', 'cfg', 'configuration change applied: max_conn=200'))?.category,
      'trigger',
    );
  });
  test('a syslog ALERT severity is a level (FATAL), not the alerting category', () => {
    const e = line('ALERT', 'kernel', 'RAID array md0 degraded');
    assert.equal(e.level, 'FATAL');
    assert.notEqual(c.classify(e)?.category, 'alerting');
  });
  test('words match whole words, not substrings', () => {
    // "crashed" is a word; "crashpad" and "halting problem" are not the failure words.
    assert.notEqual(c.classify(line('ERROR', 'ui', 'crashpad handler missing'))?.category, 'final_failure');
    assert.equal(c.classify(line('ERROR', 'ui', 'renderer crashed'))?.category, 'final_failure');
    assert.equal(c.classify(line('WARN', 'cache', 'recordedeadlockstats flushed')), null);
    assert.equal(c.classify(line('INFO', 'api', 'reported no errors and no exceptions')), null);
  });
});

describe('`unless` and stack_trace conditions', () => {
  const r = new Classifier(
    parseRules(
      `rules:
  - id: change
    category: trigger
    message: '\\bchange\\b'
    unless: '\\bno change\\b'
  - id: traced
    category: control_failure
    where: ['stack_trace =~ at com\\.']
`,
      'inline',
    ),
  );
  test('unless rejects', () => {
    assert.equal(r.classify(line('INFO', 'x', 'change applied'))?.ruleId, 'change');
    assert.equal(r.classify(line('INFO', 'x', 'no change'))?.ruleId, undefined);
  });
  test('stack_trace sees the folded lines', () => {
    assert.equal(
      r.classify(event('[2024-05-01 10:00:00] INFO - [x] done\n\tat com.x.Y.z(Y.java:1)'))?.ruleId,
      'traced',
    );
    assert.equal(r.classify(line('INFO', 'x', 'done')), null);
  });
});

describe('structured loggers: the error beside the message counts', () => {
  test('"session write failed" with error="OOM command not allowed…" is the cache out of memory', () => {
    const e = event(
      '{"timestamp":"2026-12-04T18:42:22Z","level":"error","service":"session-store","message":"session write failed","error":"OOM command not allowed when used memory > \'maxmemory\'."}',
    );
    assert.equal(c.classify(e)?.ruleId, 'out-of-memory');
  });
  test('pressure before the failure: memory high, pool nearly exhausted', () => {
    assert.equal(
      c.classify(line('WARN', 'session-store', 'redis memory high ratio=0.73'))?.category,
      'stress',
    );
    assert.equal(
      c.classify(line('WARN', 'orders-api', 'connection pool nearly exhausted'))?.category,
      'stress',
    );
  });
});

describe('formats without levels', () => {
  test('a line without a level (traditional syslog files) is still judged by its content', () => {
    const e = event(
      '{"timestamp":"2026-12-04T18:43:02Z","service":"sshd","message":"Invalid user admin from 203.0.113.77 port 41022"}',
    );
    assert.equal(e.level, 'UNKNOWN');
    assert.equal(c.classify(e)?.ruleId, 'break-in-attempt');
  });
});

describe('negations held in fields', () => {
  test('`"message":"configuration reloaded","changed":false` is not a change; with changes it is', () => {
    const at = '"timestamp":"2026-12-04T09:31:05.877Z","level":"info"';
    const same = event(`{${at},"component":"http","message":"configuration reloaded","changed":false}`);
    assert.equal(c.classify(same), null);
    const changed = event(
      `{${at},"component":"pricecache","message":"configuration reloaded","max_entries":0}`,
    );
    assert.equal(c.classify(changed)?.category, 'trigger');
  });
});

describe('routine noise is not a breadcrumb', () => {
  test("nginx's error line for a missing favicon (every 404 of a static file) is not a signal", () => {
    const msg =
      'open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 10.0.0.7';
    assert.equal(c.classify(line('ERROR', 'nginx', msg)), null);
  });
  test('the error beside a logfmt message (err=…) counts', () => {
    const e = event(
      '{"timestamp":"2026-12-04T18:45:19Z","level":"error","component":"dispatcher","message":"Notify for alerts failed","err":"notify retry canceled after 7 attempts: unexpected status code 502"}',
    );
    assert.equal(c.classify(e)?.ruleId, 'retries-exhausted');
  });
});
