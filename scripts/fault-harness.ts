// `npx tsx scripts/fault-harness.ts [--soak]`: the fault harness (test/integration/fault-harness.test.ts) on its
// own; --soak runs it with SOAK=1 (≥ 100 kill -9, up to 30 min per scenario). Prints the accounting table.
import { spawnSync } from 'node:child_process';

const soak = process.argv.includes('--soak');
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/integration/fault-harness.test.ts'],
  { stdio: 'inherit', env: { ...process.env, ...(soak ? { SOAK: '1' } : {}) } },
);
process.exit(r.status ?? 1);
