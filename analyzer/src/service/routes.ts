// The HTTP API over a read-only view of the running service. Everything here is cheap and bounded: rings,
// counters, and the registry's exposition (collected from in-memory numbers, never blocking the pipeline).
import type { LineTrace, StageError } from '../pipeline/stage.ts';
import type { AlertStore } from './alerts.ts';
import { dashboardHtml } from './dashboard.ts';
import { json, type RouteTable, text } from './http.ts';
import { parseBreadcrumbQuery, parseLimit, type RecentHistory } from './recent.ts';

export interface Readiness {
  ready: boolean;
  reasons: string[];
  checks: Record<string, boolean>;
}

export interface ServiceView {
  metricsText(): Promise<string>;
  metricsContentType: string;
  readiness(): Readiness;
  stats(): unknown;
  traces(limit: number): LineTrace[];
  tracing: boolean;
  errors(limit: number): StageError[];
  history: RecentHistory;
  alerts: AlertStore;
}

export function apiRoutes(view: ServiceView): RouteTable {
  return {
    'GET /metrics': async () => ({
      status: 200,
      contentType: view.metricsContentType,
      body: await view.metricsText(),
    }),
    'GET /healthz': () => json({ status: 'ok' }),
    'GET /readyz': () => {
      const r = view.readiness();
      return json(r, r.ready ? 200 : 503);
    },
    'GET /stats': () => json(view.stats()),
    'GET /trace': (_req, url) => {
      const limit = parseLimit(url.searchParams, 100, 1000);
      if (typeof limit === 'string') return json({ error: limit }, 400);
      return json({
        tracing: view.tracing,
        hint: view.tracing ? undefined : 'start with --trace to record per-line traces',
        traces: view.traces(limit),
      });
    },
    'GET /errors': (_req, url) => {
      const limit = parseLimit(url.searchParams, 100, 1000);
      if (typeof limit === 'string') return json({ error: limit }, 400);
      return json({ errors: view.errors(limit) });
    },
    'GET /api/incidents': (_req, url) => {
      const limit = parseLimit(url.searchParams, 50, 200);
      if (typeof limit === 'string') return json({ error: limit }, 400);
      return json({ incidents: view.history.incidents(limit) });
    },
    'GET /api/breadcrumbs': (_req, url) => {
      const q = parseBreadcrumbQuery(url.searchParams);
      if (typeof q === 'string') return json({ error: q }, 400);
      return json({ breadcrumbs: view.history.breadcrumbs(q) });
    },
    'GET /api/alerts': (_req, url) => {
      const limit = parseLimit(url.searchParams, 100, 500);
      if (typeof limit === 'string') return json({ error: limit }, 400);
      return json({ total: view.alerts.count, alerts: view.alerts.recent(limit) });
    },
    'POST /api/alerts': (_req, _url, body) => {
      let payload: unknown;
      try {
        payload = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
      } catch {
        return json({ error: 'body is not JSON (expected an Alertmanager webhook payload)' }, 400);
      }
      const n = view.alerts.receive(payload);
      return typeof n === 'string' ? json({ error: n }, 400) : json({ stored: n });
    },
  };
}

export function dashboardRoutes(): RouteTable {
  const page = dashboardHtml();
  return {
    'GET /': () => text(page, 200, 'text/html; charset=utf-8'),
  };
}
