// `npm run provision [-- --dry-run] [--only es,kibana,grafana,prometheus] [--wait 180s]`: see provision/run.ts.
import { fileURLToPath } from 'node:url';
import { ConfigError, HelpRequested, parseArgs } from '../provision/config.ts';
import { runProvision } from '../provision/run.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
try {
  const config = parseArgs(process.argv.slice(2), process.env, repoRoot);
  const { exitCode } = await runProvision(config, (line) => console.log(line));
  process.exit(exitCode);
} catch (err) {
  if (err instanceof HelpRequested) {
    console.log(err.message);
    process.exit(0);
  }
  if (err instanceof ConfigError) {
    console.error(`provision: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
