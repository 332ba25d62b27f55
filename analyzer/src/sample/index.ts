// Stage 'sample' (off by default): keeps every WARN-and-above event and a consistent fraction of the rest.
// "Consistent" means by a hash of the trace id (else of the message), so a sampled trace is kept whole and the
// same line is kept or dropped the same way on every run and every replica.
import { type ClassifiedEvent, LEVEL_RANK, type Level, type LogEvent } from '../core/types.ts';
import type { Stage } from '../pipeline/stage.ts';

export interface SampleOptions {
  /** Fraction (0..1] of lower-level events kept. 1 = sampling off. */
  rate: number;
  /** Events at or above this level are always kept. Default WARN. */
  keepFrom?: Level;
}

export class SampleConfigError extends Error {}

/** CRUMBTRAIL_SAMPLE_RATE (0 < rate ≤ 1; unset or 1 = off) and CRUMBTRAIL_SAMPLE_KEEP_FROM (default WARN). */
export function samplingFromEnv(env: NodeJS.ProcessEnv = process.env): SampleOptions | null {
  const raw = env.CRUMBTRAIL_SAMPLE_RATE?.trim();
  if (!raw) return null;
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 1) {
    throw new SampleConfigError(
      `CRUMBTRAIL_SAMPLE_RATE: "${raw}" is not a fraction in (0, 1]. Use e.g. 0.1 to keep 10 % of lines below WARN`,
    );
  }
  const keep = (env.CRUMBTRAIL_SAMPLE_KEEP_FROM?.trim().toUpperCase() || 'WARN') as Level;
  if (!(keep in LEVEL_RANK)) {
    throw new SampleConfigError(`CRUMBTRAIL_SAMPLE_KEEP_FROM: "${keep}" is not a level (e.g. WARN, ERROR)`);
  }
  return rate >= 1 ? null : { rate, keepFrom: keep };
}

/** 32-bit FNV-1a over UTF-16 code units: fast, stable across runs and machines. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class SampleStage implements Stage<LogEvent, LogEvent> {
  readonly name = 'sample';
  private readonly threshold: number;
  private readonly keepRank: number;

  constructor(opts: SampleOptions) {
    if (!(opts.rate > 0 && opts.rate <= 1))
      throw new SampleConfigError(`sample rate ${opts.rate} not in (0, 1]`);
    this.threshold = Math.floor(opts.rate * 0x1_0000_0000);
    this.keepRank = LEVEL_RANK[opts.keepFrom ?? 'WARN'];
  }

  keeps(e: LogEvent): boolean {
    if (LEVEL_RANK[e.level] >= this.keepRank) return true;
    const trace = e.traceId ?? e.fields.trace_id ?? e.fields.traceId;
    const key = trace !== undefined && trace !== null ? `t:${String(trace)}` : `m:${e.message}`;
    return fnv1a(key) < this.threshold;
  }

  process(e: LogEvent, emit: (e: LogEvent) => void): void {
    if (this.keeps(e)) emit(e);
  }
}

/**
 * Stage 'sample' as the live service runs it: after classify, so it sees what the rules said. Every breadcrumb is
 * kept whatever its level (an INFO "limit bypassed" line is a signal), and so is every event at or above
 * `keepFrom`; the rest is sampled like SampleStage. Running after classify costs the classifier's time on lines
 * that are then dropped, but it is the only place where "never drop a breadcrumb" can be guaranteed.
 */
export class ClassifiedSampleStage implements Stage<ClassifiedEvent, ClassifiedEvent> {
  readonly name = 'sample';
  private readonly sampler: SampleStage;

  constructor(opts: SampleOptions) {
    this.sampler = new SampleStage(opts);
  }

  keeps(item: ClassifiedEvent): boolean {
    return item.breadcrumb !== null || this.sampler.keeps(item.event);
  }

  process(item: ClassifiedEvent, emit: (e: ClassifiedEvent) => void): void {
    if (this.keeps(item)) emit(item);
  }
}

/**
 * `pipeline.sample` from the config file: `{ rate: 0 < r <= 1, keepFrom?: LEVEL }`; null when sampling is off
 * (absent, or rate 1). Bad values throw SampleConfigError naming the key.
 */
export function parseSampleOptions(raw: unknown, where = 'pipeline.sample'): SampleOptions | null {
  if (raw === undefined || raw === null || raw === false) return null;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new SampleConfigError(`${where}: must be a mapping like { rate: 0.1, keepFrom: WARN }`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'rate' && k !== 'keepFrom')
      throw new SampleConfigError(`${where}.${k}: unknown key; known: rate, keepFrom`);
  const rate = o.rate;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > 1)
    throw new SampleConfigError(
      `${where}.rate: ${JSON.stringify(rate)} is not a fraction in (0, 1]; e.g. 0.1 keeps 10 % of plain lines`,
    );
  const keep = o.keepFrom === undefined ? 'WARN' : String(o.keepFrom).toUpperCase();
  if (!(keep in LEVEL_RANK))
    throw new SampleConfigError(`${where}.keepFrom: "${keep}" is not a level (e.g. WARN, ERROR)`);
  return rate >= 1 ? null : { rate, keepFrom: keep as Level };
}
