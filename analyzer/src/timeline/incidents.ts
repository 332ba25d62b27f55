// Breadcrumbs → incidents, as an operator would draw them. A final failure opens an incident; its trail reaches
// back through the signals that stay *linked* to it (same trace, shared entity values, same message family, same
// component or host — see links.ts), each kind of link reaching as far as it is trustworthy, plus the unlinked
// signals packed tightly before it. Failures and alerts right after join it (the aftermath); a linked failure
// recurring later joins it too, so a crash loop is one incident, not one per crash. Memory is bounded: signals
// older than the longest look-back settle as "open", and an incident is force-closed past an age or size limit.
import type { Breadcrumb, Category, Incident, TimelineStats } from '../core/types.ts';
import { type LinkKeys, linkKeys, placeOf } from './links.ts';

export interface TimelineOptions {
  /** How far before a failure *unlinked* signals may still belong to it. Default 15 minutes. */
  lookbackMs?: number;
  /** Unlinked signals join only while each is this close to the next one on the trail. Default 5 minutes. */
  unlinkedGapMs?: number;
  /** Signals tied only by component or host: largest gap to the trail. Default 15 minutes. */
  weakGapMs?: number;
  /** Signals tied by trace, entity value or message family: largest gap to the trail. Default 1 hour. */
  linkedGapMs?: number;
  /** Nothing older than this before a failure joins its trail (linked changes included). Default 6 hours. */
  maxLookbackMs?: number;
  /** Breadcrumbs within this long after an incident's last failure join that incident. Default 2 minutes. */
  mergeMs?: number;
  /** A failure linked to the open incident within this long after its last failure joins it. Default 30 min. */
  recurMs?: number;
  /** An incident open longer than this (first failure → now) is force-closed ('age'). Default 2 hours. */
  maxIncidentAgeMs?: number;
  /** An incident that took this many breadcrumbs is force-closed ('size'). Default 100,000. */
  maxIncidentBreadcrumbs?: number;
  /** Closed incidents kept for incidents() (the service keeps the recent ones). Default unlimited. */
  maxIncidents?: number;
  /** Open signals kept for openSignals() (the rest are only counted). Default 1000. */
  maxOpenSignals?: number;
  /** Most unassigned signals held in the window. Default 10,000. */
  maxWindow?: number;
}

export const DEFAULT_LOOKBACK_MS = 15 * 60_000;
export const DEFAULT_MERGE_MS = 2 * 60_000;
const MINUTE = 60_000;
/** Breadcrumbs kept on one incident's path; a flood of aftermath errors is counted, not stored. */
const MAX_PATH = 5000;
const MAX_COMPONENTS = 50;
const KEEP_ON_CLOSE = 400;
/** An open incident's escalation is cut back to its first and last MAX_ESCALATION/2 steps when twice as long. */
const MAX_ESCALATION = 200;
/** Keys remembered per open incident to recognise a recurring failure. */
const MAX_FAILURE_KEYS = 256;

/** A signal waiting in the look-back window, with what links it. */
interface Pending {
  b: Breadcrumb;
  t: number;
  keys: LinkKeys;
}

/** The incident still taking breadcrumbs, and what the timeline needs to decide about the next one. */
interface OpenIncident {
  inc: Incident;
  startedAt: number;
  lastFailureAt: number;
  lastCategory: Category;
  /** Breadcrumbs taken so far (kept or not). */
  taken: number;
  /** Component, family and entity keys of its failures: a failure sharing one is the same trouble recurring. */
  failureKeys: Set<string>;
}

/**
 * Streaming incident builder. Breadcrumbs must arrive in (roughly) time order; those without a timestamp take
 * the last one seen. `onSettled` receives every breadcrumb once its incident membership is final.
 */
export class IncidentBuilder {
  private readonly o: Required<TimelineOptions>;
  /** Unassigned signals inside the look-back window, oldest first, from index `head` on (a cheap deque). */
  private window: Pending[] = [];
  private head = 0;
  private open: OpenIncident | null = null;
  private readonly closed: Incident[] = [];
  private readonly openSignalList: Breadcrumb[] = [];
  private lastTime = 0;
  private seq = 0;
  private readonly s: TimelineStats = {
    incidents: 0,
    openSignals: 0,
    openSignalsNotKept: 0,
    forceClosed: { age: 0, size: 0 },
    windowEvicted: 0,
    pathOmitted: 0,
    escalationDropped: 0,
    incidentsDropped: 0,
  };

