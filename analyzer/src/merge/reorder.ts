// Stage 'reorder' (live service): events from the files it tails, put in event-time order within a bounded
// window. Each source keeps its own order (a per-source queue); a min-heap over the queues' heads releases
// the earliest event once it is due:
//   - the newest event time seen is `windowMs` past it (the usual bounded-disorder watermark), or
//   - it has waited `windowMs` of wall time (a quiet input still flows), or
//   - more than `maxHeld` events are held (memory bound), or the service stops (flush with final).
// An event older than what was already released arrived later than the window: it is passed on at once
// (after its own source's held events) and counted as late — crumbtrail_reorder_late_events_total and
// /stats → stages → reorder.
import { Counter, type Registry } from 'prom-client';
import type { LogEvent } from '../core/types.ts';
import type { Stage } from '../pipeline/stage.ts';
import { MinHeap } from './heap.ts';
import { CarryForwardClock } from './order-key.ts';

export interface ReorderOptions {
  windowMs: number;
  maxHeld: number;
  now?: () => number;
  registry?: Registry;
}

export const DEFAULT_REORDER: Pick<ReorderOptions, 'windowMs' | 'maxHeld'> = {
  windowMs: 2000,
  maxHeld: 50_000,
};

interface Held {
  event: LogEvent;
  key: number;
  arrived: number;
}

interface SourceQueue {
  /** Tie-break between sources with equal head times: first seen first. */
  rank: number;
  clock: CarryForwardClock;
  items: Held[];
  head: number;
  inHeap: boolean;
}

/** Sources remembered for their carry-forward clock; past this the map starts over (clocks only, no events). */
const MAX_SOURCES = 100_000;

export class ReorderStage implements Stage<LogEvent, LogEvent> {
  readonly name = 'reorder';
  private readonly windowMs: number;
  private readonly maxHeld: number;
  private readonly now: () => number;
  private readonly sources = new Map<string, SourceQueue>();
  private readonly heap = new MinHeap<SourceQueue>((a, b) => {
    const x = a.items[a.head]!.key;
    const y = b.items[b.head]!.key;
    return x < y || (x === y && a.rank < b.rank);
  });
  private newest = Number.NEGATIVE_INFINITY;
  private lastReleased = Number.NEGATIVE_INFINITY;
  private heldCount = 0;
  private nextRank = 0;
  private readonly counts = { late: 0, forcedByCap: 0, releasedByWallClock: 0 };
  private readonly lateCounter: Counter | null;

  constructor(opts: Partial<ReorderOptions> = {}) {
    this.windowMs = opts.windowMs ?? DEFAULT_REORDER.windowMs;
    this.maxHeld = opts.maxHeld ?? DEFAULT_REORDER.maxHeld;
    this.now = opts.now ?? Date.now;
    this.lateCounter = opts.registry
      ? new Counter({
          name: 'crumbtrail_reorder_late_events_total',
          help: 'Events that arrived later than the reorder window (passed on out of time order)',
          registers: [opts.registry],
        })
      : null;
  }

  process(e: LogEvent, emit: (e: LogEvent) => void): void {
    const q = this.queue(e.fileId ?? e.source);
    const key = q.clock.key(e);
    if (key < this.lastReleased && key !== Number.NEGATIVE_INFINITY) {
      this.counts.late++;
      this.lateCounter?.inc();
      if (q.head === q.items.length) {
        emit(e);
        return;
      }
    }
    q.items.push({ event: e, key, arrived: this.now() });
    this.heldCount++;
    if (!q.inHeap) {
      q.inHeap = true;
      this.heap.push(q);
    }
    if (key > this.newest) this.newest = key;
    this.release(emit, false);
  }

  /** Idle: release what is due by wall time. Final (shutdown): release everything. */
  flush(emit: (e: LogEvent) => void, final = true): void {
    this.release(emit, final);
  }

  /** Events held now (the service must not commit past them). */
  heldEvents(): number {
    return this.heldCount;
  }

  details(): Record<string, number> {
    return { windowMs: this.windowMs, held: this.heldCount, ...this.counts };
  }

  private queue(id: string): SourceQueue {
    let q = this.sources.get(id);
    if (q === undefined) {
      if (this.sources.size >= MAX_SOURCES)
        for (const [k, v] of this.sources) if (!v.inHeap) this.sources.delete(k);
      q = { rank: this.nextRank++, clock: new CarryForwardClock(), items: [], head: 0, inHeap: false };
      this.sources.set(id, q);
    }
    return q;
  }

  private release(emit: (e: LogEvent) => void, final: boolean): void {
    const now = this.now();
    const watermark = this.newest - this.windowMs;
    for (let q = this.heap.peek(); q !== undefined; q = this.heap.peek()) {
      const h = q.items[q.head]!;
      const overCap = this.heldCount > this.maxHeld;
      const byTime = h.key <= watermark;
      const byWait = now - h.arrived >= this.windowMs;
      if (!(final || overCap || byTime || byWait)) break;
      if (overCap && !byTime && !byWait && !final) this.counts.forcedByCap++;
      else if (byWait && !byTime && !final) this.counts.releasedByWallClock++;
      this.heap.pop();
      q.head++;
      this.heldCount--;
      if (h.key > this.lastReleased) this.lastReleased = h.key;
      emit(h.event);
      if (q.head > 1024 && q.head * 2 > q.items.length) {
        q.items = q.items.slice(q.head);
        q.head = 0;
      }
      if (q.head < q.items.length) this.heap.push(q);
      else {
        q.items = [];
        q.head = 0;
        q.inHeap = false;
      }
    }
  }
}
