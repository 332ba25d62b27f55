// The contract for sinks that need acknowledgements (Elasticsearch). Sinks never reach back into sources: they
// call AckTracker.ack(fileId ?? source, nextOffset) when an event is safely stored, and the service commits
// AckTracker.committed(...) to the tailer's checkpoints. Events a sink does not take are acked by the service.
import type { ClassifiedEvent } from '../core/types.ts';

export interface AckingSink {
  readonly name: string;
  /** Whether this sink will take (and later ack) the event; if false the service acks it at once. */
  accepts(item: ClassifiedEvent): boolean;
  /** Queue an event. Never throws for delivery problems: it retries / dead-letters on its own. */
  write(item: ClassifiedEvent): void;
  /** True while the queue is over its bound: the service pauses reading until it clears. */
  readonly saturated: boolean;
  /** Resolves when the queue drains or `timeoutMs` passes (graceful shutdown). */
  flush(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
  /** Healthy enough for /readyz (e.g. last bulk succeeded or no data yet). */
  ready(): boolean;
  /** Why ready() is false, for /readyz (e.g. 'Elasticsearch answered 401: check CRUMBTRAIL_ES_API_KEY'). */
  notReadyReason?(): string;
  stats(): Record<string, number | string | boolean>;
}
