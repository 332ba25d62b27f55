// Bounded recent-history for the JSON API and the dashboard: compact views (not the events themselves, which
// carry every field) in fixed rings, so memory stays flat however long the service runs.
import { type Breadcrumb, CATEGORIES, type Category, type Incident } from '../core/types.ts';
import { Ring } from '../pipeline/ring.ts';

export interface BreadcrumbView {
  /** Event time (epoch ms) or null when the line had none. */
  timestamp: number | null;
  seenAt: number;
  category: Category;
  symbol: string;
  severity: number;
  ruleId: string;
  level: string;
  component: string;
  message: string;
  source: string;
  offset: number;
}

export interface IncidentView {
  id: string;
  closedAt: number;
  failureAt: number | null;
  firstSignalAt: number | null;
  leadTimeSeconds: number;
  responsible: string;
  components: string[];
  countsByCategory: Partial<Record<Category, number>>;
  breadcrumbCount: number;
  firstSignal: BreadcrumbView;
  failure: BreadcrumbView;
  escalation: BreadcrumbView[];
}

const MAX_MESSAGE = 500;

export function breadcrumbView(b: Breadcrumb, seenAt: number): BreadcrumbView {
  const e = b.event;
  return {
    timestamp: e.timestamp,
    seenAt,
    category: b.category,
    symbol: b.symbol,
    severity: b.severity,
    ruleId: b.ruleId,
    level: e.level,
    component: e.component,
    // Copy, so a slice of a large decoded chunk is not pinned by the ring.
    message:
      e.message.length > MAX_MESSAGE
        ? `${e.message.slice(0, MAX_MESSAGE)}…`
        : Buffer.from(e.message).toString(),
    source: e.source,
    offset: e.offset,
  };
}

export interface BreadcrumbQuery {
  category?: Category;
  /** Keep severity ≤ this (1 is worst): severity=2 gives SEV1 and SEV2. */
  severity?: number;
  component?: string;
  limit: number;
}

export class RecentHistory {
  private readonly crumbs: Ring<BreadcrumbView>;
  private readonly incidentRing: Ring<IncidentView>;

  constructor(capacity = { breadcrumbs: 2000, incidents: 200 }) {
    this.crumbs = new Ring(capacity.breadcrumbs);
    this.incidentRing = new Ring(capacity.incidents);
  }

  addBreadcrumb(b: Breadcrumb, now: number): void {
    this.crumbs.push(breadcrumbView(b, now));
  }

  addIncident(inc: Incident, now: number): void {
    this.incidentRing.push({
      id: inc.id,
      closedAt: now,
      failureAt: inc.failure.event.timestamp,
      firstSignalAt: inc.firstSignal.event.timestamp,
      leadTimeSeconds: inc.leadTimeMs / 1000,
      responsible: inc.responsible,
      components: inc.components.slice(0, 50),
      countsByCategory: inc.countsByCategory,
      breadcrumbCount: inc.breadcrumbs.length,
      firstSignal: breadcrumbView(inc.firstSignal, now),
      failure: breadcrumbView(inc.failure, now),
      escalation: inc.escalation.slice(0, 50).map((b) => breadcrumbView(b, now)),
    });
  }

  /** Newest first. */
  breadcrumbs(q: BreadcrumbQuery): BreadcrumbView[] {
    const comp = q.component?.toLowerCase();
    const out: BreadcrumbView[] = [];
    const all = this.crumbs.recent();
    for (let i = all.length - 1; i >= 0 && out.length < q.limit; i--) {
      const b = all[i]!;
      if (q.category && b.category !== q.category) continue;
      if (q.severity !== undefined && b.severity > q.severity) continue;
      if (comp !== undefined && b.component.toLowerCase() !== comp) continue;
      out.push(b);
    }
    return out;
  }

  /** Newest first. */
  incidents(limit: number): IncidentView[] {
    return this.incidentRing.recent(limit).reverse();
  }
}

/** Parse /api/breadcrumbs query parameters; returns an error string for a bad one. */
export function parseBreadcrumbQuery(params: URLSearchParams): BreadcrumbQuery | string {
  const q: BreadcrumbQuery = { limit: 100 };
  const category = params.get('category');
  if (category) {
    if (!(CATEGORIES as readonly string[]).includes(category))
      return `category must be one of ${CATEGORIES.join(', ')}`;
    q.category = category as Category;
  }
  const severity = params.get('severity');
  if (severity) {
    const n = Number(severity);
    if (!Number.isInteger(n) || n < 1 || n > 5)
      return 'severity must be an integer 1–5 (keeps that severity and worse)';
    q.severity = n;
  }
  const component = params.get('component');
  if (component) q.component = component;
  const limit = parseLimit(params, 100, 1000);
  if (typeof limit === 'string') return limit;
  q.limit = limit;
  return q;
}

export function parseLimit(params: URLSearchParams, fallback: number, max: number): number | string {
  const raw = params.get('limit');
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) return `limit must be a positive integer (at most ${max})`;
  return Math.min(n, max);
}
