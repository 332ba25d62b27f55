// `npm run bench`: what users run, timed as whole processes on the same generated corpus in the same run.
//   (a) the bare readline + regex loop (reference.ts, bundled, on plain node)
//   (b) `npm run analyze` as its npm script runs it (node + the launcher's cached bundle, no npm) with every
//       default output (--out DIR: CSVs, HTML, SVG, anomalies)
//   (c) mtail --one_shot with an equivalent program
// ≥ 5 paired repetitions, interleaved (the order rotates each repetition), medians and paired ratios; peak RSS
// of each process from the kernel. Then (b) on a 10 M-line corpus for the memory bound, the live service
// ingesting the same corpus (rate, lag, RSS at 1 M / 10 M, line → /metrics latency, idle CPU), and shipping.
// Corpora are generated into a temp directory (deterministic) and removed after. Nothing here is asserted:
// figures are printed beside their targets, and every missed target is named.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { CORPUS_VERSION, type CorpusStats, writeCorpus } from './corpus.ts';
import { type ShippingFigure, shippingFigures } from './elasticsearch.ts';
import { type LiveResult, runLive } from './live.ts';
import { runMtail } from './mtail.ts';
import { type ProcessRun, runTimed } from './proc.ts';

export interface BenchOptions {
  root: string;
  /** Lines of the timing corpus (default 1 M). */
  lines: number;
  /** Lines of the memory corpus (default 10 M; 0 skips it). */
  bigLines: number;
  reps: number;
  quick: boolean;
  mtail: string | null;
  log: (line: string) => void;
}

const MiB = 2 ** 20;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Targets of issue 15, beside which the figures are printed. */
export const TARGETS = {
  vsMtail: 2.5,
  vsBareLoop: 0.5,
  peakRssMiB: 150,
  liveRate: 250_000,
  liveLatencyMs: 250,
  serviceRssFlat: 0.1,
  idleCpuPercent: 0.5,
};

interface Contender {
  key: 'loop' | 'analyze' | 'mtail';
  name: string;
  run: () => Promise<ProcessRun & { lines: number }>;
}

interface Row {
  name: string;
  runs: number;
  medianSeconds: number;
  linesPerSecond: number;
  peakRssMiB: number;
}

/**
 * The node arguments of an npm script (`exec node [flags] scripts/launch.mjs analyze`): the bench runs exactly
 * what `npm run analyze` / `npm start` run, minus npm itself.
 */
function npmScriptNodeArgs(root: string, script: 'analyze' | 'start'): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts[script] ?? '').replace(/^exec\s+/, '').split(/\s+/);
  if (words[0] !== 'node')
    throw new Error(`package.json scripts.${script} does not start node: ${pkg.scripts[script]}`);
  return words.slice(1).map((w) => (w.startsWith('scripts/') ? join(root, w) : w));
}

/**
 * Lines read, from the terminal summary users see (`  lines  1,000,000 from 1 source`): the default output, not
 * --json, whose dump of every incident's breadcrumbs would add its own memory to the measured peak.
 */
function summaryLines(stdout: string): number {
  const m = /^\s*lines\s+([\d,]+)/m.exec(stdout);
  if (!m) throw new Error(`analyze printed no summary: ${stdout.slice(0, 300)}`);
  return Number(m[1]!.replaceAll(',', ''));
}

