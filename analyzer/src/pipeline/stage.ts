// A pipeline stage is a processor with one job: it takes an item and emits zero or more items.
// The runner (pipeline.ts) makes every stage observable: counts in/out, time, errors, line traces.

export interface Stage<I, O> {
  readonly name: string;
  /** Handle one item; call `emit` for each output. A throw is recorded and the item moves on (dropped). */
  process(item: I, emit: (out: O) => void): void;
  /**
   * Emit anything held back (e.g. the event waiting for continuation lines). Called at idle and at end;
   * `final` is true at the end (shutdown), when a stage that holds events for a time window releases all.
   */
  flush?(emit: (out: O) => void, final?: boolean): void;
  /** Events the stage holds across calls (0 when none): the service does not commit past held events. */
  heldEvents?(): number;
  /** Stage-specific counters for /stats (e.g. the reorder window's late events). */
  details?(): Record<string, number>;
}

export type TraceStatus = 'emit' | 'drop' | 'error';

export interface TraceHop {
  stage: string;
  status: TraceStatus;
  /** Epoch ms when the stage finished with the item. */
  at: number;
}

export interface LineTrace {
  source: string;
  offset: number;
  hops: TraceHop[];
}

export interface StageError {
  stage: string;
  at: number;
  message: string;
  source: string;
  offset: number;
  /** The line (or its start), so the error can be reproduced. */
  line: string;
}

export interface StageStats {
  name: string;
  eventsIn: number;
  eventsOut: number;
  errors: number;
  /** Total seconds spent inside the stage. */
  seconds: number;
  details?: Record<string, number>;
}
