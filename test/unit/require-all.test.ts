// REQUIRE_ALL=1 turns a skip into a failure: a child test run with a missing prerequisite passes (skipped)
// without the switch and fails with it, naming the reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/native-stack.ts';

const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-require-all-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'needs-a-tool.test.ts');
writeFileSync(
  file,
  `import { describe, test } from 'node:test';
import { skipOrFail } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'test/helpers/skip.ts')).href)};
describe('needs a tool', { skip: skipOrFail('frobnicator not on PATH') }, () => { test('uses it', () => {}); });
`,
);

function run(env: NodeJS.ProcessEnv): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, REQUIRE_ALL: undefined, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('REQUIRE_ALL switch (test/helpers/skip.ts)', () => {
  test('without it a missing prerequisite skips, visibly', () => {
    const r = run({});
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /skipped: frobnicator not on PATH/);
  });

  test('with REQUIRE_ALL=1 the same skip fails and says why', () => {
    const r = run({ REQUIRE_ALL: '1' });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /REQUIRE_ALL=1 turns this skip into a failure/);
    assert.match(r.out, /frobnicator not on PATH/);
  });
});
