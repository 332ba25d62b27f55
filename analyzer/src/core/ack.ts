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

  /** Offsets refused by track() because they were at or below what the source already tracked or committed. */
  rejected = 0;

  /**
   * Register an event (by the byte offset just past it) in read order. Returns false, and tracks nothing, for
   * an offset at or below the committed one or the last tracked one: ack() could never move the queue past it,
   * so accepting it would freeze the checkpoint. The caller treats such an event as already handled (a replay).
   */
  track(source: string, nextOffset: number): boolean {
    const q = this.queue(source);
    const last = q.head < q.pending.length ? q.pending[q.pending.length - 1]! : q.committed;
    if (!Number.isFinite(nextOffset) || nextOffset <= last || nextOffset <= q.committed) {
      this.rejected++;
      return false;
    }
    q.pending.push(nextOffset);
    return true;
  }

  /** Mark an event handled. Unknown, untracked or repeated acks are ignored (idempotent). */
  ack(source: string, nextOffset: number): void {
    const q = this.sources.get(source);
    if (!q || nextOffset <= q.committed) return;
    // Only offsets still in the queue: an unknown one kept in `acked` would never leave it (a slow leak).
    if (!this.isPending(q, nextOffset)) return;
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

  /** Events tracked but not yet acked for one source. */
  pendingOf(source: string): number {
    const q = this.sources.get(source);
    return q ? q.pending.length - q.head : 0;
  }

  /** Start a source at a restored checkpoint (or after truncation, at 0). Drops its pending events. */
  reset(source: string, committed: number): void {
    this.sources.set(source, { pending: [], head: 0, acked: new Set(), committed });
  }

  forget(source: string): void {
    this.sources.delete(source);
  }

  /** Pending offsets are strictly increasing: binary search from the head. */
  private isPending(q: SourceQueue, off: number): boolean {
    let lo = q.head;
    let hi = q.pending.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = q.pending[mid]!;
      if (v === off) return true;
      if (v < off) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
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
