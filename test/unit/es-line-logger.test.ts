// The sink logs through the service's own one-line log function (serve.ts): one line per message, the small
// data the sink passes rendered as key=value, and the configured credentials scrubbed even if a value held them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineLogger, secretScrubber } from '../../analyzer/src/sinks/elasticsearch/index.ts';

test('sink messages become service log lines, credentials scrubbed', () => {
  const lines: string[] = [];
  const password = 'Pa55-w0rd-that-must-not-leak';
  const log = lineLogger((l) => lines.push(l), secretScrubber({ username: 'analyzer_writer', password }));
  log.info('elasticsearch reachable', { url: 'http://analyzer_writer:x@127.0.0.1:9200' });
  log.warn('elasticsearch unreachable; buffering and retrying', { error: `connect failed ${password}` });
  log.error('no data');
  assert.equal(lines.length, 3);
  assert.match(
    lines[0]!,
    /^elasticsearch info: elasticsearch reachable \(url="http:\/\/\[redacted\]@127\.0\.0\.1:9200"\)$/,
  );
  assert.match(lines[1]!, /^elasticsearch warn: .*error="connect failed \[redacted\]"/);
  assert.equal(lines[2], 'elasticsearch error: no data');
  assert.ok(lines.every((l) => !l.includes(password) && !l.includes('\n')));
});
