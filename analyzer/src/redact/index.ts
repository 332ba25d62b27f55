// Stage 'redact': removes secrets and personal data from an event before anything stores or ships it —
// message, string field values (and whole values of secret-named fields) and continuation lines.
import { Counter, type Registry } from 'prom-client';
import type { FieldValue, LogEvent } from '../core/types.ts';
import type { Stage } from '../pipeline/stage.ts';
import {
  compilePattern,
  DEFAULT_PATTERNS,
  type PatternSpec,
  REDACTED,
  RedactionConfigError,
  type RedactionPattern,
  SECRET_KEY,
} from './patterns.ts';

export type { PatternSpec, RedactionPattern } from './patterns.ts';
export { compilePattern, DEFAULT_PATTERNS, luhn, REDACTED, RedactionConfigError } from './patterns.ts';

export interface RedactorOptions {
  /** Patterns to apply, in order. Default: DEFAULT_PATTERNS. */
  patterns?: readonly RedactionPattern[];
  /** Where crumbtrail_redactions_total{pattern} lives; omitted → counts kept only in `counts()`. */
  registry?: Registry;
}

export class Redactor {
  private readonly patterns: readonly RedactionPattern[];
  private readonly counter: Counter<'pattern'> | null;
  private readonly totals = new Map<string, number>();

  constructor(opts: RedactorOptions = {}) {
    this.patterns = opts.patterns ?? DEFAULT_PATTERNS;
    this.counter = opts.registry ? redactionsCounter(opts.registry) : null;
  }

  /** Redact one text; returns the same string object when nothing matched (cheap identity check). */
  text(input: string): string {
    let out = input;
    for (const p of this.patterns) {
      if (!p.precheck(out)) continue;
      p.regex.lastIndex = 0;
      let hits = 0;
      const next = out.replace(p.regex, (m: string, ...rest: unknown[]) => {
        // rest = groups…, offset, whole string[, named groups]
        const groupCount = rest.length - (typeof rest.at(-1) === 'object' ? 3 : 2);
        const r = p.replace(m, rest.slice(0, groupCount) as (string | undefined)[]);
        if (r === null) return m;
        hits++;
        return r;
      });
      if (hits > 0) {
        out = next;
        this.count(p.name, hits);
      }
    }
    return out;
  }

  /** Redact an event; returns the input object itself when it held nothing to redact. */
  event(e: LogEvent): LogEvent {
    const message = this.text(e.message);
    let fields: Record<string, FieldValue> | null = null;
    for (const k in e.fields) {
      const v = e.fields[k];
      if (typeof v !== 'string') continue;
      let r: string;
      if (SECRET_KEY.test(k) && v !== REDACTED) {
        r = REDACTED;
        this.count('secret_kv', 1);
      } else r = this.text(v);
      if (r !== v) {
        fields ??= { ...e.fields };
        fields[k] = r;
      }
    }
    let continuation: string[] | null = null;
    if (e.continuation) {
      for (let i = 0; i < e.continuation.length; i++) {
        const line = e.continuation[i]!;
        const r = this.text(line);
        if (r !== line) {
          continuation ??= [...e.continuation];
          continuation[i] = r;
        }
      }
    }
    if (message === e.message && !fields && !continuation) return e;
    const out: LogEvent = { ...e, message };
    if (fields) out.fields = fields;
    if (continuation) out.continuation = continuation;
    return out;
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.totals);
  }

  private count(name: string, n: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + n);
    this.counter?.inc({ pattern: name }, n);
  }
}

/** Stage 'redact': LogEvent → LogEvent with secrets removed. */
export class RedactStage implements Stage<LogEvent, LogEvent> {
  readonly name = 'redact';
  readonly redactor: Redactor;
  constructor(opts: RedactorOptions = {}) {
    this.redactor = new Redactor(opts);
  }
  process(e: LogEvent, emit: (e: LogEvent) => void): void {
    emit(this.redactor.event(e));
  }
}

const COUNTER_NAME = 'crumbtrail_redactions_total';

/** One counter per registry, even when several stages are built on it (e.g. a pipeline rebuilt on reload). */
function redactionsCounter(registry: Registry): Counter<'pattern'> {
  const existing = registry.getSingleMetric(COUNTER_NAME);
  if (existing) return existing as Counter<'pattern'>;
  return new Counter({
    name: COUNTER_NAME,
    help: 'Secrets and personal data removed from events before storing or shipping, by pattern',
    labelNames: ['pattern'],
    registers: [registry],
  });
}

/**
 * The stage from the service's `pipeline.redact` options:
 *   { defaults?: boolean (default true), patterns?: [{ name, regex, flags?, replacement?, precheck? }] }
 * Configured patterns run after the defaults (or alone with `defaults: false`). Bad options throw
 * RedactionConfigError naming the key.
 */
export function createRedactStage(options: Record<string, unknown> = {}, registry?: Registry): RedactStage {
  for (const k of Object.keys(options)) {
    if (k !== 'defaults' && k !== 'patterns') {
      throw new RedactionConfigError(`pipeline.redact.${k}: unknown option (use "defaults" or "patterns")`);
    }
  }
  const { defaults = true, patterns = [] } = options as { defaults?: unknown; patterns?: unknown };
  if (typeof defaults !== 'boolean')
    throw new RedactionConfigError('pipeline.redact.defaults: must be true or false');
  if (!Array.isArray(patterns)) throw new RedactionConfigError('pipeline.redact.patterns: must be a list');
  const compiled = patterns.map((p, i) => {
    const spec = p as PatternSpec;
    if (typeof spec !== 'object' || spec === null || typeof spec.regex !== 'string') {
      throw new RedactionConfigError(`pipeline.redact.patterns[${i}]: needs { name, regex }`);
    }
    return compilePattern(spec, `pipeline.redact.patterns[${i}]`, 'linear');
  });
  const all = [...(defaults ? DEFAULT_PATTERNS : []), ...compiled];
  return new RedactStage(registry ? { patterns: all, registry } : { patterns: all });
}
