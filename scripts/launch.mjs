// Runs an analyzer command (analyzer/src/cli/<name>.ts) as one esbuild bundle on plain node.
// Why not tsx: its loader thread stays resident and costs ~40 MB of RSS, which matters for a tool whose
// memory bound is part of its contract (1 M lines under 200 MB). Bundling takes ~0.2 s, so it is done on
// every run: never stale. Plain JS on purpose: it must run before anything is compiled.
// For debugging with TypeScript stack traces, run the sources directly: npx tsx analyzer/src/cli/<name>.ts
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z-]+$/.test(name)) {
  console.error('usage: node scripts/launch.mjs <analyze|serve> [args…]');
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
// Inside analyzer/ so paths resolved from import.meta.url (the default rules) hold as in the sources.
const outDir = `${root}analyzer/.build`;
const outfile = `${outDir}/${name}-${process.pid}.mjs`;
mkdirSync(outDir, { recursive: true });
await build({
  entryPoints: [`${root}analyzer/src/cli/${name}.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'error',
});
process.argv = [process.argv[0], outfile, ...args];
try {
  await import(outfile);
} finally {
  rmSync(outfile, { force: true });
}
