// `npm run secrets`: writes .env from .env.example with strong random secrets.
// Usage: npm run secrets [-- --force] [--example <path>] [--out <path>]
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
  const filled = await writeEnvFromExample({
    examplePath: resolve(arg('example') ?? resolve(root, '.env.example')),
    outPath,
    force: argv.includes('--force'),
  });
  console.log(`wrote ${outPath} (mode 600); generated: ${filled.length > 0 ? filled.join(', ') : 'nothing'}`);
} catch (err) {
  console.error(`secrets: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
