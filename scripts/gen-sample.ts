// Regenerates samples/flash-crash.log (deterministic). Usage: npx tsx scripts/gen-sample.ts
import { writeFileSync } from 'node:fs';
import { flashCrashLog } from '../analyzer/src/samples/flash-crash.ts';

const path = new URL('../samples/flash-crash.log', import.meta.url).pathname;
writeFileSync(path, flashCrashLog());
console.log(`wrote ${path}`);
