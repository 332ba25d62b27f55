// `npm run secrets`: writes .env from .env.example with strong random secrets, or, when .env exists (e.g. after
// `cp .env.example .env`), fills its empty, default or missing secrets in place and never changes a set one.
// Rerunning it is safe: nothing to fill is exit 0. Exit 1 only when a set secret is one setup would refuse.
// Usage: npm run secrets [-- --force] [--example <path>] [--out <path>]   (--force: all-new secrets)
// Prints only the names of the variables it filled, never their values.
import { resolve } from 'node:path';
import { writeEnvFromExample } from './lib/env-file.ts';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

try {
  const outPath = resolve(arg('out') ?? resolve(root, '.env'));
  const { action, filled, refused } = await writeEnvFromExample({
    examplePath: resolve(arg('example') ?? resolve(root, '.env.example')),
    outPath,
    force: argv.includes('--force'),
  });
  if (action === 'created') console.log(`wrote ${outPath} (mode 600); generated: ${filled.join(', ')}`);
  else if (action === 'updated')
    console.log(`filled in ${outPath} (mode 600, set values kept): ${filled.join(', ')}`);
  else console.log(`${outPath}: every secret is already set; nothing to do`);
  for (const r of refused) {
    console.error(`secrets: ${r.name} in ${outPath} ${r.reason}: set a longer value, or empty it and rerun`);
  }
  if (refused.length > 0) process.exit(1);
} catch (err) {
  console.error(`secrets: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
