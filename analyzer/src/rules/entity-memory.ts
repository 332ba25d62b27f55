// How many breadcrumbs of a category each entity value (an IP, a user, an order id…) produced lately, for rules
// that only apply after such a run (`after:` — a login accepted from an address that was guessing passwords).
// Bounded: past `maxKeys` the oldest entries are dropped, and counted.
import type { Category } from '../core/types.ts';

interface Run {
  n: number;
  last: number;
}

export class EntityMemory {
  private readonly runs = new Map<string, Run>();
  /** Entries dropped to stay within maxKeys. */
  evicted = 0;

  constructor(private readonly maxKeys = 10_000) {}

  record(category: Category, entities: readonly string[], t: number, withinMs: number): void {
    for (const e of entities) {
      const key = `${category}|${e}`;
      const run = this.runs.get(key);
      if (run !== undefined && t - run.last <= withinMs) {
        run.n++;
        run.last = Math.max(run.last, t);
        continue;
      }
      if (run !== undefined) this.runs.delete(key);
      this.runs.set(key, { n: 1, last: t });
      if (this.runs.size > this.maxKeys) {
        this.runs.delete(this.runs.keys().next().value as string);
        this.evicted++;
      }
    }
  }

  /** The longest recent run of `category` among these entities (0 when none is within `withinMs` of t). */
  count(category: Category, entities: readonly string[], t: number, withinMs: number): number {
    let best = 0;
    for (const e of entities) {
      const run = this.runs.get(`${category}|${e}`);
      if (run !== undefined && t - run.last <= withinMs && run.n > best) best = run.n;
    }
    return best;
  }
}
