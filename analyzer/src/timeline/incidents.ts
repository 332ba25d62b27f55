// Breadcrumbs → incidents. A final failure opens an incident and pulls in the signals of the look-back window
// before it; failures and alerts shortly after join it (the aftermath). Memory is bounded by the window: older
// unassigned signals are settled as "open" (never followed by a failure) and let go.
import type { Breadcrumb, Category, Incident } from '../core/types.ts';

export interface TimelineOptions {
  /** How far before a failure signals still belong to it. Default 15 minutes. */
  lookbackMs?: number;
  /** Breadcrumbs within this long after an incident's last failure join that incident. Default 2 minutes. */
  mergeMs?: number;
  /** Closed incidents kept for incidents() (the service keeps the recent ones). Default unlimited. */
  maxIncidents?: number;
  /** Open signals kept for openSignals() (the rest are only counted). Default 1000. */
  maxOpenSignals?: number;
  /** Most unassigned signals held in the window. Default 10,000. */
  maxWindow?: number;
}

export const DEFAULT_LOOKBACK_MS = 15 * 60_000;
export const DEFAULT_MERGE_MS = 2 * 60_000;
/** Breadcrumbs kept on one incident's path; a flood of aftermath errors is counted, not stored. */
const MAX_PATH = 5000;
const MAX_COMPONENTS = 50;
const KEEP_ON_CLOSE = 400;

/**
 * Streaming incident builder. Breadcrumbs must arrive in (roughly) time order; those without a timestamp take
 * the last one seen. `onSettled` receives every breadcrumb once its incident membership is final.
 */
export class IncidentBuilder {
  private readonly lookbackMs: number;
  private readonly mergeMs: number;
  private readonly maxIncidents: number;
  private readonly maxOpenSignals: number;
  private readonly maxWindow: number;
  /** Unassigned signals inside the look-back window, oldest first, from index `head` on (a cheap deque). */
  private window: Breadcrumb[] = [];
  private head = 0;
  private open: Incident | null = null;
  private openLastFailureAt = 0;
  private readonly closed: Incident[] = [];
  private readonly openSignalList: Breadcrumb[] = [];
  private openLastCategory: Category | null = null;
  private lastTime = 0;
  private seq = 0;
  /** Signals settled without an incident. */
  openSignalCount = 0;

  constructor(
    opts: TimelineOptions = {},
    private readonly onSettled: (b: Breadcrumb) => void = () => {},
  ) {
    this.lookbackMs = opts.lookbackMs ?? DEFAULT_LOOKBACK_MS;
    this.mergeMs = opts.mergeMs ?? DEFAULT_MERGE_MS;
    this.maxIncidents = opts.maxIncidents ?? Number.POSITIVE_INFINITY;
    this.maxOpenSignals = opts.maxOpenSignals ?? 1000;
    this.maxWindow = opts.maxWindow ?? 10_000;
  }

  /** Returns the incident when this breadcrumb opens one (a final failure outside any open incident). */
  add(b: Breadcrumb): Incident | null {
    const t = b.event.timestamp ?? this.lastTime;
    if (t > this.lastTime) this.lastTime = t;

    if (this.open !== null && t - this.openLastFailureAt > this.mergeMs) this.closeOpen();
    this.expire(t);

    if (this.open !== null) {
      // The aftermath: further failures and alerts, the responses to it.
      this.join(this.open, b);
      if (b.category === 'final_failure') this.openLastFailureAt = t;
      return null;
    }
    if (b.category !== 'final_failure') {
      this.window.push(b);
      // A storm of signals must not grow memory without bound: the oldest leave the window early.
      if (this.window.length - this.head > this.maxWindow) this.settleOpenSignal(this.window[this.head++]!);
      this.compact();
      return null;
    }
    const path: Breadcrumb[] = [];
    for (let i = this.head; i < this.window.length; i++) {
      const w = this.window[i]!;
      if (timeOf(w, t) >= t - this.lookbackMs) path.push(w);
      else this.settleOpenSignal(w);
    }
    this.window = [];
    this.head = 0;
    path.push(b);
    const incident = this.makeIncident(path, b);
    this.open = incident;
    this.openLastCategory = b.category;
    this.openLastFailureAt = t;
    return incident;
  }

  /** End of input: settle everything still held; returns the signals never followed by a failure. */
  finish(): Breadcrumb[] {
    this.closeOpen();
    for (let i = this.head; i < this.window.length; i++) this.settleOpenSignal(this.window[i]!);
    this.window = [];
    this.head = 0;
    return this.openSignalList;
  }

  /** Closed incidents plus the open one, oldest first. */
  incidents(): Incident[] {
    return this.open === null ? [...this.closed] : [...this.closed, this.open];
  }

  openSignals(): Breadcrumb[] {
    return this.openSignalList;
  }

  /** The incident still taking aftermath breadcrumbs, if any. */
  current(): Incident | null {
    return this.open;
  }

