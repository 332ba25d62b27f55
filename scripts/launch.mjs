// Runs an analyzer command (analyzer/src/cli/<name>.ts) as one esbuild bundle on plain node, in this process.
// Why not tsx: its loader thread stays resident and costs ~40 MB of RSS, which matters for a tool whose
// memory bound is part of its contract. The bundle is built once and kept (analyzer/.build/<name>.mjs) with the
// list of source files it came from; it is rebuilt only when one of them changed or went away, so it is never
// stale and a start usually loads no esbuild at all. When it does build, esbuild's service process is stopped
// before the command runs: the started analyzer is one node process (plus npm, when started through npm).
// Plain JS on purpose: it must run before anything is compiled.
// For debugging with TypeScript stack traces, run the sources directly: npx tsx analyzer/src/cli/<name>.ts
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z-]+$/.test(name)) {
  console.error('usage: node scripts/launch.mjs <analyze|serve> [args…]');
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
// Inside analyzer/ so paths resolved from import.meta.url (the default rules) hold as in the sources.
const outDir = `${root}analyzer/.build`;
const outfile = `${outDir}/${name}.mjs`;
const inputsFile = `${outDir}/${name}.inputs.json`;

/** The bundle exists and no source it was built from is newer (or gone). */
function upToDate() {
  try {
    const built = statSync(outfile).mtimeMs;
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
    return Array.isArray(inputs) && inputs.length > 0 && inputs.every((p) => statSync(p).mtimeMs <= built);
  } catch {
    return false;
  }
}

if (!upToDate()) {
  mkdirSync(outDir, { recursive: true });
  const esbuild = await import('esbuild');
  // Built under a private name and renamed: a concurrent launch never imports a half-written bundle.
  const tmp = `${outfile}.${process.pid}.tmp.mjs`;
  try {
    const result = await esbuild.build({
      entryPoints: [`${root}analyzer/src/cli/${name}.ts`],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
      metafile: true,
      absWorkingDir: root,
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(root, p));
    writeFileSync(inputsFile, `${JSON.stringify(inputs)}\n`);
    renameSync(tmp, outfile);
  } finally {
    await esbuild.stop();
  }
}
process.argv = [process.argv[0], outfile, ...args];
await import(outfile);
