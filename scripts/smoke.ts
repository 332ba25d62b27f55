// `npm run smoke`: requires the running compose stack; health of every service, then the incident drill.
import { fileURLToPath } from 'node:url';
import { runSmoke } from '../provision/smoke.ts';
import { detectStack } from '../provision/stack.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const stack = await detectStack();
if (!stack.live) {
  console.error(
    `smoke: the crumbtrail stack is not running (${stack.reason}); start it with \`docker compose up -d --wait\``,
  );
  process.exit(2);
}
console.log(`smoke: ${stack.reason}`);
const result = await runSmoke(repoRoot, (line) => console.log(line));
console.log(result.ok ? 'smoke: all hops passed' : 'smoke: FAILED');
process.exit(result.ok ? 0 : 1);
