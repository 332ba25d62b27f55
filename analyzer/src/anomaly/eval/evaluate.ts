// Evaluation: train on the first days of the corpus, judge the rest with (a) the time-aware monitor and (b) a
// global mean/σ detector with the same threshold learning, and compare precision, recall and false positives.
import { MINUTE_MS } from '../buckets.ts';
import { defaultAnomalyConfig } from '../config.ts';
import { AnomalyMonitor } from '../monitor.ts';
import { QuantileSketch } from '../sketch.ts';
import { RunningStats } from '../stats.ts';
import { computeCell, effectiveSigma, severityOf } from '../thresholds.ts';
import type { SeriesSample, Severity } from '../types.ts';
import { type Corpus, type CorpusOptions, generateCorpus } from './corpus.ts';

export interface EvalOptions extends CorpusOptions {
  trainDays: number;
  /** Keep learning during the evaluation days and recalculate every midnight (as the service would). */
  rolling?: boolean;
  minSamples?: number;
  /** Replace the corpus (e.g. one replayed through the real parser). */
  corpus?: Corpus;
}

/** One detector's output over the evaluation minutes: |z| and severity (0 = none) per series per minute. */
export interface Scores {
  name: string;
  absZ: Float64Array[];
  sev: Uint8Array[];
}

export interface SevRow {
  sev: Severity;
  tp: number;
  fpEpisodes: number;
  precision: number;
  recall: number;
  fpPerDay: number;
}

export interface RecallRow {
  recall: number;
  timeAwareFpPerDay: number;
  globalFpPerDay: number;
  /** timeAware / global; null when the global detector had no false positive there. */
  ratio: number | null;
}

export interface EvalResult {
  seed: number;
  days: number;
  trainDays: number;
  evalDays: number;
  series: number;
  samples: number;
  injected: number;
  timeAware: SevRow[];
  global: SevRow[];
  equalRecall: RecallRow[];
  trainRecalcMs: number;
  fullRecalcMs: number;
  fullRecalcCells: number;
  /** Every equal-recall ratio ≤ 1/3 (or the global detector had no false positive to beat). */
  pass: boolean;
}

export const RECALL_TARGETS = [0.5, 0.6, 0.7, 0.8, 0.9];

function samplesAt(c: Corpus, m: number): SeriesSample[] {
  const minute = c.startMs + m * MINUTE_MS;
  return c.series.map((s, i) => ({ series: s.name, minute, value: c.values[i]![m]! }));
}

function timeAwareScores(
  c: Corpus,
  o: EvalOptions,
): { scores: Scores; trainRecalcMs: number; full: { ms: number; cells: number } } {
  const config = defaultAnomalyConfig({ dbPath: ':memory:', recalcAtUtc: null });
  if (o.minSamples !== undefined) config.minSamples = o.minSamples;
  const monitor = new AnomalyMonitor({ config });
  try {
    const trainEnd = o.trainDays * 1440;
    for (let m = 0; m < trainEnd; m++) monitor.ingest(samplesAt(c, m));
    const trainRecalcMs = monitor.recalculate().durationMs;
    const n = c.minutes - trainEnd;
    const absZ = c.series.map(() => new Float64Array(n));
    const sev = c.series.map(() => new Uint8Array(n));
    for (let m = trainEnd; m < c.minutes; m++) {
      const batch = samplesAt(c, m);
      batch.forEach((s, i) => {
        const j = monitor.judge(s);
        absZ[i]![m - trainEnd] = j ? Math.abs(j.z) : 0;
        sev[i]![m - trainEnd] = j?.hit?.sev ?? 0;
      });
      if (o.rolling) {
        monitor.ingest(batch);
        if ((m + 1) % 1440 === 0) monitor.recalculate();
      }
    }
    if (!o.rolling) for (let m = trainEnd; m < c.minutes; m++) monitor.ingest(samplesAt(c, m));
    const full = monitor.recalculate();
    return {
      scores: { name: 'time-aware', absZ, sev },
      trainRecalcMs,
      full: { ms: full.durationMs, cells: full.cells },
    };
  } finally {
    monitor.close();
  }
}