  private expire(now: number): void {
    const cutoff = now - this.lookbackMs;
    while (this.head < this.window.length && timeOf(this.window[this.head]!, now) < cutoff)
      this.settleOpenSignal(this.window[this.head++]!);
    this.compact();
  }

  /** Drop the consumed front of the deque once it is most of the array (amortised O(1) per breadcrumb). */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.window.length) {
      this.window = this.window.slice(this.head);
      this.head = 0;
    }
  }

  private settleOpenSignal(b: Breadcrumb): void {
    this.openSignalCount++;
    if (this.openSignalList.length < this.maxOpenSignals) this.openSignalList.push(b);
    this.onSettled(b);
  }

  private closeOpen(): void {
    const inc = this.open;
    if (inc === null) return;
    this.open = null;
    for (const b of inc.breadcrumbs) this.onSettled(b);
    trimPath(inc);
    this.closed.push(inc);
    if (this.closed.length > this.maxIncidents) this.closed.shift();
  }

  private makeIncident(path: Breadcrumb[], failure: Breadcrumb): Incident {
    const id = incidentId(failure, ++this.seq);
    for (const b of path) b.incidentId = id;
    const inc: Incident = {
      id,
      breadcrumbs: path,
      firstSignal: path[0]!,
      failure,
      leadTimeMs: 0,
      components: [],
      responsible: '',
      countsByCategory: {},
      escalation: [],
    };
    recompute(inc);
    return inc;
  }

  /** Aftermath breadcrumbs: O(1) each, and the stored path is capped (the counts stay exact). */
  private join(inc: Incident, b: Breadcrumb): void {
    b.incidentId = inc.id;
    inc.countsByCategory[b.category] = (inc.countsByCategory[b.category] ?? 0) + 1;
    const c = b.event.component;
    if (c !== '' && inc.components.length < MAX_COMPONENTS && !inc.components.includes(c))
      inc.components.push(c);
    if (b.category !== this.openLastCategory) inc.escalation.push(b);
    this.openLastCategory = b.category;
    if (inc.breadcrumbs.length < MAX_PATH) inc.breadcrumbs.push(b);
    else {
      this.onSettled(b); // not kept on the path, but its incident id is final: settle it now
      inc.omitted = (inc.omitted ?? 0) + 1;
    }
  }
}

/**
 * A closed incident keeps the story, not the flood: its first and last breadcrumbs, every escalation step and
 * the failure (all were already settled, so the CSV has every one). Keeps memory flat over long inputs.
 */
function trimPath(inc: Incident): void {
  const path = inc.breadcrumbs;
  if (path.length <= KEEP_ON_CLOSE) return;
  // In a flood the category flips constantly: keep the first and last escalation steps, not all of them.
  if (inc.escalation.length > KEEP_ON_CLOSE / 2)
    inc.escalation = [
      ...inc.escalation.slice(0, KEEP_ON_CLOSE / 4),
      ...inc.escalation.slice(-KEEP_ON_CLOSE / 4),
    ];
  const keep = new Set<Breadcrumb>([
    ...path.slice(0, KEEP_ON_CLOSE / 2),
    ...path.slice(-KEEP_ON_CLOSE / 2),
    ...inc.escalation,
    inc.failure,
  ]);
  inc.breadcrumbs = path.filter((b) => keep.has(b));
  inc.omitted = (inc.omitted ?? 0) + path.length - inc.breadcrumbs.length;
}

function timeOf(b: Breadcrumb, fallback: number): number {
  return b.event.timestamp ?? fallback;
}

/** Derive the summary fields from the path (cheap: paths are short). */
function recompute(inc: Incident): void {
  const path = inc.breadcrumbs;
  const first = path[0]!;
  const failAt = inc.failure.event.timestamp;
  const firstAt = first.event.timestamp;
  inc.firstSignal = first;
  inc.leadTimeMs = failAt !== null && firstAt !== null ? Math.max(0, failAt - firstAt) : 0;
  inc.responsible = first.event.component;
  const components: string[] = [];
  const counts: Partial<Record<Category, number>> = {};
  const escalation: Breadcrumb[] = [];
  let prev: Category | null = null;
  for (const b of path) {
    if (b.event.component !== '' && !components.includes(b.event.component))
      components.push(b.event.component);
    counts[b.category] = (counts[b.category] ?? 0) + 1;
    if (b.category !== prev) escalation.push(b);
    prev = b.category;
  }
  inc.components = components;
  inc.countsByCategory = counts;
  inc.escalation = escalation;
}

/** Readable and stable for the same failure line: INC-20100506-144527-<line-hash>. */
function incidentId(failure: Breadcrumb, seq: number): string {
  const t = failure.event.timestamp;
  const stamp =
    t === null ? `seq${seq}` : new Date(t).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let h = 2166136261;
  const key = `${failure.event.fileId ?? failure.event.source}:${failure.event.offset}`;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return `INC-${stamp}-${(h >>> 0).toString(16).padStart(8, '0').slice(0, 6)}`;
}
