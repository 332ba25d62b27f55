// k-way merge of per-source event streams by event time (the one-shot analysis over several files).
// Each source yields batches in its own order (already parsed and multi-line folded); the merge keeps one
// batch per source as look-ahead and a min-heap of the sources' head events, so memory is k batches whatever
// the input sizes. Within a source the order never changes (an out-of-order line stays where it was; only
// whole sources interleave). Equal times go to the source whose path sorts first, so the argument order of
// the files does not change the result.
import { MinHeap } from './heap.ts';
import { CarryForwardClock, type Timed } from './order-key.ts';

export interface MergeSource<T> {
  /** Tie-breaker for equal times (the file path). */
  name: string;
  batches: AsyncIterable<T[]>;
}

interface Cursor<T> {
  rank: number;
  it: AsyncIterator<T[]>;
  batch: T[];
  pos: number;
  key: number;
  clock: CarryForwardClock;
}

/** Batches of merged events, at most `batchSize` each. */
export async function* mergeByTime<T extends Timed>(
  sources: MergeSource<T>[],
  batchSize = 1024,
): AsyncGenerator<T[]> {
  if (sources.length === 1) {
    // Nothing to interleave: pass batches straight through (the common single-file case costs nothing).
    for await (const b of sources[0]!.batches) if (b.length > 0) yield b;
    return;
  }
  const ranks = rankByName(sources.map((s) => s.name));
  const heap = new MinHeap<Cursor<T>>((a, b) => a.key < b.key || (a.key === b.key && a.rank < b.rank));
  for (let i = 0; i < sources.length; i++) {
    const c: Cursor<T> = {
      rank: ranks[i]!,
      it: sources[i]!.batches[Symbol.asyncIterator](),
      batch: [],
      pos: 0,
      key: 0,
      clock: new CarryForwardClock(),
    };
    if (await refill(c)) heap.push(c);
  }
  let out: T[] = [];
  for (let c = heap.pop(); c !== undefined; c = heap.pop()) {
    // Take this source's events while they stay at or before the next source's head (no heap churn for runs).
    const next = heap.peek();
    for (;;) {
      out.push(c.batch[c.pos++]!);
      if (out.length >= batchSize) {
        yield out;
        out = [];
      }
      if (c.pos < c.batch.length) c.key = c.clock.key(c.batch[c.pos]!);
      else if (!(await refill(c))) break;
      if (next !== undefined && (c.key > next.key || (c.key === next.key && c.rank > next.rank))) {
        heap.push(c);
        break;
      }
    }
  }
  if (out.length > 0) yield out;
}

/** Loads the source's next non-empty batch and its head key; false when the source is done. */
async function refill<T extends Timed>(c: Cursor<T>): Promise<boolean> {
  for (;;) {
    const r = await c.it.next();
    if (r.done) return false;
    if (r.value.length > 0) {
      c.batch = r.value;
      c.pos = 0;
      c.key = c.clock.key(c.batch[0]!);
      return true;
    }
  }
}

/** Rank of each name in sorted order (ties between equal names by position). */
function rankByName(names: string[]): number[] {
  const order = names.map((n, i) => ({ n, i })).sort((a, b) => (a.n < b.n ? -1 : a.n > b.n ? 1 : a.i - b.i));
  const ranks = new Array<number>(names.length);
  order.forEach((o, r) => {
    ranks[o.i] = r;
  });
  return ranks;
}
