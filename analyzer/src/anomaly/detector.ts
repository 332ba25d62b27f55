// Judges one sample against the best available baseline: the (weekday, hour) bucket when it has enough
// samples, else the same hour on any day, else the series' global baseline; severity from that cell's thresholds.
import type { SeriesBaseline } from './baseline.ts';
import type { BucketClock } from './buckets.ts';
import type { ThresholdMapping } from './config.ts';
import { effectiveSigma, type SeverityHit, type SigmaGuard, severityOf } from './thresholds.ts';
import type { BaselineCell, BucketRef, SeriesSample } from './types.ts';

export interface Judgement {
  bucket: BucketRef;
  cell: BaselineCell;
  fellBack: boolean;
  sigma: number;
  z: number;
  hit: SeverityHit | null;
}

export interface DetectorOptions extends SigmaGuard {
  minSamples: number;
  mapping: ThresholdMapping;
}

/** The fallback ladder on its own (tested separately): bucket → hour of day → global → none. */
export function chooseCell(
  model: SeriesBaseline,
  bucket: BucketRef,
  minSamples: number,
): { cell: BaselineCell; fellBack: boolean } | null {
  const b = model.bucket[bucket.hourOfWeek];
  if (b && b.n >= minSamples) return { cell: b, fellBack: false };
  const h = model.hour[bucket.hour];
  if (h && h.n >= minSamples) return { cell: h, fellBack: true };
  if (model.global && model.global.n >= minSamples) return { cell: model.global, fellBack: true };
  return null;
}

export class Detector {
  private models = new Map<string, SeriesBaseline>();

  constructor(
    private readonly clock: BucketClock,
    private readonly opts: DetectorOptions,
  ) {}

  /** Swap in a freshly recalculated model set (detection reads a consistent snapshot). */
  replace(models: Map<string, SeriesBaseline>): void {
    this.models = models;
  }

  model(series: string): SeriesBaseline | undefined {
    return this.models.get(series);
  }

  seriesNames(): string[] {
    return [...this.models.keys()].sort();
  }

  judge(s: SeriesSample): Judgement | null {
    const model = this.models.get(s.series);
    if (!model) return null;
    const bucket = this.clock.bucketOf(s.minute);
    const chosen = chooseCell(model, bucket, this.opts.minSamples);
    if (!chosen) return null;
    const sigma = effectiveSigma(chosen.cell.mean, chosen.cell.sd, this.opts);
    const z = (s.value - chosen.cell.mean) / sigma;
    return {
      bucket,
      cell: chosen.cell,
      fellBack: chosen.fellBack,
      sigma,
      z,
      hit: severityOf(Math.abs(z), chosen.cell, this.opts.mapping),
    };
  }
}
