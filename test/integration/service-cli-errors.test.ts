// `serve` keeps its promise for user errors: one line naming the problem and exit 2, never a stack (issue 14,
// finding 6). One case per error class that reaches the entry point; a bug still exits 1 with its stack.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const SERVE = 'analyzer/src/cli/serve.ts';
const dir = mkdtempSync(join(tmpdir(), 'ct-serve-err-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function serveFails(args: string[], env: Record<string, string> = {}) {
  const r = await runCli(SERVE, ['--port', '0', '--no-anomalies', ...args], { env, timeoutMs: 60_000 });
  const lines = r.stderr.trim().split('\n');
  assert.equal(r.code, 2, `exit 2, got ${r.code}: ${r.stderr}`);
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

describe('serve: user errors are one line and exit 2', () => {
  test('a wildcard in the directory part of --glob (GlobError)', async () => {
    const line = await serveFails(['--glob', join(dir, '*', 'app.log'), '--state-dir', join(dir, 's1')]);
    assert.match(line, /^crumbtrail: .*wildcard/i);
  });

  test('a corrupt checkpoint file (CheckpointError)', async () => {
    const state = join(dir, 's2');
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'checkpoints.json'), '{ not json');
    const line = await serveFails(['--glob', join(dir, '*.log'), '--state-dir', state]);
    assert.match(line, /checkpoint file .*checkpoints\.json: .*--reset-checkpoints/);
  });

  test('a bad config value (ConfigError)', async () => {
    const line = await serveFails(['--glob', join(dir, '*.log'), '--batch-lines', 'many']);
    assert.match(line, /--batch-lines .*expected an integer/);
  });

  test('a rule file that does not load (RuleFileError)', async () => {
    const rules = join(dir, 'bad-rules.yml');
    writeFileSync(rules, 'rules:\n  - id: x\n    category: nonsense\n');
    const line = await serveFails([
      '--glob',
      join(dir, '*.log'),
      '--rules',
      rules,
      '--state-dir',
      join(dir, 's3'),
    ]);
    assert.match(line, /bad-rules\.yml:3: .*category/);
  });

  test('an unreadable API token file (ConfigError)', async () => {
    const line = await serveFails(['--glob', join(dir, '*.log')], {
      CRUMBTRAIL_API_TOKEN_FILE: join(dir, 'missing-token'),
    });
    assert.match(line, /CRUMBTRAIL_API_TOKEN_FILE .*cannot read/);
  });
});
