// .github/workflows/stack.yml, the users' CI: valid YAML (GitHub rejects an unparsable workflow), REQUIRE_ALL=1 so
// no layer passes by skipping, and everything those layers need installed: the Prometheus/Alertmanager tools, a
// Chromium at /usr/bin/chromium, every vendor spec the contract and compose layers read, Node 20 and 22.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/native-stack.ts';
import { SPEC_FILES, SPECS_DIR } from '../helpers/openapi-contract.ts';
import { REQUIRE_ALL_ENV } from '../helpers/skip.ts';

const text = readFileSync(join(REPO_ROOT, '.github/workflows/stack.yml'), 'utf8');

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  env?: Record<string, string>;
  strategy?: { matrix?: { node?: number[] } };
  steps: Step[];
}

describe('.github/workflows/stack.yml', () => {
  const wf = parse(text, { strict: true, uniqueKeys: true }) as { jobs: Record<string, Job> };
  const job = wf.jobs.stack!;
  const runs = job.steps.map((s) => s.run ?? '').join('\n');

  test('parses as YAML and has the stack job', () => {
    assert.ok(job, 'jobs.stack');
  });

  test('REQUIRE_ALL=1 (every skip fails) and the live stack is expected', () => {
    assert.equal(job.env?.[REQUIRE_ALL_ENV], '1');
    assert.equal(job.env?.STACK, 'live');
  });

  test('Node 20 and 22, the setup-node version taken from the matrix', () => {
    assert.deepEqual(job.strategy?.matrix?.node, [20, 22]);
    const node = job.steps.find((s) => s.uses?.startsWith('actions/setup-node'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template
    assert.equal(node?.with?.['node-version'], '${{ matrix.node }}');
  });

  test('installs what the config, integration and browser layers drive', () => {
    assert.match(runs, /apt-get install[^\n]*prometheus prometheus-alertmanager/);
    assert.match(runs, /\/usr\/bin\/chromium --version/);
  });

  test('puts every vendor spec the tests read into ../shared/specs, pinned and checksummed', () => {
    const wanted = ['compose/compose-spec.json', ...Object.values(SPEC_FILES)];
    for (const f of wanted) {
      const line = new RegExp(`${f.replace(/[.]/g, '\\.')} ([0-9a-f]{64})`).exec(runs);
      assert.ok(line, `${f} is not fetched by the workflow`);
      // Where the specs are on this machine, the pinned checksum must be theirs (the tests saw those bytes).
      const local = join(SPECS_DIR, f);
      if (existsSync(local)) {
        assert.equal(
          createHash('sha256').update(readFileSync(local)).digest('hex'),
          line[1],
          `${f} checksum`,
        );
      }
    }
    assert.match(runs, /\$GITHUB_WORKSPACE\/\.\.\/shared\/specs/);
    assert.match(runs, /sha256sum -c/);
  });

  test('bootstrap as documented, then every test layer', () => {
    assert.match(runs, /cp \.env\.example \.env\n\s*npm run secrets\n/);
    assert.match(runs, /npm test/);
  });
});
