// Per-source format detection. The first SAMPLE_LINES lines of a source are tried against every format (the
// line itself parsed by the best-scoring format so far); then the source is locked to the best match and only
// that format runs per line. A line it misses is tried against the others (mixed logs), or — when the format
// declares a multi-line start rule the line does not meet — marked a continuation. When the locked format's
// match rate collapses over a window (a rotated file in another format), the source is sampled again.
import type { DetectionDecision } from '../core/types.ts';
import type { CompiledCatalog } from './catalog/compiled.ts';
import type { CompiledFormat, Parts } from './compile.ts';

export const SAMPLE_LINES = 64;
const WINDOW_LINES = 512;
/** Below this share of (non-continuation) lines matched in a window, the source is detected again. */
const COLLAPSE_RATE = 0.3;
/** A fallback format (priority ≤ 0) needs this many times the best specific format's matches to win. */
const FALLBACK_MARGIN = 1.25;
const MAX_PARTIAL_CHARS = 1024 * 1024;
/** A live source (no fixed reference time) re-reads the clock for year-less timestamps this often. */
const REF_REFRESH_LINES = 4096;

/** A line was a partial record (CRI `P`, a split json-file record): held until its last piece arrives. */
export const PARTIAL = 1;
/** The line continues the event above it (the source's format says it does not start an event). */
export const CONTINUATION = 2;
export type ParseOutcome = Parts | null | typeof PARTIAL | typeof CONTINUATION;

export interface SourceParserOptions {
  /** A format name to use for every line (no detection), or undefined / 'auto'. */
  format?: string;
  /** Reference time for year-less timestamps (the file's mtime); omitted: the clock, re-read as lines come. */
  refMs?: number;
  onDecision?: (d: DetectionDecision) => void;
}

export class SourceParser {
  private locked: CompiledFormat | null = null;
  private readonly forced: boolean;
  private readonly counts: Int32Array;
  private sampled = 0;
  private windowLines = 0;
  private windowHits = 0;
  private lineNo = 0;
  private refMs: number;
  private refLines = 0;
  private inner: SourceParser | null = null;
  private partialText: string | null = null;
  private decisions = 0;

  constructor(
    private readonly catalog: CompiledCatalog,
    private readonly source: string,
    private readonly opts: SourceParserOptions = {},
  ) {
    this.counts = new Int32Array(catalog.formats.length);
    this.refMs = opts.refMs ?? Date.now();
    const forced = opts.format !== undefined && opts.format !== 'auto' ? catalog.get(opts.format) : undefined;
    this.forced = forced !== undefined;
    if (forced !== undefined) {
      this.locked = forced;
      this.decide(forced, 1, 0, 1, 'forced');
    }
  }

  /** The format the source is locked to (null while sampling). */
  get format(): CompiledFormat | null {
    return this.locked;
  }

  parse(text: string): ParseOutcome {
    this.lineNo++;
    if (this.opts.refMs === undefined && ++this.refLines >= REF_REFRESH_LINES) {
      this.refLines = 0;
      this.refMs = Date.now();
    }
    const locked = this.locked;
    if (locked === null) return this.sample(text);
    const p = locked.wrapper ? this.unwrapWith(locked, text) : locked.parse(text, this.refMs);
    if (this.forced) return p === null && !locked.startsEvent(text) ? CONTINUATION : p;
    this.windowLines++;
    if (p !== null) {
      this.windowHits++;
    } else if (!locked.startsEvent(text) || isBlank(text)) {
      this.windowLines--; // continuation lines say nothing about the match rate
      if (!isBlank(text)) return CONTINUATION;
    }
    if (this.windowLines >= WINDOW_LINES) {
      const collapsed = this.windowHits < this.windowLines * COLLAPSE_RATE;
      this.windowLines = 0;
      this.windowHits = 0;
      if (collapsed) {
        this.locked = null;
        this.counts.fill(0);
        this.sampled = 0;
        this.leader = null;
        this.leaderScore = 0;
      }
    }
    if (p !== null) return p;
    return this.fallback(text, locked);
  }

  /** End of the source (or idle): a source shorter than the sample is decided on what it had. */
  finish(): void {
    if (this.locked === null && this.sampled > 0) this.lock();
    this.inner?.finish();
  }

