// At-least-once bookkeeping: a source's checkpoint may only advance past events every sink has handled.
// Events are tracked in read order; acks may arrive out of order (a later ES batch can finish first).

interface SourceQueue {
  /** nextOffsets in read order that are not yet committed. */
  pending: number[];
  head: number;
  acked: Set<number>;
  committed: number;
}

export class AckTracker {
  private readonly sources = new Map<string, SourceQueue>();

  /** Register an event (by the byte offset just past it) in read order. */
  track(source: string, nextOffset: number): void {
    this.queue(source).pending.push(nextOffset);
  }

  /** Mark an event handled. Unknown or repeated acks are ignored (idempotent). */
  ack(source: string, nextOffset: number): void {
    const q = this.sources.get(source);
    if (!q || nextOffset <= q.committed) return;
    q.acked.add(nextOffset);
    while (q.head < q.pending.length && q.acked.has(q.pending[q.head]!)) {
      const off = q.pending[q.head++]!;
      q.acked.delete(off);
      q.committed = off;
    }
    // Compact the queue now and then instead of shifting on every ack (shift is O(n)).
    if (q.head > 4096 && q.head * 2 > q.pending.length) {
      q.pending = q.pending.slice(q.head);
      q.head = 0;
    }
  }

  /** Highest offset before which every tracked event is acked. */
  committed(source: string): number {
    return this.sources.get(source)?.committed ?? 0;
  }

  /** Events tracked but not yet acked, over all sources (for backpressure and /stats). */
  inFlight(): number {
    let n = 0;
    for (const q of this.sources.values()) n += q.pending.length - q.head;
    return n;
  }

  /** Start a source at a restored checkpoint (or after truncation, at 0). Drops its pending events. */
  reset(source: string, committed: number): void {
    this.sources.set(source, { pending: [], head: 0, acked: new Set(), committed });
  }

  forget(source: string): void {
    this.sources.delete(source);
  }

  private queue(source: string): SourceQueue {
    let q = this.sources.get(source);
    if (!q) {
      q = { pending: [], head: 0, acked: new Set(), committed: 0 };
      this.sources.set(source, q);
    }
    return q;
  }
}