  constructor(
    opts: TimelineOptions = {},
    private readonly onSettled: (b: Breadcrumb) => void = () => {},
  ) {
    const lookbackMs = opts.lookbackMs ?? DEFAULT_LOOKBACK_MS;
    this.o = {
      lookbackMs,
      unlinkedGapMs: opts.unlinkedGapMs ?? Math.min(5 * MINUTE, lookbackMs),
      weakGapMs: opts.weakGapMs ?? 15 * MINUTE,
      linkedGapMs: opts.linkedGapMs ?? 60 * MINUTE,
      maxLookbackMs: Math.max(opts.maxLookbackMs ?? 6 * 60 * MINUTE, lookbackMs),
      mergeMs: opts.mergeMs ?? DEFAULT_MERGE_MS,
      recurMs: opts.recurMs ?? 30 * MINUTE,
      maxIncidentAgeMs: opts.maxIncidentAgeMs ?? 2 * 60 * MINUTE,
      maxIncidentBreadcrumbs: opts.maxIncidentBreadcrumbs ?? 100_000,
      maxIncidents: opts.maxIncidents ?? Number.POSITIVE_INFINITY,
      maxOpenSignals: opts.maxOpenSignals ?? 1000,
      maxWindow: opts.maxWindow ?? 10_000,
    };
  }

  /** Signals settled without an incident. */
  get openSignalCount(): number {
    return this.s.openSignals;
  }

  /** Returns the incident when this breadcrumb opens one (a final failure that is not part of the open one). */
  add(b: Breadcrumb): Incident | null {
    const t = b.event.timestamp ?? this.lastTime;
    if (t > this.lastTime) this.lastTime = t;
    const open = this.open;
    if (open !== null) {
      if (t - open.startedAt > this.o.maxIncidentAgeMs) this.closeOpen('age');
      else if (open.taken >= this.o.maxIncidentBreadcrumbs) this.closeOpen('size');
      else if (t - open.lastFailureAt > this.o.recurMs) this.closeOpen();
    }
    this.expire(t);

    const cur = this.open;
    const isFailure = b.category === 'final_failure';
    if (cur !== null && t - cur.lastFailureAt <= this.o.mergeMs) {
      // The aftermath: further failures and alerts, the responses to it.
      this.join(cur, b);
      if (isFailure) this.failed(cur, linkKeys(b.event), t);
      return null;
    }
    const keys = linkKeys(b.event);
    if (!isFailure) {
      this.push({ b, t, keys });
      return null;
    }
    if (cur !== null && recurs(cur, keys)) {
      // The same trouble again: its trail since the incident began and the failure join the open incident.
      for (const p of this.reachBack(keys, t, cur.startedAt).trail) this.join(cur, p.b);
      this.join(cur, b);
      this.failed(cur, keys, t);
      return null;
    }
    if (cur !== null) this.closeOpen();
    const { trail, responsible } = this.reachBack(keys, t, Number.NEGATIVE_INFINITY);
    const inc = this.makeIncident(
      trail.map((p) => p.b),
      b,
      responsible,
    );
    const next: OpenIncident = {
      inc,
      startedAt: t,
      lastFailureAt: t,
      lastCategory: b.category,
      taken: inc.breadcrumbs.length,
      failureKeys: new Set(),
    };
    this.failed(next, keys, t);
    this.open = next;
    this.s.incidents++;
    return inc;
  }

  /** End of input: settle everything still held; returns the signals never followed by a failure. */
  finish(): Breadcrumb[] {
    this.closeOpen();
    for (let i = this.head; i < this.window.length; i++) this.settleOpenSignal(this.window[i]!.b);
    this.window = [];
    this.head = 0;
    return this.openSignalList;
  }

  /** Closed incidents plus the open one, oldest first. */
  incidents(): Incident[] {
    return this.open === null ? [...this.closed] : [...this.closed, this.open.inc];
  }

  openSignals(): Breadcrumb[] {
    return this.openSignalList;
  }

  /** The incident still taking breadcrumbs, if any. */
  current(): Incident | null {
    return this.open?.inc ?? null;
  }

  /** What the caps let go of (a copy). */
  stats(): TimelineStats {
    return { ...this.s, forceClosed: { ...this.s.forceClosed } };
  }

