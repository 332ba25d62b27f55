// Turns classified events into per-minute series values. Keys come from bounded sets: components from an
// allowlist plus a cap (the rest fold into `other`), and a hard cap on distinct series. Minutes close by event
// time: a minute closes once the newest event is `allowedLatenessMs` past its end, so small disorder is absorbed.

import type { ClassifiedEvent } from '../core/types.ts';
import { ownedString } from '../util/owned-string.ts';
import { MINUTE_MS, minuteOf } from './buckets.ts';
import type { SeriesConfig } from './config.ts';
import type { SeriesSample } from './types.ts';

const ERROR_LEVELS = new Set(['ERROR', 'CRITICAL', 'FATAL']);

interface MinuteAcc {
  counts: Map<string, number>;
  durations: Map<string, number[]>;
}

/** Per-minute cap on kept duration values per series (memory bound under floods). */
const MAX_DURATIONS_PER_MINUTE = 5000;
const KEY_CACHE_MAX = 4096;
/**
 * Per-template rate series (`<component>:template.<id>`) beside the component ones: a template gets one once it
 * has MIN_TEMPLATE_EVENTS events (a rarer template's per-minute counts are too small to judge, only noise),
 * the first MAX_TEMPLATE_SERIES to get there. Templates are counted up to TEMPLATE_COUNT_CAP ids (bounded).
 */
const MAX_TEMPLATE_SERIES = 50;
const MIN_TEMPLATE_EVENTS = 200;
const TEMPLATE_COUNT_CAP = 10_000;

interface ComponentKeys {
  comp: string;
  errKey: string;
  warnKey: string;
  crumb: Map<string, string>;
  duration: Map<string, string>;
}

export interface AggregatorStats {
  events: number;
  untimed: number;
  late: number;
  series: number;
  openMinutes: number;
}

export class SeriesAggregator {
  private readonly components = new Set<string>();
  private readonly allow: Set<string>;
  private readonly countSeries = new Set<string>();
  private readonly durationSeries = new Set<string>();
  private readonly open = new Map<number, MinuteAcc>();
  private newest = Number.NEGATIVE_INFINITY;
  private lastHorizonMinute = Number.NEGATIVE_INFINITY;
  private readonly keyCache = new Map<string, ComponentKeys>();
  /** Template id → its series key (bounded by MAX_TEMPLATE_SERIES). */
  private readonly templateKeys = new Map<string, string>();
  /** Events per template id until it earns a series. */
  private readonly templateCounts = new Map<string, number>();
  /** Start of the last closed minute; events before the minute after it are late. */
  private lastClosed: number | null = null;
  private readonly counters = { events: 0, untimed: 0, late: 0 };

  constructor(
    private readonly cfg: SeriesConfig,
    private readonly emit: (samples: SeriesSample[], minute: number) => void,
  ) {
    this.allow = new Set(cfg.componentAllowlist.map(clean));
  }

  stats(): AggregatorStats {
    return {
      ...this.counters,
      series: this.countSeries.size + this.durationSeries.size,
      openMinutes: this.open.size,
    };
  }

  /** All series keys seen so far (bounded by `maxSeries` + the fold-in key). */
  seriesKeys(): string[] {
    return [...this.countSeries, ...this.durationSeries].sort();
  }

  private component(raw: string): string {
    const c = clean(raw) || 'unknown';
    if (this.allow.has(c) || this.components.has(c)) return c;
    // Allowlisted components always keep their label; others take free places first come, first served.
    if (this.components.size < this.cfg.maxComponents) {
      this.components.add(c);
      return c;
    }
    return 'other';
  }

  private key(set: Set<string>, k: string): string {
    if (set.has(k)) return k;
    if (this.countSeries.size + this.durationSeries.size < this.cfg.maxSeries) {
      set.add(k);
      return k;
    }
    set.add('other:other');
    return 'other:other';
  }

