// `npm run smoke`: requires the running compose stack; health of every service, then the incident drill.
// `npm run smoke -- --native`: the same drill against what is real without Docker (the analyzer with the
// Prometheus and Alertmanager binaries on PATH), for CI and machines without a Docker engine.
import { fileURLToPath } from 'node:url';
import { runSmoke } from '../provision/smoke.ts';
import { detectStack } from '../provision/stack.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--native');
if (unknown.length > 0) {
  console.error(`smoke: unknown argument ${unknown.join(' ')}; usage: npm run smoke [-- --native]`);
  process.exit(2);
}

if (args.includes('--native')) {
  // Loaded only here: the native drill runs the harness from test/helpers, which a live-only run never needs.
  const { nativeDrillAvailable, NativeDrillSetupError, runNativeDrill } = await import(
    '../provision/native-drill.ts'
  );
  const bins = nativeDrillAvailable();
  if (typeof bins === 'string') {
    console.error(
      `smoke --native: cannot run here (${bins}); install Debian's prometheus and prometheus-alertmanager`,
    );
    process.exit(2);
  }
  try {
    const result = await runNativeDrill({
      print: (line) => console.log(line),
      bins,
      hopTimeoutMs: Number(process.env.DRILL_HOP_TIMEOUT_MS ?? 90_000),
    });
    console.log(
      result.ok ? 'smoke --native: all hops passed' : `smoke --native: FAILED at "${result.failed?.hop}"`,
    );
    process.exit(result.ok ? 0 : 1);
  } catch (err) {
    if (!(err instanceof NativeDrillSetupError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

const stack = await detectStack();
if (!stack.live) {
  console.error(
    `smoke: the crumbtrail stack is not running (${stack.reason}); start it with \`docker compose up -d --wait\`, ` +
      'or run `npm run smoke -- --native` to drill the analyzer with the local Prometheus and Alertmanager binaries',
  );
  process.exit(2);
}
console.log(`smoke: ${stack.reason}`);
const result = await runSmoke(repoRoot, (line) => console.log(line));
console.log(result.ok ? 'smoke: all hops passed' : 'smoke: FAILED');
process.exit(result.ok ? 0 : 1);