async function buildBundles(
  root: string,
): Promise<{ analyze: string[]; serve: string[]; reference: string }> {
  const analyze = npmScriptNodeArgs(root, 'analyze');
  const serve = npmScriptNodeArgs(root, 'start');
  // The first launch builds the launcher's cached bundle (then it is only loaded): build it outside the timing.
  for (const args of [analyze, serve]) await runTimed(process.execPath, [...args, '--help']);
  const reference = join(root, 'analyzer/.build/bench-reference.mjs');
  await build({
    entryPoints: [join(root, 'analyzer/src/bench/reference.ts')],
    outfile: reference,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  return { analyze, serve, reference };
}

export async function runBench(o: BenchOptions): Promise<Record<string, unknown>> {
  const tmp = mkdtempSync(join(tmpdir(), 'crumbtrail-bench-'));
  try {
    return await benchIn(tmp, o);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function benchIn(tmp: string, o: BenchOptions): Promise<Record<string, unknown>> {
  const started = performance.now();
  const bundles = await buildBundles(o.root);
  const corpus = join(tmp, `corpus-v${CORPUS_VERSION}-${o.lines}.log`);
  o.log(`generating the ${fmt(o.lines)}-line corpus (v${CORPUS_VERSION}) in ${tmp} …`);
  const small = await writeCorpus(corpus, o.lines);
  const progDir = join(tmp, 'mtail-progs');
  mkdirSync(progDir);
  const outDir = join(tmp, 'out');

  const contenders: Contender[] = [
    {
      key: 'loop',
      name: 'bare readline+regex loop',
      run: async () => {
        const r = await runTimed(process.execPath, [bundles.reference, corpus]);
        return { ...r, lines: (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { lines: number }).lines };
      },
    },
    {
      key: 'analyze',
      name: 'npm run analyze (--out DIR)',
      run: async () => {
        const r = await runTimed(process.execPath, [...bundles.analyze, corpus, '--out', outDir]);
        return { ...r, lines: summaryLines(r.stdout) };
      },
    },
  ];
  if (o.mtail) {
    const bin = o.mtail;
    contenders.push({
      key: 'mtail',
      name: 'mtail --one_shot',
      run: async () => {
        const r = await runMtail(bin, progDir, corpus);
        return { ...r, lines: r.matched };
      },
    });
  } else o.log('mtail not on PATH: its column is skipped');

  const runs = new Map<string, (ProcessRun & { lines: number })[]>(contenders.map((c) => [c.key, []]));
  for (let rep = 0; rep < o.reps; rep++) {
    const order = contenders.map((_, i) => contenders[(i + rep) % contenders.length]!);
    o.log(`repetition ${rep + 1}/${o.reps}: ${order.map((c) => c.key).join(' → ')}`);
    for (const c of order) runs.get(c.key)!.push(await c.run());
  }
  const rows = new Map<string, Row>();
  for (const c of contenders) {
    const rs = runs.get(c.key)!;
    const secs = median(rs.map((r) => r.seconds));
    rows.set(c.key, {
      name: c.name,
      runs: rs.length,
      medianSeconds: secs,
      linesPerSecond: small.lines / secs,
      peakRssMiB: Math.max(...rs.map((r) => r.peakRssBytes)) / MiB,
    });
  }
  // Paired ratios: each repetition's contenders ran back to back, so the ratio cancels most machine noise.
  const paired = (a: string, b: string): number | null => {
    const ra = runs.get(a);
    const rb = runs.get(b);
    return ra && rb && ra.length > 0 && rb.length > 0
      ? median(ra.map((r, i) => rb[i]!.seconds / r.seconds))
      : null;
  };
  const vsMtail = paired('analyze', 'mtail');
  const vsLoop = paired('analyze', 'loop');
  const checks = Object.fromEntries(contenders.map((c) => [c.key, runs.get(c.key)![0]!.lines]));

  let big: { corpus: CorpusStats; run: ProcessRun; lines: number } | null = null;
  let bigCorpus = corpus;
  let bigStats = small;
  if (o.bigLines > 0) {
    bigCorpus = join(tmp, `corpus-v${CORPUS_VERSION}-${o.bigLines}.log`);
    o.log(`generating the ${fmt(o.bigLines)}-line corpus for the memory bound …`);
    bigStats = await writeCorpus(bigCorpus, o.bigLines);
    o.log(`analyze on ${fmt(o.bigLines)} lines …`);
    const run = await runTimed(process.execPath, [...bundles.analyze, bigCorpus, '--out', outDir]);
    big = { corpus: bigStats, run, lines: summaryLines(run.stdout) };
    // The CSVs of 10 M lines are large: make room before the live scenario.
    rmSync(outDir, { recursive: true, force: true });
  }

  o.log(`live service ingesting ${fmt(bigStats.lines)} lines at ${fmt(TARGETS.liveRate)} lines/s …`);
  let live: LiveResult | null = null;
  try {
    live = await runLive({
      nodeArgs: bundles.serve,
      corpus: bigCorpus,
      lines: bigStats.lines,
      rate: TARGETS.liveRate,
      dir: join(tmp, 'live'),
      rssAt:
        bigStats.lines >= 10_000_000
          ? [1_000_000, 10_000_000]
          : [Math.floor(bigStats.lines / 10), bigStats.lines],
      log: o.log,
    });
  } catch (err) {
    o.log(`  live scenario failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  o.log('shipping through the Elasticsearch sink …');
  const shipping = await shippingFigures(o.quick ? 10_000 : 50_000, o.log);

  const result = {
    at: new Date().toISOString(),
    node: process.version,
    corpus: { version: CORPUS_VERSION, small, big: big?.corpus ?? null },
    reps: o.reps,
    rows: Object.fromEntries(rows),
    vsMtail,
    vsLoop,
    checks,
    big: big ? { seconds: big.run.seconds, peakRssMiB: big.run.peakRssBytes / MiB, lines: big.lines } : null,
    live,
    shipping,
    benchSeconds: (performance.now() - started) / 1000,
  };
  printTable(o, result, rows, shipping);
  const dir = join(o.root, '.bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  o.log(`saved ${join(dir, 'results.json')} (bench took ${(result.benchSeconds / 60).toFixed(1)} min)`);
  return result;
}

function printTable(
  o: BenchOptions,
  r: {
    corpus: { small: CorpusStats };
    reps: number;
    vsMtail: number | null;
    vsLoop: number | null;
    checks: Record<string, number>;
    big: { seconds: number; peakRssMiB: number; lines: number } | null;
    live: LiveResult | null;
  },
  rows: Map<string, Row>,
  shipping: ShippingFigure[],
): void {
  const missed: string[] = [];
  const verdict = (ok: boolean | null, what: string): string => {
    if (ok === null) return 'not measured';
    if (!ok) missed.push(what);
    return ok ? 'met' : 'MISSED';
  };
  const L = o.log;
  const s = r.corpus.small;
  L('');
  L(
    `corpus v${CORPUS_VERSION}: ${fmt(s.lines)} lines, ${(s.bytes / MiB).toFixed(0)} MiB, ${s.bursts} failure bursts; ${r.reps} paired repetitions, whole processes (median wall time)`,
  );
  L(`${'contender'.padEnd(34)}${'median s'.padStart(10)}${'lines/s'.padStart(12)}${'peak RSS'.padStart(11)}`);
  for (const row of rows.values())
    L(
      `${row.name.padEnd(34)}${row.medianSeconds.toFixed(2).padStart(10)}${fmt(row.linesPerSecond).padStart(12)}${`${row.peakRssMiB.toFixed(0)} MiB`.padStart(11)}`,
    );
  L(`lines seen: ${JSON.stringify(r.checks)} (mtail counts matched lines)`);
  L('');
  const target = (label: string, figure: string, goal: string, ok: boolean | null) =>
    L(`${label.padEnd(40)}${figure.padStart(14)}   target ${goal.padEnd(14)} ${verdict(ok, label)}`);
  L('target                                          figure   ');
  target(
    'analyze vs mtail (lines/s, paired)',
    r.vsMtail === null ? '—' : `${r.vsMtail.toFixed(2)}×`,
    `≥ ${TARGETS.vsMtail}×`,
    r.vsMtail === null ? null : r.vsMtail >= TARGETS.vsMtail,
  );
  target(
    'analyze vs bare loop (lines/s, paired)',
    r.vsLoop === null ? '—' : `${(r.vsLoop * 100).toFixed(0)} %`,
    `≥ ${TARGETS.vsBareLoop * 100} %`,
    r.vsLoop === null ? null : r.vsLoop >= TARGETS.vsBareLoop,
  );
  const a = rows.get('analyze');
  target(
    `analyze peak RSS at ${fmt(s.lines)} lines`,
    a ? `${a.peakRssMiB.toFixed(0)} MiB` : '—',
    `≤ ${TARGETS.peakRssMiB} MiB`,
    a ? a.peakRssMiB <= TARGETS.peakRssMiB : null,
  );
  target(
    `analyze peak RSS at ${r.big ? fmt(r.big.lines) : '10 M'} lines`,
    r.big ? `${r.big.peakRssMiB.toFixed(0)} MiB` : '—',
    `≤ ${TARGETS.peakRssMiB} MiB`,
    r.big ? r.big.peakRssMiB <= TARGETS.peakRssMiB : null,
  );
  if (r.big)
    L(
      `  (${fmt(r.big.lines)} lines in ${r.big.seconds.toFixed(1)} s: ${fmt(r.big.lines / r.big.seconds)} lines/s)`,
    );
  const live = r.live;
  target(
    'live: ingest rate (lines/s)',
    live ? fmt(live.linesPerSecond) : '—',
    `≥ ${fmt(TARGETS.liveRate)}`,
    live ? live.linesPerSecond >= TARGETS.liveRate * 0.95 : null,
  );
  target(
    'live: lag does not grow',
    live ? (live.lagGrowing ? 'grows' : 'flat') : '—',
    'flat',
    live ? !live.lagGrowing : null,
  );
  const rss = live?.rss ?? [];
  const first = rss[0];
  const last = rss.at(-1);
  target(
    `live: RSS at ${rss.map((x) => fmt(x.lines)).join(' / ') || '—'} lines`,
    rss.map((x) => x.rssMiB.toFixed(0)).join(' / ') + (rss.length ? ' MiB' : '—'),
    `flat ± ${TARGETS.serviceRssFlat * 100} %`,
    first && last && rss.length > 1
      ? Math.abs(last.rssMiB - first.rssMiB) <= first.rssMiB * TARGETS.serviceRssFlat
      : null,
  );
  const lat = live ? median(live.latencyMs) : null;
  target(
    'live: lone line → /metrics (median ms)',
    lat === null ? '—' : `${lat.toFixed(0)} ms`,
    `≤ ${TARGETS.liveLatencyMs} ms`,
    lat === null ? null : lat <= TARGETS.liveLatencyMs,
  );
  target(
    'live: idle CPU (% of a core)',
    live ? `${live.idleCpuPercent.toFixed(2)} %` : '—',
    `≈ 0 (≤ ${TARGETS.idleCpuPercent} %)`,
    live ? live.idleCpuPercent <= TARGETS.idleCpuPercent : null,
  );
  target(
    'live: one process (children of the service)',
    live ? String(live.childProcesses) : '—',
    '0',
    live ? live.childProcesses === 0 : null,
  );
  if (live)
    L(
      `  (writer at ${fmt(live.writerRate)} of ${fmt(live.targetRate)} lines/s; lag at ¼ ½ ¾ end of writing: ${live.lagBytes.map((b) => `${(b / MiB).toFixed(0)} MiB`).join(', ')}; latencies ${live.latencyMs.map((x) => x.toFixed(0)).join(', ')} ms; RSS after ${live.rssEndMiB.toFixed(0)} MiB)`,
    );
  for (const sh of shipping)
    L(`shipping into ${sh.target}: ${fmt(sh.docsPerSecond)} docs/s (${fmt(sh.bulkRequests)} _bulk requests)`);
  if (!shipping.some((sh) => sh.target.startsWith('real')))
    L(
      'shipping into a real Elasticsearch node: not measured (REAL_ELASTICSEARCH_BENCH in analyzer/src/bench/elasticsearch.ts)',
    );
  L('');
  L(missed.length === 0 ? 'every measured target met' : `MISSED: ${missed.join('; ')}`);
}
