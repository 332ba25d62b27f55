// Rules → breadcrumbs. First matching rule wins (file order is priority). Rules are pre-bucketed by level so
// the common case — an INFO line no rule cares about — costs a couple of checks, not a regex per rule.
import {
  type Breadcrumb,
  CATEGORY_SYMBOL,
  type Category,
  type ClassifiedEvent,
  LEVEL_RANK,
  LEVELS,
  type Level,
  type LogEvent,
} from '../core/types.ts';
import type { Stage } from '../pipeline/stage.ts';
import { linkKeys } from '../timeline/links.ts';
import { EntityMemory } from './entity-memory.ts';
import { LiteralGate, requiredLiterals } from './prefilter.ts';
import type { FieldCondition, Rule, RuleSet } from './schema.ts';

/** Continuation lines a `stack_trace` condition looks at: a frame or a "Caused by" shows early. */
const STACK_LINES = 20;

/** One level's rules, in priority order, with the literal gate over their message patterns. */
interface LevelRules {
  rules: Rule[];
  gate: LiteralGate;
  /** 1 where a rule's message regex can be skipped unless the gate saw one of its literals. */
  gated: Uint8Array;
  /** Scratch: the rules whose literals occur in the current line. */
  hits: Uint8Array;
}

export class Classifier {
  private readonly byLevel = new Map<Level, LevelRules>();
  /** Categories some rule's `after:` counts, with the longest window asked for. */
  private readonly tracked = new Map<Category, number>();
  private readonly memory = new EntityMemory();
  private lastTime = 0;

  constructor(readonly rules: RuleSet) {
    for (const r of rules.rules)
      if (r.after)
        this.tracked.set(
          r.after.category,
          Math.max(this.tracked.get(r.after.category) ?? 0, r.after.withinMs),
        );
    const literals = new Map<Rule, string[] | null>(
      rules.rules.map((r) => [r, r.message ? requiredLiterals(patternSource(r.message)) : null]),
    );
    for (const level of LEVELS) {
      const list = rules.rules.filter((r) => levelAllowed(r, level));
      const lits = list.map((r) => literals.get(r) ?? null);
      this.byLevel.set(level, {
        rules: list,
        gate: new LiteralGate(lits),
        gated: Uint8Array.from(lits, (l) => (l === null ? 0 : 1)),
        hits: new Uint8Array(list.length),
      });
    }
  }

  /** First matching rule wins; null when none matches. Unparsed lines are never breadcrumbs. */
  classify(e: LogEvent): Breadcrumb | null {
    if (e.format === 'unparsed') return null;
    const bucket = this.byLevel.get(e.level);
    if (bucket === undefined || bucket.rules.length === 0) return null;
    const { rules, gated, hits } = bucket;
    let text: string | null = null;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.componentMatcher && !r.componentMatcher.test(e.component)) continue;
      if (r.message || r.unless) {
        if (text === null) {
          text = messageText(e);
          bucket.gate.scan(text, hits);
        }
        if (r.message && gated[i] === 1 && hits[i] === 0) continue;
      }
      if (r.message && !r.message.test(text!)) continue;
      if (r.unless?.test(withFields(text!, e))) continue;
      if (r.where && !r.where.every((c) => holds(c, e))) continue;
      if (r.after && !this.followsRun(r.after, e)) continue;
      this.remember(r.category, e);
      return {
        event: e,
        category: r.category,
        symbol: CATEGORY_SYMBOL[r.category],
        ruleId: r.id,
        severity: r.severity,
      };
    }
    return null;
  }

  /** Entries the `after:` memory dropped to stay bounded. */
  get entityMemoryEvicted(): number {
    return this.memory.evicted;
  }

  private timeOf(e: LogEvent): number {
    if (e.timestamp !== null && e.timestamp > this.lastTime) this.lastTime = e.timestamp;
    return e.timestamp ?? this.lastTime;
  }

  private followsRun(after: NonNullable<Rule['after']>, e: LogEvent): boolean {
    const n = this.memory.count(after.category, linkKeys(e).strong, this.timeOf(e), after.withinMs);
    return n >= after.count;
  }

  private remember(category: Category, e: LogEvent): void {
    const within = this.tracked.get(category);
    if (within !== undefined) this.memory.record(category, linkKeys(e).strong, this.timeOf(e), within);
  }
}

