// User patterns cannot hang the analyzer (issue 14, finding 2): rule files given with --rules and redaction
// patterns from the config run in RE2 (linear time); what RE2 cannot run is refused at load with file, line and
// reason. The catastrophic case runs through the real CLI in a child process: before the fix it never returned.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createRedactStage, RedactionConfigError } from '../../analyzer/src/redact/index.ts';
import { loadRules, RuleFileError } from '../../analyzer/src/rules/load.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-user-patterns-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const EVIL = String.raw`^(\w+\s?)+$`;

describe('user patterns run in linear time', () => {
  test('a catastrophic rule pattern on a long line: the analyze run completes', async () => {
    const rules = join(dir, 'evil.yml');
    writeFileSync(rules, `rules:\n  - id: evil\n    category: trigger\n    message: '${EVIL}'\n`);
    const log = join(dir, 'evil.log');
    // 29 characters took 2 s with a backtracking engine, doubling per character; this line has 5,000.
    writeFileSync(log, `[2010-05-06 14:32:05.123] ERROR - [api] ${'a'.repeat(5000)}!\n`);
    const r = await runCli(
      'analyzer/src/cli/analyze.ts',
      [log, '--rules', rules, '--out', join(dir, 'report'), '--no-anomalies'],
      {
        timeoutMs: 60_000,
      },
    );
    assert.equal(r.code, 0, `analyze finished (killed at 60 s otherwise): ${r.stderr}`);
  });

  test('a backreference in a user rule is refused at load with file, line and reason', () => {
    const rules = join(dir, 'backref.yml');
    writeFileSync(
      rules,
      'rules:\n  - id: ok\n    category: stress\n    level: ERROR\n  - id: twice\n    category: trigger\n    message: "(\\\\w+) \\\\1"\n',
    );
    assert.throws(
      () => loadRules(rules),
      (err: unknown) =>
        err instanceof RuleFileError && err.line === 7 && /backreferences and lookaround/.test(err.reason),
    );
  });

  test('a lookahead in a where =~ condition is refused too', () => {
    const rules = join(dir, 'lookahead.yml');
    writeFileSync(rules, "rules:\n  - id: la\n    category: trigger\n    where: 'path =~ ^/(?!health)'\n");
    assert.throws(
      () => loadRules(rules),
      (err: unknown) => err instanceof RuleFileError && err.line === 4,
    );
  });

  test('redaction patterns from the config: linear, and refused with their key when RE2 cannot run them', () => {
    const stage = createRedactStage({ patterns: [{ name: 'evil', regex: EVIL }] });
    const out: string[] = [];
    const long = `${'a'.repeat(5000)}!`;
    stage.process(
      {
        source: 's',
        offset: 0,
        nextOffset: 1,
        lineNo: 1,
        format: 'plain',
        timestamp: 0,
        level: 'INFO',
        component: 'c',
        message: long,
        fields: {},
      },
      (e) => void out.push(e.message),
    );
    assert.deepEqual(out, [long]);
    assert.throws(
      () => createRedactStage({ patterns: [{ name: 'la', regex: 'token(?=[a-z]+)' }] }),
      (err: unknown) =>
        err instanceof RedactionConfigError &&
        /pipeline\.redact\.patterns\[0\]\.la\.regex: .*RE2/.test(err.message),
    );
  });
});
