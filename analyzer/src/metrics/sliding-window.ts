// Counts over a sliding window of whole seconds, as a ring of per-second buckets: O(1) per add, no
// timestamps kept. Used for crumbtrail_errors_per_minute and for lines/s in /stats.

export class SlidingWindowCounter {
  private readonly buckets: Float64Array;
  /** The second (epoch s) each bucket currently holds. */
  private readonly secondOf: Float64Array;

  constructor(
    readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new Error('windowSeconds must be ≥ 1');
    this.buckets = new Float64Array(windowSeconds);
    this.secondOf = new Float64Array(windowSeconds).fill(-1);
  }

  add(n = 1, atMs = this.now()): void {
    const sec = Math.floor(atMs / 1000);
    const i = sec % this.windowSeconds;
    if (this.secondOf[i] !== sec) {
      this.secondOf[i] = sec;
      this.buckets[i] = 0;
    }
    this.buckets[i]! += n;
  }

  /** Sum of the buckets within the last `windowSeconds` seconds (the current second included). */
  sum(atMs = this.now()): number {
    const sec = Math.floor(atMs / 1000);
    let total = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      const s = this.secondOf[i]!;
      if (s > sec - this.windowSeconds && s <= sec) total += this.buckets[i]!;
    }
    return total;
  }

  /** Average per second over the window. */
  rate(atMs = this.now()): number {
    return this.sum(atMs) / this.windowSeconds;
  }
}
