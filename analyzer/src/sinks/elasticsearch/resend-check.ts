// Which of these documents are already stored? A terms query on crumbtrail.event_id over each data stream (all
// its backing indices: `_mget` by _id would need the one backing index, which a rollover changes), and the
// bookkeeping of the start window in which the sink asks it.
import type { Client } from '@elastic/elasticsearch';

interface Checkable {
  id: string;
  index: string;
}

/** Ids of `items` stored in their data streams. A missing stream answers empty (it was never written). */
export async function storedIds(
  client: Client,
  items: readonly Checkable[],
  opts: { signal: AbortSignal; requestTimeoutMs: number },
): Promise<Set<string>> {
  const byIndex = new Map<string, string[]>();
  for (const it of items) {
    const ids = byIndex.get(it.index) ?? [];
    ids.push(it.id);
    byIndex.set(it.index, ids);
  }
  const found = new Set<string>();
  for (const [index, ids] of byIndex) {
    const res = await client.transport.request<{ hits?: { hits?: { _id?: string }[] } }>(
      {
        method: 'POST',
        path: `/${encodeURIComponent(index)}/_search`,
        querystring: {
          ignore_unavailable: true,
          allow_no_indices: true,
          filter_path: 'hits.hits._id',
        },
        body: {
          size: ids.length,
          _source: false,
          track_total_hits: false,
          query: { terms: { 'crumbtrail.event_id': ids } },
        },
      },
      { signal: opts.signal, requestTimeout: opts.requestTimeoutMs, maxRetries: 0 },
    );
    for (const h of res.hits?.hits ?? []) if (h._id) found.add(h._id);
  }
  return found;
}

/**
 * The start window: documents re-read from the last checkpoint may already be stored (acked but not yet
 * checkpointed, or sent but not yet acked when the process died). Every batch is checked until `bound` documents
 * past the first one found missing: before the crash at most maxQueueEvents documents were queued or in flight
 * behind that first missing one, so nothing stored can lie further on. Past the window, nothing is checked.
 */
export class ResendWindow {
  private remaining: number | null = null;
  private off = false;
  private readonly figures = { resendChecked: 0, resendSkipped: 0, resendCheckRequests: 0, resendCheckMs: 0 };

  constructor(private readonly bound: number) {}

  get open(): boolean {
    return !this.off && (this.remaining === null || this.remaining > 0);
  }

  get disabled(): boolean {
    return this.off;
  }

  disable(): void {
    this.off = true;
  }

  /** A window batch was checked: `missing` of its `n` documents were not stored. */
  checked(n: number, missing: number): void {
    if (this.remaining === null) {
      if (missing > 0) this.remaining = this.bound;
      return;
    }
    this.remaining -= n;
  }

  skipped(n: number, checked: number): void {
    this.figures.resendSkipped += n;
    this.figures.resendChecked += checked;
    this.figures.resendCheckRequests++;
  }

  noteCost(ms: number): void {
    this.figures.resendCheckMs += ms;
  }

  stats(): Record<string, number | boolean> {
    return {
      resendWindowOpen: this.open,
      ...this.figures,
      resendCheckMs: Math.round(this.figures.resendCheckMs),
    };
  }
}
