// Runs items through stages batch by batch (stage-major), so timing costs two clock reads per stage per
// batch rather than per line. Every stage is observed: in/out counts, seconds, errors, optional traces.
import { Ring } from './ring.ts';
import type { LineTrace, Stage, StageError, StageStats } from './stage.ts';

/** Anything that can say where it came from, so errors and traces name the line. */
export interface Located {
  source: string;
  offset: number;
}

export interface PipelineOptions {
  /** Keep per-line traces (stage, status, time) for the last `traceCapacity` lines. */
  trace?: boolean;
  traceCapacity?: number;
  errorCapacity?: number;
  /** Renders an item for an error record (the line that broke). */
  describe?: (item: unknown) => string;
}

type AnyStage = Stage<unknown, unknown>;

export class Pipeline<In extends Located, Out> {
  private readonly stages: AnyStage[];
  private readonly counters: StageStats[];
  private readonly traceRing: Ring<LineTrace>;
  private readonly errorRing: Ring<StageError>;
  private readonly traceOf = new WeakMap<object, LineTrace>();
  private readonly tracing: boolean;
  private readonly describe: (item: unknown) => string;
  private totalErrors = 0;

  constructor(stages: Stage<never, unknown>[], opts: PipelineOptions = {}) {
    this.stages = stages as unknown as AnyStage[];
    this.counters = this.stages.map((s) => ({
      name: s.name,
      eventsIn: 0,
      eventsOut: 0,
      errors: 0,
      seconds: 0,
    }));
    this.tracing = opts.trace ?? false;
    this.traceRing = new Ring(opts.traceCapacity ?? 1000);
    this.errorRing = new Ring(opts.errorCapacity ?? 200);
    this.describe = opts.describe ?? defaultDescribe;
  }

  /** Run a batch through every stage; returns what came out of the last stage. */
  run(batch: In[]): Out[] {
    if (this.tracing) {
      for (const item of batch) {
        const t: LineTrace = { source: item.source, offset: item.offset, hops: [] };
        this.traceOf.set(item, t);
        this.traceRing.push(t);
      }
    }
    return this.runFrom(0, batch as unknown[]) as Out[];
  }

  /** Drain held-back items: everything (end of input, shutdown), or with `final` false what is due (idle). */
  flush(final = true): Out[] {
    let carried: unknown[] = [];
    for (let i = 0; i < this.stages.length; i++) {
      carried = this.runStage(i, carried);
      const stage = this.stages[i]!;
      if (stage.flush) {
        const c = this.counters[i]!;
        const t0 = performance.now();
        stage.flush((out) => {
          c.eventsOut++;
          carried.push(out);
          this.hop(out, undefined, stage.name, 'emit');
        }, final);
        c.seconds += (performance.now() - t0) / 1000;
      }
    }
    return carried as Out[];
  }

  stats(): StageStats[] {
    return this.counters.map((c, i) => {
      const d = this.stages[i]!.details?.();
      return d ? { ...c, details: d } : { ...c };
    });
  }

  /** Whether any stage still holds events after a flush (a time window, not yet due). */
  holding(): boolean {
    return this.stages.some((s) => (s.heldEvents?.() ?? 0) > 0);
  }

  traces(limit?: number): LineTrace[] {
    return this.traceRing.recent(limit);
  }

  errors(limit?: number): StageError[] {
    return this.errorRing.recent(limit);
  }

  get errorCount(): number {
    return this.totalErrors;
  }

  private runFrom(start: number, batch: unknown[]): unknown[] {
    let items = batch;
    for (let i = start; i < this.stages.length && items.length > 0; i++) items = this.runStage(i, items);
    return items;
  }

  private runStage(i: number, items: unknown[]): unknown[] {
    const stage = this.stages[i]!;
    const c = this.counters[i]!;
    const out: unknown[] = [];
    let current: unknown;
    let emitted = false;
    const emit = (o: unknown): void => {
      out.push(o);
      emitted = true;
      if (this.tracing) this.hop(o, current, stage.name, 'emit');
    };
    const t0 = performance.now();
    for (const item of items) {
      current = item;
      emitted = false;
      try {
        stage.process(item, emit);
      } catch (err) {
        c.errors++;
        this.totalErrors++;
        this.recordError(stage.name, item, err);
        if (this.tracing) this.hop(item, undefined, stage.name, 'error');
        continue;
      }
      if (!emitted && this.tracing) this.hop(item, undefined, stage.name, 'drop');
    }
    c.seconds += (performance.now() - t0) / 1000;
    c.eventsIn += items.length;
    c.eventsOut += out.length;
    return out;
  }

  /** Record a hop on the trace of `item`; a new output object inherits the trace of its input. */
  private hop(item: unknown, from: unknown, stage: string, status: 'emit' | 'drop' | 'error'): void {
    if (!this.tracing || typeof item !== 'object' || item === null) return;
    let t = this.traceOf.get(item);
    if (!t && typeof from === 'object' && from !== null) {
      t = this.traceOf.get(from);
      if (t) this.traceOf.set(item, t);
    }
    t?.hops.push({ stage, status, at: Date.now() });
  }

  private recordError(stage: string, item: unknown, err: unknown): void {
    const loc = item as Partial<Located>;
    this.errorRing.push({
      stage,
      at: Date.now(),
      message: err instanceof Error ? err.message : String(err),
      source: loc.source ?? '',
      offset: loc.offset ?? -1,
      line: this.describe(item).slice(0, 2000),
    });
  }
}

function defaultDescribe(item: unknown): string {
  const o = item as { bytes?: Buffer; message?: string; event?: { message?: string } };
  if (o.bytes instanceof Buffer) return o.bytes.toString('utf8');
  return o.message ?? o.event?.message ?? JSON.stringify(item);
}
