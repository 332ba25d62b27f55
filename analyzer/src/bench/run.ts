// `npm run bench`: corpus → (a) readline+regex reference, (b) the analyzer pipeline, (c) mtail --one_shot;
// several repetitions each in a child process (so peak RSS is per run), median and min; then (b) at 10× the
// lines for the memory bound; then (d) shipping throughput of the Elasticsearch sink into the stand-in.
// Figures are printed and saved; nothing here is asserted (machines are noisy).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchShipping, type ShippingBenchResult } from '../sinks/elasticsearch/bench.ts';
import type { ChildResult } from './child-result.ts';
import { CORPUS_VERSION, writeCorpus } from './corpus.ts';
import { runMtail } from './mtail.ts';

export interface BenchOptions {
  root: string;
  lines: number;
  reps: number;
  quick: boolean;
  mtail: string | null;
  log: (line: string) => void;
}

const here = new URL('.', import.meta.url).pathname;

function runChild(script: string, args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`${script} exited ${code}`));
      try {
        resolve(JSON.parse(last) as ChildResult);
      } catch {
        reject(new Error(`${script} printed no result: ${last.slice(0, 200)}`));
      }
    });
  });
}

interface Summary {
  name: string;
  lines: number;
  bytes: number;
  medianSeconds: number;
  minSeconds: number;
  linesPerSecondMedian: number;
  linesPerSecondBest: number;
  mbPerSecondMedian: number;
  peakRssMiB: number;
  check: Record<string, number>;
}

function summarise(runs: ChildResult[]): Summary {
  const secs = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const median = secs[Math.floor(secs.length / 2)]!;
  const min = secs[0]!;
  const r0 = runs[0]!;
  return {
    name: r0.name,
    lines: r0.lines,
    bytes: r0.bytes,
    medianSeconds: median,
    minSeconds: min,
    linesPerSecondMedian: r0.lines / median,
    linesPerSecondBest: r0.lines / min,
    mbPerSecondMedian: r0.bytes / 1e6 / median,
    peakRssMiB: Math.max(...runs.map((r) => r.maxRssBytes)) / 2 ** 20,
    check: r0.check,
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export async function runBench(o: BenchOptions): Promise<Record<string, unknown>> {
  const dir = join(o.root, '.bench');
  mkdirSync(dir, { recursive: true });
  const corpus = join(dir, `corpus-v${CORPUS_VERSION}-${o.lines}.log`);
  if (!existsSync(corpus)) {
    o.log(`generating ${fmt(o.lines)}-line corpus → ${corpus}`);
    const tmp = `${corpus}.tmp`;
    await writeCorpus(tmp, o.lines);
    renameSync(tmp, corpus);
  }
  const runs: Record<string, ChildResult[]> = { a: [], b: [], c: [] };
  for (let rep = 1; rep <= o.reps; rep++) {
    o.log(`repetition ${rep}/${o.reps}`);
    runs.a!.push(await runChild('reference.ts', [corpus]));
    runs.b!.push(await runChild('analyzer-run.ts', [corpus]));
    if (o.mtail) runs.c!.push(await runMtail(o.mtail, dir, corpus, runs.a![0]!.lines));
  }
  const a = summarise(runs.a!);
  const b = summarise(runs.b!);
  const c = runs.c!.length > 0 ? summarise(runs.c!) : null;
  const rows = [a, b, ...(c ? [c] : [])];
  o.log('');
  o.log(
    `corpus: ${fmt(a.lines)} lines, ${(a.bytes / 2 ** 20).toFixed(1)} MiB; ${o.reps} repetitions (median / best)`,
  );
  o.log('run                   lines/s (median)   lines/s (best)   MB/s (median)   peak RSS');
  for (const r of rows) {
    o.log(
      `${r.name.padEnd(22)}${fmt(r.linesPerSecondMedian).padStart(16)}${fmt(r.linesPerSecondBest).padStart(17)}${r.mbPerSecondMedian.toFixed(1).padStart(16)}${`${r.peakRssMiB.toFixed(0)} MiB`.padStart(11)}`,
    );
  }
  const ratioBA = b.linesPerSecondMedian / a.linesPerSecondMedian;
  const ratioBC = c ? b.linesPerSecondMedian / c.linesPerSecondMedian : null;
  o.log('');
  o.log(`(b)/(a) = ${(ratioBA * 100).toFixed(0)} % of the bare readline+regex loop (target ≥ 50 %)`);
  o.log(
    ratioBC === null
      ? '(b)/(c): mtail not on PATH, skipped'
      : `(b)/(c) = ${ratioBC.toFixed(2)}× mtail --one_shot (target ≥ 2.5×)`,
  );
  o.log(
    `checks: analyzer ${JSON.stringify(b.check)}; reference ${JSON.stringify(a.check)}${c ? `; mtail ${JSON.stringify(c.check)}` : ''}`,
  );

  let big: ChildResult | null = null;
  if (!o.quick) {
    o.log('');
    o.log(`(b) at ${fmt(a.lines * 10)} lines (the corpus read 10× as one stream) for the memory bound…`);
    big = await runChild('analyzer-run.ts', [corpus, '10']);
    o.log(
      `  ${fmt(big.lines)} lines in ${big.seconds.toFixed(1)} s (${fmt(big.lines / big.seconds)} lines/s); peak RSS ${(big.maxRssBytes / 2 ** 20).toFixed(0)} MiB vs ${b.peakRssMiB.toFixed(0)} MiB at ${fmt(b.lines)} (target ≤ 150 MiB, flat)`,
    );
  }
  const shipping = await shippingFigures(o);
  const result = {
    at: new Date().toISOString(),
    node: process.version,
    rows,
    ratioBA,
    ratioBC,
    big,
    shipping,
  };
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  o.log(`saved ${join(dir, 'results.json')}`);
  return result;
}

/**
 * (d) Documents per second from the sink, through the real client, bulk loop and acking, into the stand-in
 * Elasticsearch (test/helpers/es-standin.ts). The stand-in answers at once, so this is our side of the wire:
 * a real cluster indexes slower. Skipped (null) where the test helpers are absent, e.g. in the image.
 */
async function shippingFigures(o: BenchOptions): Promise<(ShippingBenchResult & { target: string }) | null> {
  const docs = o.quick ? 10_000 : 50_000;
  o.log('');
  o.log(`(d) shipping ${fmt(docs)} breadcrumb documents through the Elasticsearch sink…`);
  try {
    const r = await benchShipping({ docs });
    o.log(
      `  ${fmt(r.docsPerSecond)} docs/s into the STAND-IN Elasticsearch (not a real cluster: it answers at once), ${fmt(r.bulkRequests)} _bulk requests, queue peak ${fmt(r.maxQueued)}, RSS ${r.rssMb} MiB`,
    );
    return { ...r, target: 'stand-in (test/helpers/es-standin.ts), not a real cluster' };
  } catch (err) {
    o.log(`  skipped: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
