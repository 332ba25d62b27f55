// Adaptive thresholds: from a cell's value distribution (the sketch) and its mean/σ, the percentiles of
// historical |z| become the severity thresholds (p80 → SEV5 … p99.9 → SEV1 by default), never below the floors.
import type { ThresholdMapping } from './config.ts';
import type { QuantileSketch } from './sketch.ts';
import { weightedPercentile } from './sketch.ts';
import type { RunningStats } from './stats.ts';
import type { BaselineCell, BaselineScope, Severity } from './types.ts';

export interface SigmaGuard {
  minSigmaAbs: number;
  minSigmaRel: number;
}

/** σ used for z: never ≈0, so a flat history does not make every wiggle infinitely anomalous. */
export function effectiveSigma(mean: number, sd: number, g: SigmaGuard): number {
  return Math.max(sd, g.minSigmaAbs, g.minSigmaRel * Math.abs(mean));
}

export function validateMapping(m: ThresholdMapping): void {
  if (m.percentiles.length !== m.severities.length || m.percentiles.length === 0) {
    throw new Error('threshold mapping: percentiles and severities must have the same, non-zero length');
  }
  for (let i = 1; i < m.percentiles.length; i++) {
    if (!(m.percentiles[i]! > m.percentiles[i - 1]!)) {
      throw new Error(`threshold mapping: percentiles must ascend (got ${m.percentiles.join(', ')})`);
    }
    if (!(m.severities[i]! < m.severities[i - 1]!)) {
      throw new Error(
        `threshold mapping: severities must go from mild to worst (got ${m.severities.join(', ')})`,
      );
    }
  }
  for (const p of m.percentiles) {
    if (!(p > 0 && p < 100)) throw new Error(`threshold mapping: percentile ${p} must be in (0, 100)`);
  }
}

export function computeCell(
  scope: BaselineScope,
  key: number,
  stats: RunningStats,
  sketch: QuantileSketch,
  mapping: ThresholdMapping,
  guard: SigmaGuard,
): BaselineCell {
  const sigma = effectiveSigma(stats.mean, stats.sd, guard);
  const devs: [number, number][] = sketch.entries().map(([v, c]) => [Math.abs(v - stats.mean) / sigma, c]);
  const zPercentiles = mapping.percentiles.map((p) => (devs.length > 0 ? weightedPercentile(devs, p) : 0));
  const sevThresholds: number[] = [];
  let prev = 0;
  for (let i = 0; i < mapping.severities.length; i++) {
    const floor = mapping.floors[mapping.severities[i]!] ?? 0;
    // Monotone: a worse severity never has a lower bar than a milder one.
    const t = Math.max(zPercentiles[i] ?? 0, floor, prev);
    sevThresholds.push(t);
    prev = t;
  }
  return {
    scope,
    key,
    n: stats.n,
    mean: stats.mean,
    sd: stats.sd,
    p50: sketch.quantile(0.5),
    p95: sketch.quantile(0.95),
    zPercentiles,
    sevThresholds,
  };
}

export interface SeverityHit {
  sev: Severity;
  percentile: number;
  threshold: number;
}

/** The worst severity whose threshold |z| reaches, or null when below the mildest. */
export function severityOf(absZ: number, cell: BaselineCell, mapping: ThresholdMapping): SeverityHit | null {
  for (let i = mapping.severities.length - 1; i >= 0; i--) {
    const t = cell.sevThresholds[i];
    if (t !== undefined && absZ >= t) {
      return { sev: mapping.severities[i]!, percentile: mapping.percentiles[i]!, threshold: t };
    }
  }
  return null;
}
