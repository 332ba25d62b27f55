// A small DDSketch-style quantile sketch: values land in logarithmic bins so any quantile is returned with
// relative error ≤ alpha; bins are counts, so two sketches merge by adding counts (per-day sketches roll up
// into a window). Bounded: past `maxBins` the lowest bins collapse together (the low tail loses accuracy first,
// which is the tail anomaly detection cares least about).

export interface SketchState {
  a: number;
  /** Positive bins as [index, count] pairs. */
  p: [number, number][];
  /** Negative bins (index of |v|). */
  m: [number, number][];
  z: number;
}

/** Values with magnitude below this count as zero (keeps indexes bounded). */
const MIN_INDEXABLE = 1e-9;

export class QuantileSketch {
  readonly alpha: number;
  readonly maxBins: number;
  private readonly logGamma: number;
  private readonly gamma: number;
  private pos = new Map<number, number>();
  private neg = new Map<number, number>();
  private zeros = 0;
  private total = 0;

  constructor(alpha = 0.01, maxBins = 1024) {
    if (!(alpha > 0 && alpha < 1)) throw new Error(`QuantileSketch: alpha ${alpha} must be in (0, 1)`);
    this.alpha = alpha;
    this.maxBins = Math.max(16, maxBins);
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
  }

  get count(): number {
    return this.total;
  }

  get bins(): number {
    return this.pos.size + this.neg.size + (this.zeros > 0 ? 1 : 0);
  }

  private index(v: number): number {
    return Math.ceil(Math.log(v) / this.logGamma);
  }

  /** The value a bin stands for: within alpha of every value that fell into it. */
  private value(i: number): number {
    return (2 * this.gamma ** i) / (this.gamma + 1);
  }

  add(v: number, count = 1): void {
    if (!Number.isFinite(v) || count <= 0) return;
    this.total += count;
    if (Math.abs(v) < MIN_INDEXABLE) {
      this.zeros += count;
      return;
    }
    const store = v > 0 ? this.pos : this.neg;
    const i = this.index(Math.abs(v));
    store.set(i, (store.get(i) ?? 0) + count);
    if (store.size > this.maxBins) this.collapse(store);
  }

  private collapse(store: Map<number, number>): void {
    // Positive store: fold the smallest magnitudes upwards; negative store: fold the smallest |v| too
    // (both are the values nearest zero, the least interesting for tails).
    const keys = [...store.keys()].sort((x, y) => x - y);
    const excess = store.size - this.maxBins;
    const target = keys[excess]!;
    let moved = 0;
    for (let k = 0; k < excess; k++) {
      moved += store.get(keys[k]!)!;
      store.delete(keys[k]!);
    }
    store.set(target, (store.get(target) ?? 0) + moved);
  }

  /**
   * Take one count of `v` out of its bin (a leave-one-out judgement removes a sample, then add(v) puts it
   * back). False, and nothing changed, when that bin is not there (e.g. it was collapsed into another).
   */
  removeOne(v: number): boolean {
    if (!Number.isFinite(v)) return false;
    if (Math.abs(v) < MIN_INDEXABLE) {
      if (this.zeros === 0) return false;
      this.zeros--;
      this.total--;
      return true;
    }
    const store = v > 0 ? this.pos : this.neg;
    const i = this.index(Math.abs(v));
    const c = store.get(i);
    if (c === undefined) return false;
    if (c > 1) store.set(i, c - 1);
    else store.delete(i);
    this.total--;
    return true;
  }

  merge(o: QuantileSketch): this {
    if (Math.abs(o.alpha - this.alpha) > 1e-12) throw new Error('QuantileSketch.merge: alpha differs');
    for (const [i, c] of o.pos) this.pos.set(i, (this.pos.get(i) ?? 0) + c);
    for (const [i, c] of o.neg) this.neg.set(i, (this.neg.get(i) ?? 0) + c);
    this.zeros += o.zeros;
    this.total += o.total;
    if (this.pos.size > this.maxBins) this.collapse(this.pos);
    if (this.neg.size > this.maxBins) this.collapse(this.neg);
    return this;
  }

  /** (value, count) pairs in ascending value order: the whole distribution, at sketch resolution. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    const negKeys = [...this.neg.keys()].sort((x, y) => y - x);
    for (const i of negKeys) out.push([-this.value(i), this.neg.get(i)!]);
    if (this.zeros > 0) out.push([0, this.zeros]);
    const posKeys = [...this.pos.keys()].sort((x, y) => x - y);
    for (const i of posKeys) out.push([this.value(i), this.pos.get(i)!]);
    return out;
  }

  /** q in [0, 1]; NaN when empty. Lower-rank convention: the value at rank floor(q·(n−1)). */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.floor(Math.min(1, Math.max(0, q)) * (this.total - 1));
    let seen = 0;
    for (const [v, c] of this.entries()) {
      seen += c;
      if (seen > rank) return v;
    }
    return Number.NaN;
  }

  toJSON(): SketchState {
    return { a: this.alpha, p: [...this.pos], m: [...this.neg], z: this.zeros };
  }

  static fromJSON(s: SketchState, maxBins = 1024): QuantileSketch {
    const k = new QuantileSketch(s.a, maxBins);
    for (const [i, c] of s.p) {
      k.pos.set(i, c);
      k.total += c;
    }
    for (const [i, c] of s.m) {
      k.neg.set(i, c);
      k.total += c;
    }
    k.zeros = s.z;
    k.total += s.z;
    return k;
  }
}

/** Weighted percentile over (value, weight) pairs: the smallest value whose cumulative weight reaches p%. */
export function weightedPercentile(pairs: [number, number][], p: number): number {
  const sorted = [...pairs].sort((x, y) => x[0] - y[0]);
  const total = sorted.reduce((s, [, w]) => s + w, 0);
  if (total === 0) return Number.NaN;
  const need = (p / 100) * total;
  let acc = 0;
  for (const [v, w] of sorted) {
    acc += w;
    if (acc >= need - 1e-9) return v;
  }
  return sorted[sorted.length - 1]![0];
}