  /** While sampling: every format scores the line; the best so far parses it. */
  private sample(text: string): ParseOutcome {
    const counts = this.counts;
    if (this.sampled === 0) this.sampleStart = this.lineNo;
    let bestF: CompiledFormat | null = null;
    let bestP: Parts | null = null;
    let bestScore = -1;
    if (!isBlank(text)) {
      this.sampled++;
      for (const f of this.catalog.byPriority) {
        const p = f.wrapper ? this.unwrapWith(f, text, true) : f.parse(text, this.refMs);
        if (p === null || typeof p !== 'object') continue;
        const n = ++counts[f.index]!;
        const score = f.spec.priority <= 0 ? n / FALLBACK_MARGIN : n;
        if (score > bestScore) {
          bestScore = score;
          bestF = f;
          bestP = p;
        }
      }
    }
    if (bestF !== null && bestScore >= this.leaderScore) {
      this.leader = bestF;
      this.leaderScore = bestScore;
    }
    if (this.sampled >= SAMPLE_LINES) this.lock();
    if (bestF?.wrapper) return this.unwrapWith(bestF, text);
    // No format reads it: a continuation if the leading format so far says it does not start an event.
    if (bestP === null && this.leader !== null && !isBlank(text) && !this.leader.startsEvent(text))
      return CONTINUATION;
    return bestP;
  }

  /** While sampling: the best-scoring format so far (its multi-line rule applies to lines nothing reads). */
  private leader: CompiledFormat | null = null;
  private leaderScore = 0;

  private sampleStart = 1;
  private lock(): void {
    let top: CompiledFormat | null = null;
    let topFallback: CompiledFormat | null = null;
    for (const f of this.catalog.byPriority) {
      const n = this.counts[f.index]!;
      if (n === 0) continue;
      if (f.spec.priority <= 0) {
        if (topFallback === null || n > this.counts[topFallback.index]!) topFallback = f;
      } else if (top === null || n > this.counts[top.index]!) top = f;
    }
    const topN = top === null ? 0 : this.counts[top.index]!;
    if (topFallback !== null && this.counts[topFallback.index]! > topN * FALLBACK_MARGIN) top = topFallback;
    if (top === null) {
      // Nothing matched: sample the next lines too (cheap enough: nothing here is a known format).
      this.counts.fill(0);
      this.sampled = 0;
      return;
    }
    const previous = this.lastDecided;
    this.locked = top;
    if (previous !== top.name)
      this.decide(
        top,
        this.sampleStart,
        this.sampled,
        this.counts[top.index]! / this.sampled,
        this.decisions === 0 ? 'initial' : 'redetect',
      );
  }

  private lastDecided = '';
  private decide(
    f: CompiledFormat,
    line: number,
    sampled: number,
    matchRate: number,
    reason: DetectionDecision['reason'],
  ) {
    this.decisions++;
    this.lastDecided = f.name;
    this.opts.onDecision?.({ source: this.source, format: f.name, line, sampled, matchRate, reason });
  }

  /** A line the locked format missed: the first other format that reads it (mixed logs). */
  private fallback(text: string, locked: CompiledFormat): ParseOutcome {
    for (const f of this.catalog.byPriority) {
      if (f === locked || f.wrapper) continue;
      const p = f.parse(text, this.refMs);
      if (p !== null) return p;
    }
    return null;
  }

  /** `cri/logfmt`: built once per pair, not per line (the name is a hot Map key downstream). */
  private wrappedName(wrapper: string, inner: string): string {
    const key = `${wrapper}/${inner}`;
    let name = wrappedNames.get(key);
    if (name === undefined) {
      name = key;
      wrappedNames.set(key, name);
    }
    return name;
  }

  /** Container wrappers: the inner line goes through its own detector; CRI `P` pieces are joined. */
  private unwrapWith(f: CompiledFormat, text: string, probe = false): ParseOutcome {
    const u = f.unwrap(text, this.refMs);
    if (u === null) return null;
    if (probe) return u as unknown as Parts; // only "it matched" matters while scoring
    let inner = u.inner;
    if (u.partial) {
      const held = this.partialText ?? '';
      if (held.length + inner.length < MAX_PARTIAL_CHARS) {
        this.partialText = held + inner;
        return PARTIAL;
      }
    }
    if (this.partialText !== null) {
      inner = this.partialText + inner;
      this.partialText = null;
    }
    if (this.inner === null)
      this.inner = new SourceParser(this.catalog.withoutWrappers(), this.source, {
        refMs: this.opts.refMs,
        onDecision: (d) => this.opts.onDecision?.({ ...d, format: `${f.name}/${d.format}` }),
      });
    const r = this.inner.parse(inner);
    const wrapped = typeof r === 'object' && r !== null ? r : null;
    const p: Parts = wrapped ?? {
      format: f.kind,
      formatName: f.name,
      timestamp: null,
      timestampReason: undefined,
      level: 'UNKNOWN',
      rawLevel: undefined,
      component: '',
      message: inner,
      fields: {},
      ecs: undefined,
      traceId: undefined,
      spanId: undefined,
    };
    if (wrapped !== null) p.formatName = this.wrappedName(f.name, wrapped.formatName);
    if (p.timestamp === null) {
      p.timestamp = u.timestamp;
      p.timestampReason = u.timestamp === null ? 'unparseable' : undefined;
    }
    if (p.ecs === undefined) p.ecs = {};
    p.ecs.stream = u.stream;
    return p;
  }
}

const wrappedNames = new Map<string, string>();

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}