/** The comparison: one mean/σ per series over all training minutes, thresholds learned the same way. */
function globalScores(c: Corpus, o: EvalOptions): Scores {
  const cfg = defaultAnomalyConfig();
  const trainEnd = o.trainDays * 1440;
  const n = c.minutes - trainEnd;
  const absZ: Float64Array[] = [];
  const sev: Uint8Array[] = [];
  c.series.forEach((_s, i) => {
    const st = new RunningStats();
    const sk = new QuantileSketch(cfg.sketchAlpha, cfg.sketchMaxBins);
    for (let m = 0; m < trainEnd; m++) {
      st.push(c.values[i]![m]!);
      sk.add(c.values[i]![m]!);
    }
    const cell = computeCell('global', 0, st, sk, cfg.mapping, cfg);
    const sigma = effectiveSigma(cell.mean, cell.sd, cfg);
    const z = new Float64Array(n);
    const sv = new Uint8Array(n);
    for (let m = trainEnd; m < c.minutes; m++) {
      const a = Math.abs(c.values[i]![m]! - cell.mean) / sigma;
      z[m - trainEnd] = a;
      sv[m - trainEnd] = severityOf(a, cell, cfg.mapping)?.sev ?? 0;
    }
    absZ.push(z);
    sev.push(sv);
  });
  return { name: 'global', absZ, sev };
}

interface Truth {
  /** inWindow[s][m] for evaluation minutes. */
  inWindow: Uint8Array[];
  windows: { s: number; start: number; end: number }[];
}

function truth(c: Corpus, trainEnd: number): Truth {
  const n = c.minutes - trainEnd;
  const idx = new Map(c.series.map((s, i) => [s.name, i]));
  const inWindow = c.series.map(() => new Uint8Array(n));
  const windows: Truth['windows'] = [];
  for (const inj of c.injections) {
    if (inj.start < trainEnd) continue;
    const s = idx.get(inj.series)!;
    windows.push({ s, start: inj.start - trainEnd, end: Math.min(inj.end, c.minutes) - trainEnd });
    for (let m = inj.start; m < inj.end && m < c.minutes; m++) inWindow[s]![m - trainEnd] = 1;
  }
  return { inWindow, windows };
}

/** Count detected injections and false-positive episodes (runs of flagged minutes outside any injection). */
function confusion(
  flag: (s: number, m: number) => boolean,
  t: Truth,
  series: number,
  n: number,
): { tp: number; fp: number; episodes: number } {
  let tp = 0;
  for (const w of t.windows) {
    for (let m = w.start; m < w.end; m++) {
      if (flag(w.s, m)) {
        tp++;
        break;
      }
    }
  }
  let fp = 0;
  let episodes = 0;
  for (let s = 0; s < series; s++) {
    let prev = false;
    let prevTrue = false;
    for (let m = 0; m < n; m++) {
      const f = flag(s, m);
      const inside = t.inWindow[s]![m] === 1;
      if (f && !inside && !prev) fp++;
      if (f && inside && !prevTrue) episodes++;
      prev = f && !inside;
      prevTrue = f && inside;
    }
  }
  return { tp, fp, episodes };
}

function sevRows(sc: Scores, t: Truth, series: number, n: number, evalDays: number): SevRow[] {
  const rows: SevRow[] = [];
  for (const sev of [1, 2, 3, 4, 5] as Severity[]) {
    const { tp, fp, episodes } = confusion(
      (s, m) => {
        const v = sc.sev[s]![m]!;
        return v > 0 && v <= sev;
      },
      t,
      series,
      n,
    );
    rows.push({
      sev,
      tp,
      fpEpisodes: fp,
      precision: episodes + fp > 0 ? episodes / (episodes + fp) : 1,
      recall: t.windows.length > 0 ? tp / t.windows.length : 0,
      fpPerDay: fp / evalDays,
    });
  }
  return rows;
}

