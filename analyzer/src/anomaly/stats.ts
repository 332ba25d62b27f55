// Incremental mean/variance (Welford) with Chan et al.'s pairwise merge: numerically stable where the
// textbook sum/sum-of-squares form loses precision (large means, small variances).

export interface MomentState {
  n: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
}

export class RunningStats implements MomentState {
  n = 0;
  mean = 0;
  m2 = 0;

  static from(s: MomentState): RunningStats {
    const r = new RunningStats();
    r.n = s.n;
    r.mean = s.mean;
    r.m2 = s.m2;
    return r;
  }

  push(x: number): void {
    this.n += 1;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }

  /** Chan's parallel merge: combine two partial states exactly as if all values had been pushed to one. */
  merge(o: MomentState): this {
    if (o.n === 0) return this;
    if (this.n === 0) {
      this.n = o.n;
      this.mean = o.mean;
      this.m2 = o.m2;
      return this;
    }
    const n = this.n + o.n;
    const d = o.mean - this.mean;
    this.mean += (d * o.n) / n;
    this.m2 += o.m2 + (d * d * this.n * o.n) / n;
    this.n = n;
    return this;
  }

  /** Population variance (the baseline describes the observed history, not a sample of it). */
  get variance(): number {
    return this.n > 0 ? Math.max(0, this.m2 / this.n) : 0;
  }

  get sd(): number {
    return Math.sqrt(this.variance);
  }

  /** count, sum and sum of squares, for consumers that want the raw moments. */
  get sum(): number {
    return this.mean * this.n;
  }

  get sumSquares(): number {
    return this.m2 + this.n * this.mean * this.mean;
  }

  toJSON(): MomentState {
    return { n: this.n, mean: this.mean, m2: this.m2 };
  }
}
