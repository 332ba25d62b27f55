// Running totals of a one-shot analysis: what the reports summarise. Component names are interned so a regex
// capture used as a Map key does not pin its whole line in memory.

import type { AnalysisSummary, ClassifiedEvent, DetectionDecision, MinuteBucket } from '../core/types.ts';
import { ownedString } from '../util/owned-string.ts';

const CRITICAL_LEVELS = new Set(['ERROR', 'CRITICAL', 'FATAL']);

export class SummaryBuilder {
  private readonly s: AnalysisSummary;
  private readonly minutes = new Map<number, MinuteBucket>();
  private lastBucket: MinuteBucket | null = null;
  private readonly started = performance.now();

  constructor(sources: string[]) {
    this.s = {
      sources,
      lines: 0,
      bytes: 0,
      events: 0,
      byFormat: { plain: 0, json: 0, unparsed: 0 },
      byFormatName: {},
      detections: [],
      timestampNullByReason: {},
      unparsedByReason: {},
      continuationLines: 0,
      truncatedLines: 0,
      byLevel: {},
      byComponent: {},
      byCategory: {},
      firstTimestamp: null,
      lastTimestamp: null,
      perMinute: [],
      durationMs: 0,
    };
  }

  addLines(count: number, bytes: number): void {
    this.s.lines += count;
    this.s.bytes += bytes;
  }

  add({ event: e, breadcrumb }: ClassifiedEvent): void {
    const s = this.s;
    s.events++;
    s.byFormat[e.format]++;
    if (e.truncated) s.truncatedLines++;
    if (e.format === 'unparsed') {
      const r = e.unparsedReason ?? 'unknown';
      s.unparsedByReason[r] = (s.unparsedByReason[r] ?? 0) + 1;
      return;
    }
    if (e.continuation) s.continuationLines += e.continuation.length;
    const byName = s.byFormatName!;
    const name = e.formatName ?? e.format;
    byName[name] = (byName[name] ?? 0) + 1;
    s.byLevel[e.level] = (s.byLevel[e.level] ?? 0) + 1;
    if (e.component !== '') {
      const known = s.byComponent[e.component];
      if (known === undefined) s.byComponent[ownedString(e.component)] = 1;
      else s.byComponent[e.component] = known + 1;
    }
    if (breadcrumb) s.byCategory[breadcrumb.category] = (s.byCategory[breadcrumb.category] ?? 0) + 1;
    const t = e.timestamp;
    if (t === null) {
      const r = e.timestampReason ?? 'none';
      const nulls = s.timestampNullByReason!;
      nulls[r] = (nulls[r] ?? 0) + 1;
      return;
    }
    if (s.firstTimestamp === null || t < s.firstTimestamp) s.firstTimestamp = t;
    if (s.lastTimestamp === null || t > s.lastTimestamp) s.lastTimestamp = t;
    const minute = t - (t % 60_000);
    // Logs are mostly in time order: the previous event's minute is the likely one.
    let b = this.lastBucket;
    if (b === null || b.minute !== minute) {
      b = this.minutes.get(minute) ?? null;
      if (b === null) {
        b = { minute, levels: {}, critical: 0, breadcrumbs: 0 };
        this.minutes.set(minute, b);
      }
      this.lastBucket = b;
    }
    b.levels[e.level] = (b.levels[e.level] ?? 0) + 1;
    if (CRITICAL_LEVELS.has(e.level)) b.critical++;
    if (breadcrumb) b.breadcrumbs++;
  }

  addDetection(d: DetectionDecision): void {
    this.s.detections!.push(d);
  }

  /** Continuation lines folded by the multiline stage (they are lines, not events). */
  setContinuationLines(n: number): void {
    this.s.continuationLines = n;
  }

  finish(): AnalysisSummary {
    this.s.perMinute = [...this.minutes.values()].sort((a, b) => a.minute - b.minute);
    this.s.durationMs = performance.now() - this.started;
    return this.s;
  }
}
