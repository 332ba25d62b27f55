// Two signals from templates, judged per event in event time, O(1) each:
//  novel — a cluster is created after the warm-up, in a component that has been emitting for a while and
//          had produced no new template for `quietMs`: something it never said before (🔴 abnormal input
//          candidate).
//  burst — a template's count in the current minute is far above its own per-minute baseline (an EWMA over
//          every minute since it first appeared, quiet minutes included) (🟡 stress). Once per minute per
//          template at most.
// Each signal carries its reason in words, for the report's "why flagged".
import { ownedString } from '../util/owned-string.ts';
import type { Cluster } from './miner.ts';

export interface SignalOptions {
  /** Event time from the first timed event before any signal (the miner is still learning the vocabulary). */
  warmupMs: number;
  /** Events before any signal. */
  warmupEvents: number;
  /** A component's events before its new templates can be novel. */
  componentMinEvents: number;
  /** A component's time without a new template before the next one is novel. */
  quietMs: number;
  /** Minutes of a template's history before it can burst. */
  burstBaselineMinutes: number;
  /** A burst needs at least this many events in its minute … */
  burstMinCount: number;
  /** … and this many times its baseline rate. */
  burstRatio: number;
  /** EWMA weight of each minute in a template's baseline. */
  alpha: number;
  /** Components tracked for novelty (the rest share one state). */
  maxComponents: number;
}

export const DEFAULT_SIGNAL_OPTIONS: SignalOptions = {
  warmupMs: 10 * 60_000,
  warmupEvents: 1000,
  componentMinEvents: 50,
  quietMs: 10 * 60_000,
  burstBaselineMinutes: 10,
  burstMinCount: 20,
  burstRatio: 10,
  alpha: 0.1,
  maxComponents: 5000,
};

export type SignalKind = 'novel' | 'burst';

export interface TemplateSignal {
  kind: SignalKind;
  reason: string;
}

interface ComponentState {
  events: number;
  /** Event time of its latest new template (or of its first event). */
  lastNew: number;
}

interface RateState {
  minute: number;
  count: number;
  /** EWMA of per-minute counts over closed minutes. */
  mean: number;
  minutes: number;
  flagged: boolean;
}

const MINUTE = 60_000;

export class TemplateSignals {
  private readonly opts: SignalOptions;
  private readonly components = new Map<string, ComponentState>();
  /** Per template, by Cluster.seq (the overflow template, seq −1, has none). */
  private readonly rates: (RateState | undefined)[] = [];
  private overflowRate: RateState | undefined;
  private firstTime: number | null = null;
  private events = 0;
  readonly counts = { novel: 0, burst: 0 };

  constructor(opts: Partial<SignalOptions> = {}) {
    this.opts = { ...DEFAULT_SIGNAL_OPTIONS, ...opts };
  }

  /** Judge one event: its cluster, whether the event created it, its time and component. */
  observe(cluster: Cluster, created: boolean, t: number | null, component: string): TemplateSignal | null {
    this.events++;
    if (t === null) return null;
    if (this.firstTime === null) this.firstTime = t;
    const warm = this.events > this.opts.warmupEvents && t - this.firstTime >= this.opts.warmupMs;
    const comp = this.component(component, t);
    comp.events++;
    let signal: TemplateSignal | null = null;
    if (created) {
      const quietFor = t - comp.lastNew;
      if (warm && comp.events > this.opts.componentMinEvents && quietFor >= this.opts.quietMs) {
        this.counts.novel++;
        signal = {
          kind: 'novel',
          reason: `new template in ${component || 'an unnamed component'}, which had logged ${comp.events - 1} events and no new template for ${minutes(quietFor)}`,
        };
      }
      comp.lastNew = t;
    }
    const burst = this.rate(cluster, t, warm);
    return signal ?? burst;
  }

  private component(name: string, t: number): ComponentState {
    let c = this.components.get(name);
    if (c === undefined) {
      c = { events: 0, lastNew: t };
      if (this.components.size < this.opts.maxComponents) this.components.set(ownedString(name), c);
    }
    return c;
  }

  private rate(cluster: Cluster, t: number, warm: boolean): TemplateSignal | null {
    const m = t - (t % MINUTE);
    let r = cluster.seq >= 0 ? this.rates[cluster.seq] : this.overflowRate;
    if (r === undefined) {
      r = { minute: m, count: 0, mean: 0, minutes: 0, flagged: false };
      if (cluster.seq >= 0) this.rates[cluster.seq] = r;
      else this.overflowRate = r;
    }
    if (m > r.minute) {
      // Close the minute, then the quiet minutes in between (zeros, in closed form).
      const a = this.opts.alpha;
      const gap = (m - r.minute) / MINUTE - 1;
      r.mean = (1 - a) * r.mean + a * r.count;
      if (gap > 0) r.mean *= (1 - a) ** gap;
      r.minutes += gap + 1;
      r.minute = m;
      r.count = 0;
      r.flagged = false;
    }
    r.count++;
    const o = this.opts;
    if (r.flagged || !warm || r.minutes < o.burstBaselineMinutes || r.count < o.burstMinCount) return null;
    if (r.count < o.burstRatio * r.mean) return null;
    r.flagged = true;
    this.counts.burst++;
    const ratio = r.mean > 0 ? `${(r.count / r.mean).toFixed(0)}× its` : 'against a';
    return {
      kind: 'burst',
      reason: `${r.count} events of this template within the minute, ${ratio} baseline of ${r.mean.toFixed(2)}/min over ${r.minutes} minutes`,
    };
  }
}

function minutes(ms: number): string {
  const m = Math.round(ms / MINUTE);
  return m >= 120 ? `${(m / 60).toFixed(1)} h` : `${m} min`;
}