  /**
   * Walk the window back from a failure at `t`, newest first, taking each signal linked to what is already on
   * the trail (or packed tightly before it). `after`: only signals later than this (a recurring failure's trail
   * starts where its incident began). Taken signals leave the window; the trail comes back oldest first.
   */
  private reachBack(
    failureKeys: LinkKeys,
    t: number,
    after: number,
  ): { trail: Pending[]; responsible: string | null } {
    const o = this.o;
    const earliestWith = new Map<string, number>();
    const latestWith = new Map<string, number>();
    const note = (k: LinkKeys, at: number): void => {
      for (const x of k.strong) earliestWith.set(x, at);
      for (const x of k.weak) {
        earliestWith.set(x, at);
        if (!latestWith.has(x)) latestWith.set(x, at);
      }
      earliestWith.set(k.family, at);
    };
    note(failureKeys, t);
    let earliest = t;
    // Unlinked signals may join only within lookbackMs of the earliest *linked* signal: noise alone cannot
    // stretch a trail, but a trail that linked signals carried back takes the signals packed around them.
    let anchor = t;
    let responsible: string | null = null;
    const taken: number[] = [];
    for (let i = this.window.length - 1; i >= this.head; i--) {
      const p = this.window[i]!;
      if (p.t <= after || t - p.t > o.maxLookbackMs) break;
      const linked = this.linked(p, earliestWith);
      const close = earliest - p.t <= o.unlinkedGapMs && anchor - p.t <= o.lookbackMs;
      if (!linked && !close) continue;
      taken.push(i);
      note(p.keys, p.t);
      if (p.t < earliest) earliest = p.t;
      if (linked) {
        responsible = placeOf(p.b.event);
        if (p.t < anchor) anchor = p.t;
      }
    }
    // A trail starts with a linked signal: unlinked ones before the earliest linked signal are whatever else was
    // going on then (a start-up warning, another job), not the start of this story.
    if (anchor < t) {
      const head = taken.filter((i) => this.window[i]!.t >= anchor);
      taken.length = 0;
      taken.push(...head);
    }
    // Signals passed over on the way back but tied to the trail: sharing a trace, entity or message family with
    // it, or lying between two of its signals from the same component.
    if (taken.length > 0) {
      const marked = new Set(taken);
      for (let i = taken[taken.length - 1]!; i < this.window.length; i++) {
        if (marked.has(i)) continue;
        const p = this.window[i]!;
        if (sharesKey(p.keys, earliestWith) || between(p, earliestWith, latestWith)) marked.add(i);
      }
      taken.length = 0;
      taken.push(...marked);
      taken.sort((a, b) => a - b);
    }
    const trail = taken.map((i) => this.window[i]!);
    if (trail.length > 0) {
      const gone = new Set(taken);
      const rest: Pending[] = [];
      for (let i = this.head; i < this.window.length; i++) if (!gone.has(i)) rest.push(this.window[i]!);
      this.window = rest;
      this.head = 0;
    }
    return { trail, responsible };
  }

  /** Linked to the trail within the reach its kind of link allows. */
  private linked(p: Pending, earliestWith: Map<string, number>): boolean {
    const o = this.o;
    const within = (key: string, gap: number): boolean => {
      const at = earliestWith.get(key);
      return at !== undefined && at - p.t <= gap;
    };
    // A change (deploy, config reload) on the same component, host or entity is a cause candidate at any distance.
    const change = p.b.category === 'trigger';
    const linkedGap = change ? o.maxLookbackMs : o.linkedGapMs;
    const weakGap = change ? o.maxLookbackMs : o.weakGapMs;
    for (const k of p.keys.strong) if (within(k, linkedGap)) return true;
    if (within(p.keys.family, linkedGap)) return true;
    for (const k of p.keys.weak) if (within(k, weakGap)) return true;
    return false;
  }

  private push(p: Pending): void {
    // Keep the window in time order: a late signal (another file a little behind) slides into place.
    let i = this.window.length;
    while (i > this.head && this.window[i - 1]!.t > p.t) i--;
    if (i === this.window.length) this.window.push(p);
    else this.window.splice(i, 0, p);
    // A storm of signals must not grow memory without bound: the oldest leave the window early.
    if (this.window.length - this.head > this.o.maxWindow) {
      this.s.windowEvicted++;
      this.settleOpenSignal(this.window[this.head++]!.b);
    }
    this.compact();
  }

  private expire(now: number): void {
    const cutoff = now - this.o.maxLookbackMs;
    while (this.head < this.window.length && this.window[this.head]!.t < cutoff)
      this.settleOpenSignal(this.window[this.head++]!.b);
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
    this.s.openSignals++;
    if (this.openSignalList.length < this.o.maxOpenSignals) this.openSignalList.push(b);
    else this.s.openSignalsNotKept++;
    this.onSettled(b);
  }

  private closeOpen(forced?: 'age' | 'size'): void {
    const open = this.open;
    if (open === null) return;
    this.open = null;
    const inc = open.inc;
    if (forced) {
      inc.forceClosed = forced;
      this.s.forceClosed[forced]++;
    }
    for (const b of inc.breadcrumbs) this.onSettled(b);
    this.trimPath(inc);
    this.closed.push(inc);
    if (this.closed.length > this.o.maxIncidents) {
      this.closed.shift();
      this.s.incidentsDropped++;
    }
  }

  /** Remember a failure of the open incident: the keys a recurrence would share. */
  private failed(open: OpenIncident, keys: LinkKeys, t: number): void {
    open.lastFailureAt = t;
    const add = (k: string): void => {
      if (open.failureKeys.size < MAX_FAILURE_KEYS) open.failureKeys.add(k);
    };
    for (const k of keys.strong) add(k);
    add(keys.family);
  }

