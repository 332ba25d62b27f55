// Writes a large seed-format log for memory tests: mixed levels and components, key=value fields, some
// unparsed lines, and a failure every 50,000 lines so the timeline has work to do.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mulberry32 } from '../../analyzer/src/samples/prng.ts';

// ~2 % ERROR and ~8 % WARN, like a service on a bad day.
const LEVELS = [
  ...Array(45).fill('INFO'),
  ...Array(4).fill('DEBUG'),
  ...Array(4).fill('WARN'),
  'ERROR',
] as string[];
const COMPONENTS = [
  'api',
  'db',
  'cache',
  'auth',
  'billing',
  'search',
  'queue',
  'mailer',
  'pricing',
  'gateway',
];

export async function writeBigLog(path: string, lines: number): Promise<number> {
  const out = createWriteStream(path);
  const r = mulberry32(42);
  const t0 = Date.UTC(2026, 0, 5, 9);
  let buf = '';
  let bytes = 0;
  for (let i = 0; i < lines; i++) {
    const t = new Date(t0 + i * 20).toISOString().replace('T', ' ').slice(0, 23);
    let line: string;
    if (i % 50_000 === 49_999) line = `[${t}] CRITICAL - [gateway] service down: outage detected`;
    else if (i % 997 === 0) line = `\tat com.example.Worker.run(Worker.java:${i % 300})`;
    else {
      const level = LEVELS[Math.floor(r() * LEVELS.length)]!;
      const c = COMPONENTS[Math.floor(r() * COMPONENTS.length)]!;
      line = `[${t}] ${level} - [${c}] request handled id=${i} latency_ms=${Math.floor(r() * 700)} user=u${Math.floor(r() * 5000)}`;
    }
    buf += `${line}\n`;
    if (buf.length > 1 << 20) {
      bytes += Buffer.byteLength(buf);
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  bytes += Buffer.byteLength(buf);
  out.end(buf);
  await once(out, 'finish');
  return bytes;
}