  push(item: ClassifiedEvent): void {
    const e = item.event;
    this.counters.events++;
    if (e.timestamp === null || !Number.isFinite(e.timestamp)) {
      this.counters.untimed++;
      return;
    }
    const m = minuteOf(e.timestamp);
    if (this.lastClosed !== null && m <= this.lastClosed) {
      this.counters.late++;
      return;
    }
    const keys = this.keysOf(e.component);
    const comp = keys.comp;
    const errKey = keys.errKey;
    const warnKey = keys.warnKey;
    let acc = this.open.get(m);
    if (!acc) {
      acc = { counts: new Map(), durations: new Map() };
      this.open.set(m, acc);
    }
    if (ERROR_LEVELS.has(e.level)) bump(acc.counts, errKey);
    else if (e.level === 'WARN') bump(acc.counts, warnKey);
    if (e.templateId !== undefined) {
      const k = this.templateKey(comp, e.templateId);
      if (k !== null) bump(acc.counts, k);
    }
    if (item.breadcrumb) {
      const cat = item.breadcrumb.category;
      let k = keys.crumb.get(cat);
      if (k === undefined) {
        k = this.key(this.countSeries, `${comp}:crumb.${cat}`);
        keys.crumb.set(cat, k);
      }
      bump(acc.counts, k);
    }
    for (const f of this.cfg.durationFields) {
      const v = e.fields[f];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      let k = keys.duration.get(f);
      if (k === undefined) {
        k = this.key(this.durationSeries, `${comp}:${f}.${this.cfg.durationStat}`);
        keys.duration.set(f, k);
      }
      let arr = acc.durations.get(k);
      if (!arr) {
        arr = [];
        acc.durations.set(k, arr);
      }
      if (arr.length < MAX_DURATIONS_PER_MINUTE) arr.push(v);
    }
    if (e.timestamp > this.newest) {
      this.newest = e.timestamp;
      // Minutes can only close when the lateness horizon crosses a minute boundary: check once per minute.
      const horizon = this.newest - this.cfg.allowedLatenessMs;
      if (minuteOf(horizon) !== this.lastHorizonMinute) {
        this.lastHorizonMinute = minuteOf(horizon);
        this.closeUpTo(horizon);
      }
    }
  }

  /**
   * Series keys per raw component name, built once: building `${comp}:errors` strings per event was the
   * aggregator's main cost. The cache is bounded; past it, keys are built as before.
   */
  private keysOf(raw: string): ComponentKeys {
    const cached = this.keyCache.get(raw);
    if (cached !== undefined) return cached;
    const comp = this.component(raw);
    // Registering errors/warns at the first event of a component lets quiet minutes count as zeros.
    const keys: ComponentKeys = {
      comp,
      errKey: this.key(this.countSeries, `${comp}:errors`),
      warnKey: this.key(this.countSeries, `${comp}:warns`),
      crumb: new Map(),
      duration: new Map(),
    };
    if (this.keyCache.size < KEY_CACHE_MAX) this.keyCache.set(ownedString(raw), keys);
    return keys;
  }

  private templateKey(comp: string, id: string): string | null {
    const known = this.templateKeys.get(id);
    if (known !== undefined) return known;
    if (this.templateKeys.size >= MAX_TEMPLATE_SERIES) return null;
    const n = (this.templateCounts.get(id) ?? 0) + 1;
    if (n < MIN_TEMPLATE_EVENTS) {
      if (n > 1 || this.templateCounts.size < TEMPLATE_COUNT_CAP)
        this.templateCounts.set(n > 1 ? id : ownedString(id), n);
      return null;
    }
    this.templateCounts.delete(id);
    const k = this.key(this.countSeries, `${comp}:template.${id}`);
    this.templateKeys.set(ownedString(id), k);
    return k;
  }

  /** Close every minute that ends at or before `t`. */
  private closeUpTo(t: number): void {
    const ready = [...this.open.keys()].filter((m) => m + MINUTE_MS <= t).sort((a, b) => a - b);
    for (const m of ready) this.close(m);
  }

  /** End of input: close everything still open. */
  flush(): void {
    for (const m of [...this.open.keys()].sort((a, b) => a - b)) this.close(m);
  }

  private close(m: number): void {
    const acc = this.open.get(m);
    this.open.delete(m);
    if (this.lastClosed !== null) {
      // Minutes without any event: every count series was zero then (bounded fill).
      const gap = (m - this.lastClosed) / MINUTE_MS - 1;
      const fill = Math.min(gap, this.cfg.maxZeroFillMinutes);
      for (let i = fill; i >= 1; i--) this.emitMinute(m - i * MINUTE_MS, undefined);
    }
    this.emitMinute(m, acc);
    this.lastClosed = m;
  }

  private emitMinute(m: number, acc: MinuteAcc | undefined): void {
    const out: SeriesSample[] = [];
    for (const s of this.countSeries) out.push({ series: s, minute: m, value: acc?.counts.get(s) ?? 0 });
    if (acc) {
      for (const [s, vals] of acc.durations) {
        if (vals.length === 0) continue;
        out.push({ series: s, minute: m, value: this.cfg.durationStat === 'mean' ? mean(vals) : p95(vals) });
      }
    }
    if (out.length > 0) this.emit(out, m);
  }
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function mean(v: number[]): number {
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}

function p95(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
}

/** Label-safe component names: bounded length, no separators that would break series keys. */
function clean(c: string): string {
  return c.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
}