  private makeIncident(path: Breadcrumb[], failure: Breadcrumb, responsible: string | null): Incident {
    const id = incidentId(failure, ++this.seq);
    path.push(failure);
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
    if (responsible !== null) inc.responsible = responsible;
    return inc;
  }

  /** Breadcrumbs after the incident opened: O(1) each; the stored path and escalation are capped (counts stay exact). */
  private join(open: OpenIncident, b: Breadcrumb): void {
    const inc = open.inc;
    b.incidentId = inc.id;
    open.taken++;
    inc.countsByCategory[b.category] = (inc.countsByCategory[b.category] ?? 0) + 1;
    const c = b.event.component;
    if (c !== '' && inc.components.length < MAX_COMPONENTS && !inc.components.includes(c))
      inc.components.push(c);
    if (b.category !== open.lastCategory) {
      inc.escalation.push(b);
      if (inc.escalation.length >= 2 * MAX_ESCALATION) this.cutEscalation(inc, MAX_ESCALATION);
    }
    open.lastCategory = b.category;
    if (inc.breadcrumbs.length < MAX_PATH) inc.breadcrumbs.push(b);
    else {
      this.onSettled(b); // not kept on the path, but its incident id is final: settle it now
      inc.omitted = (inc.omitted ?? 0) + 1;
      this.s.pathOmitted++;
    }
  }

  /** Keep the first and last `keep / 2` escalation steps: how it started and how it ended. */
  private cutEscalation(inc: Incident, keep: number): void {
    const dropped = inc.escalation.length - keep;
    if (dropped <= 0) return;
    inc.escalation = [...inc.escalation.slice(0, keep / 2), ...inc.escalation.slice(-keep / 2)];
    inc.escalationOmitted = (inc.escalationOmitted ?? 0) + dropped;
    this.s.escalationDropped += dropped;
  }

  /**
   * A closed incident keeps the story, not the flood: its first and last breadcrumbs, escalation steps and the
   * failure (all were already settled, so the CSV has every one). Keeps memory flat over long inputs.
   */
  private trimPath(inc: Incident): void {
    const path = inc.breadcrumbs;
    if (path.length <= KEEP_ON_CLOSE) return;
    // In a flood the category flips constantly: keep the first and last escalation steps, not all of them.
    if (inc.escalation.length > KEEP_ON_CLOSE / 2) this.cutEscalation(inc, KEEP_ON_CLOSE / 2);
    const keep = new Set<Breadcrumb>([
      ...path.slice(0, KEEP_ON_CLOSE / 2),
      ...path.slice(-KEEP_ON_CLOSE / 2),
      ...inc.escalation,
      inc.failure,
    ]);
    inc.breadcrumbs = path.filter((b) => keep.has(b));
    const omitted = path.length - inc.breadcrumbs.length;
    inc.omitted = (inc.omitted ?? 0) + omitted;
    this.s.pathOmitted += omitted;
  }
}

/**
 * A failure sharing a message family or an entity with the open incident's failures: the same crash again. The
 * component alone is not enough: one database's deadlock and, minutes later, its OOM kill are two incidents.
 */
function recurs(open: OpenIncident, keys: LinkKeys): boolean {
  if (open.failureKeys.has(keys.family)) return true;
  for (const k of keys.strong) if (open.failureKeys.has(k)) return true;
  return false;
}

/** From a component with trail signals both before and after it. */
function between(p: Pending, earliestWith: Map<string, number>, latestWith: Map<string, number>): boolean {
  for (const k of p.keys.weak) {
    if (!k.startsWith('c:')) continue;
    const first = earliestWith.get(k);
    const last = latestWith.get(k);
    if (first !== undefined && last !== undefined && first < p.t && p.t < last) return true;
  }
  return false;
}

/** Shares a trace, entity or message family with the trail (the component alone is too weak a tie here). */
function sharesKey(keys: LinkKeys, on: Map<string, number>): boolean {
  if (on.has(keys.family)) return true;
  for (const k of keys.strong) if (on.has(k)) return true;
  return false;
}

/** Derive the summary fields from the path (cheap: paths are short). */
function recompute(inc: Incident): void {
  const path = inc.breadcrumbs;
  const first = path[0]!;
  const failAt = inc.failure.event.timestamp;
  const firstAt = first.event.timestamp;
  inc.firstSignal = first;
  inc.leadTimeMs = failAt !== null && firstAt !== null ? Math.max(0, failAt - firstAt) : 0;
  inc.responsible = placeOf(first.event);
  const components: string[] = [];
  const counts: Partial<Record<Category, number>> = {};
  const escalation: Breadcrumb[] = [];
  let prev: Category | null = null;
  for (const b of path) {
    if (
      b.event.component !== '' &&
      !components.includes(b.event.component) &&
      components.length < MAX_COMPONENTS
    )
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
