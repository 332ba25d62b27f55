// Hot-path counting without prom-client on the hot path: events bump a slot in a Float64Array (indexed by a
// numeric key), and the deltas are pushed into pre-bound prom-client label children only when the registry is
// collected (a scrape, or a snapshot). prom-client's own `labels(...).inc()` hashes the label object on every
// call; this keeps per-event cost to one array write.
import type { Counter } from 'prom-client';

type Child = { inc(n: number): void };

export class CountedFamily {
  private counts = new Float64Array(64);
  private flushed = new Float64Array(64);
  private readonly children: (Child | undefined)[] = [];

  /** `labelsOf(key)` gives the label values for a key (called once per key, when first flushed). */
  constructor(
    private readonly counter: Counter<string>,
    private readonly labelsOf: (key: number) => string[],
  ) {}

  add(key: number, n = 1): void {
    if (key >= this.counts.length) this.grow(key);
    this.counts[key]! += n;
  }

  /** Current total for one key (tests, /stats). */
  value(key: number): number {
    return this.counts[key] ?? 0;
  }

  /** Push pending deltas into prom-client. Call from the counter's collect(). */
  flush(): void {
    const counts = this.counts;
    for (let k = 0; k < counts.length; k++) {
      const delta = counts[k]! - this.flushed[k]!;
      if (delta === 0) continue;
      let child = this.children[k];
      if (!child) {
        child = this.counter.labels(...this.labelsOf(k));
        this.children[k] = child;
      }
      child.inc(delta);
      this.flushed[k] = counts[k]!;
    }
  }

  private grow(key: number): void {
    let size = this.counts.length;
    while (size <= key) size *= 2;
    const counts = new Float64Array(size);
    counts.set(this.counts);
    const flushed = new Float64Array(size);
    flushed.set(this.flushed);
    this.counts = counts;
    this.flushed = flushed;
  }
}

/** A label-less counter fed from a plain number. */
export class CountedScalar {
  private total = 0;
  private flushed = 0;
  constructor(private readonly counter: Counter<string>) {}
  add(n = 1): void {
    this.total += n;
  }
  get value(): number {
    return this.total;
  }
  flush(): void {
    const delta = this.total - this.flushed;
    if (delta !== 0) this.counter.inc(delta);
    this.flushed = this.total;
  }
}