/** Fields where structured loggers put the error itself ("session write failed" + error="OOM command not allowed…"). */
const ERROR_FIELDS = [
  'error',
  'err',
  'error.message',
  'err.message',
  'exception',
  'exc_info',
  'error.type',
  'err.type',
];

/** What message rules read: the message, then any error text the logger put beside it. */
function messageText(e: LogEvent): string {
  let text = e.message;
  for (const f of ERROR_FIELDS) {
    const v = e.fields[f] ?? e.ecs?.[f];
    if (typeof v === 'string' && v !== '' && !text.includes(v)) text += ` ${v}`;
  }
  return text;
}

/** The pattern text of a compiled message matcher (RegExp or a linear-time engine's equivalent). */
function patternSource(m: unknown): string {
  const src = (m as { source?: unknown }).source;
  return typeof src === 'string' ? src : '';
}

/**
 * What `unless` reads: the message text plus the event's fields as ` key=value`, so a negation held in a field
 * (`msg="configuration reloaded" changed=false`) counts. Built only after a rule's message matched (rare).
 */
function withFields(text: string, e: LogEvent): string {
  let out = text;
  for (const k in e.fields) {
    const v = e.fields[k];
    if (v !== null && typeof v !== 'object' && !text.includes(`${k}=`)) out += ` ${k}=${String(v)}`;
  }
  return out;
}

function levelAllowed(r: Rule, level: Level): boolean {
  // A format without levels (traditional syslog files) counts as INFO for rules that read the content.
  if (level === 'UNKNOWN')
    return (
      !r.levels &&
      (r.message !== undefined || r.where !== undefined) &&
      (!r.minLevel || LEVEL_RANK[r.minLevel] <= LEVEL_RANK.INFO)
    );
  if (r.levels && !r.levels.includes(level)) return false;
  if (r.minLevel && LEVEL_RANK[level] < LEVEL_RANK[r.minLevel]) return false;
  return true;
}

function fieldValue(e: LogEvent, field: string): unknown {
  switch (field) {
    case 'component':
      return e.component;
    case 'message':
      return e.message;
    case 'trace_id':
      return e.traceId ?? e.fields.trace_id;
    case 'stack_trace':
      // The lines folded under the event (a stack trace, wrapped output), so rules can see them at any level.
      return e.continuation && e.continuation.length > 0
        ? e.continuation.slice(0, STACK_LINES).join('\n')
        : (e.fields.stack_trace ?? e.fields['error.stack_trace']);
    default:
      return e.fields[field];
  }
}

function holds(c: FieldCondition, e: LogEvent): boolean {
  const v = fieldValue(e, c.field);
  if (c.op === 'exists') return v !== undefined && v !== null;
  if (v === undefined || v === null) return false;
  switch (c.op) {
    case 'matches':
      return c.regex!.test(String(v));
    case '==':
      return typeof c.value === 'number' ? Number(v) === c.value : String(v) === String(c.value);
    case '!=':
      return typeof c.value === 'number' ? Number(v) !== c.value : String(v) !== String(c.value);
    default: {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) return false;
      const x = c.value as number;
      return c.op === '<' ? n < x : c.op === '<=' ? n <= x : c.op === '>' ? n > x : n >= x;
    }
  }
}

/** Stage 'classify': LogEvent → ClassifiedEvent (breadcrumb null when no rule matched). */
export class ClassifyStage implements Stage<LogEvent, ClassifiedEvent> {
  readonly name = 'classify';
  constructor(private readonly classifier: Classifier) {}
  process(event: LogEvent, emit: (c: ClassifiedEvent) => void): void {
    emit({ event, breadcrumb: this.classifier.classify(event) });
  }
}
