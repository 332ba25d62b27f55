// HTTP endpoints of the monitor as a router the service mounts: returns false when the path is not ours.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiDisabledError } from './ai.ts';
import { BreakerOpenError } from './breaker.ts';
import { dashboardHtml } from './dashboard.ts';
import type { AnomalyMonitor } from './monitor.ts';
import type { AnomalyQuery, Severity } from './types.ts';

const MAX_BODY = 64 * 1024;

class BadRequest extends Error {}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new BadRequest(`body over ${MAX_BODY} bytes`);
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('body is not JSON: send {"anomalyId": "<id from /api/monitor/anomalies>"}');
  }
}

export function parseSev(raw: string | null): Severity | undefined {
  if (raw === null || raw === '') return undefined;
  const m = /^(?:sev)?([1-5])$/i.exec(raw.trim());
  if (!m) throw new BadRequest(`sev=${raw} is invalid: use 1…5 or SEV1…SEV5 (sev=2 lists SEV1 and SEV2)`);
  return Number(m[1]) as Severity;
}

export function parseSince(raw: string | null): number | undefined {
  if (raw === null || raw === '') return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n))
    throw new BadRequest(`since=${raw} is invalid: use epoch milliseconds or an ISO date`);
  return n;
}

function anomalyQuery(url: URL): AnomalyQuery {
  const q: AnomalyQuery = {};
  const sev = parseSev(url.searchParams.get('sev'));
  if (sev !== undefined) q.sev = sev;
  const series = url.searchParams.get('series');
  if (series) q.series = series;
  const since = parseSince(url.searchParams.get('since'));
  if (since !== undefined) q.since = since;
  const limit = url.searchParams.get('limit');
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 5000)
      throw new BadRequest(`limit=${limit} is invalid: use 1…5000`);
    q.limit = n;
  }
  return q;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/** On-demand recalculations are costly (every series, one SQLite transaction): at most one per this interval. */
export const RECALC_MIN_INTERVAL_MS = 60_000;

export function anomalyRoutes(
  monitor: AnomalyMonitor,
  opts: { recalcMinIntervalMs?: number; now?: () => number } = {},
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const minInterval = opts.recalcMinIntervalMs ?? RECALC_MIN_INTERVAL_MS;
  const now = opts.now ?? Date.now;
  let lastRecalcAt = Number.NEGATIVE_INFINITY;
  const routes: Record<string, Partial<Record<'GET' | 'POST', Handler>>> = {
    '/anomalies': {
      GET: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(dashboardHtml());
      },
    },
    '/api/monitor/anomalies': {
      GET: (_req, res, url) => {
        const items = monitor.anomalies(anomalyQuery(url));
        send(res, 200, { count: items.length, anomalies: items });
      },
    },
    '/api/monitor/baselines': {
      GET: (_req, res, url) => {
        const series = url.searchParams.get('series');
        if (!series) {
          send(res, 200, { series: monitor.series() });
          return;
        }
        const model = monitor.baselines(series);
        if (!model) {
          send(res, 404, {
            error: `no baseline for series ${series}; GET /api/monitor/baselines lists them`,
          });
          return;
        }
        send(res, 200, {
          minSamples: monitor.config.minSamples,
          timeZone: monitor.config.timeZone,
          ...model,
        });
      },
    },
    '/api/monitor/status': {
      GET: (_req, res) => send(res, 200, monitor.stats()),
    },
    '/api/monitor/recalculate': {
      POST: (_req, res) => {
        const wait = lastRecalcAt + minInterval - now();
        if (wait > 0) {
          const secs = String(Math.ceil(wait / 1000));
          return send(
            res,
            429,
            { error: `recalculated recently; try again in ${secs} s` },
            { 'retry-after': secs },
          );
        }
        lastRecalcAt = now();
        send(res, 200, monitor.recalculate());
      },
    },
    '/api/monitor/analyze': {
      POST: async (req, res) => {
        const body = await readJson(req);
        const id = (body as { anomalyId?: unknown }).anomalyId;
        if (typeof id !== 'string' || id === '') {
          throw new BadRequest('anomalyId missing: send {"anomalyId": "<id from /api/monitor/anomalies>"}');
        }
        try {
          const out = await monitor.analyze(id);
          if (!out) send(res, 404, { error: `no anomaly ${id}` });
          else send(res, 200, out);
        } catch (err) {
          if (err instanceof AiDisabledError) send(res, 503, { error: err.message });
          else if (err instanceof BreakerOpenError) {
            const secs = Math.max(1, Math.ceil((err.retryAt - Date.now()) / 1000));
            send(res, 503, { error: err.message }, { 'retry-after': String(secs) });
          } else send(res, 502, { error: `AI endpoint failed: ${String(err)}` });
        }
      },
    },
  };

  return async (req, res, url) => {
    const route = routes[url.pathname];
    if (!route) return false;
    const handler = route[(req.method ?? 'GET') as 'GET' | 'POST'];
    if (!handler) {
      send(
        res,
        405,
        { error: `${req.method} not allowed on ${url.pathname}` },
        { allow: Object.keys(route).join(', ') },
      );
      return true;
    }
    try {
      await handler(req, res, url);
    } catch (err) {
      if (err instanceof BadRequest) send(res, 400, { error: err.message });
      else if (!res.headersSent) send(res, 500, { error: String(err) });
      else res.end();
    }
    return true;
  };
}
