// `npm test`: static checks, then every test layer with node's own test runner.
// Usage: npm test [-- layer…]   layers: unit config engine contract integration smoke (default: all)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { $ } from 'zx';

const LAYERS = ['unit', 'config', 'engine', 'contract', 'integration', 'smoke'] as const;
const root = new URL('..', import.meta.url).pathname;

function testFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !(LAYERS as readonly string[]).includes(w));
if (unknown.length > 0) {
  console.error(`npm test: unknown layer ${unknown.join(', ')}; choose from ${LAYERS.join(', ')}`);
  process.exit(2);
}
const layers = wanted.length > 0 ? wanted : [...LAYERS];

$.cwd = root;
$.verbose = true;
if (wanted.length === 0) {
  await $`npx tsc -p tsconfig.json --noEmit`;
  await $`npx biome check .`;
}
const files = layers.flatMap((l) => testFiles(join(root, 'test', l))).map((f) => relative(root, f));
if (files.length === 0) {
  console.error('npm test: no test files found');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = await $({
  nothrow: true,
})`node --import tsx --test --test-concurrency=${concurrency} ${files}`;
process.exit(result.exitCode ?? 1);