/** False positives per day at the loosest |z| threshold that still finds `recall` of the injections. */
function fpAtRecall(
  sc: Scores,
  t: Truth,
  series: number,
  n: number,
  evalDays: number,
  recall: number,
): number {
  const best = t.windows.map((w) => {
    let mx = 0;
    for (let m = w.start; m < w.end; m++) mx = Math.max(mx, sc.absZ[w.s]![m]!);
    return mx;
  });
  best.sort((a, b) => b - a);
  const k = Math.max(1, Math.ceil(recall * best.length));
  const tau = best[k - 1] ?? 0;
  return confusion((s, m) => sc.absZ[s]![m]! >= tau, t, series, n).fp / evalDays;
}

export function evaluate(o: EvalOptions): EvalResult {
  const c = o.corpus ?? generateCorpus(o);
  const trainEnd = o.trainDays * 1440;
  const n = c.minutes - trainEnd;
  const evalDays = n / 1440;
  const ta = timeAwareScores(c, o);
  const gl = globalScores(c, o);
  const t = truth(c, trainEnd);
  const S = c.series.length;
  const equalRecall = RECALL_TARGETS.map((r) => {
    const a = fpAtRecall(ta.scores, t, S, n, evalDays, r);
    const g = fpAtRecall(gl, t, S, n, evalDays, r);
    return { recall: r, timeAwareFpPerDay: a, globalFpPerDay: g, ratio: g > 0 ? a / g : null };
  });
  return {
    seed: o.seed,
    days: c.days,
    trainDays: o.trainDays,
    evalDays,
    series: S,
    samples: c.minutes * S,
    injected: t.windows.length,
    timeAware: sevRows(ta.scores, t, S, n, evalDays),
    global: sevRows(gl, t, S, n, evalDays),
    equalRecall,
    trainRecalcMs: ta.trainRecalcMs,
    fullRecalcMs: ta.full.ms,
    fullRecalcCells: ta.full.cells,
    pass: equalRecall.every((r) => r.ratio === null || r.ratio <= 1 / 3),
  };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)}%`.padStart(5);
}

export function formatReport(r: EvalResult): string {
  const lines: string[] = [];
  lines.push(
    `corpus: seed ${r.seed}, ${r.days} days × ${r.series} series = ${r.samples} per-minute samples; train ${r.trainDays} days, evaluate ${r.evalDays} days; ${r.injected} injected anomalies in the evaluation days`,
  );
  lines.push('');
  lines.push(
    'at-or-above SEV | time-aware: precision recall FP/day | global mean/σ: precision recall FP/day',
  );
  for (let i = 0; i < 5; i++) {
    const a = r.timeAware[i]!;
    const g = r.global[i]!;
    lines.push(
      `SEV${a.sev}            |            ${pct(a.precision)}  ${pct(a.recall)} ${a.fpPerDay.toFixed(2).padStart(6)} |               ${pct(g.precision)}  ${pct(g.recall)} ${g.fpPerDay.toFixed(2).padStart(6)}`,
    );
  }
  lines.push('');
  lines.push('equal recall (|z| threshold swept per detector) | FP/day time-aware | FP/day global | ratio');
  for (const e of r.equalRecall) {
    lines.push(
      `recall ${pct(e.recall)}                                  | ${e.timeAwareFpPerDay.toFixed(2).padStart(17)} | ${e.globalFpPerDay.toFixed(2).padStart(13)} | ${e.ratio === null ? 'n/a' : e.ratio.toFixed(3)}`,
    );
  }
  lines.push('');
  lines.push(
    `recalculation: ${r.trainRecalcMs} ms after ${r.trainDays} training days; ${r.fullRecalcMs} ms for the full ${r.days}-day corpus (${r.fullRecalcCells} baseline cells)`,
  );
  lines.push(`target (time-aware FP ≤ 1/3 of global at equal recall): ${r.pass ? 'PASS' : 'FAIL'}`);
  return lines.join('\n');
}
