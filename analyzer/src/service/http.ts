// A small node:http server over a route table. Routes are plain functions returning an HttpReply, so other
// modules (the anomaly monitor's anomalyRoutes) can contribute routes without knowing about the server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpReply {
  status: number;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export type RouteHandler = (
  req: IncomingMessage,
  url: URL,
  body: Buffer | null,
) => HttpReply | Promise<HttpReply>;

/** Keys are 'GET /path', 'POST /path', or '/path' (any method). Exact path match; query strings go in `url`. */
export type RouteTable = Record<string, RouteHandler>;

/**
 * A handler that serves a whole subtree itself (e.g. anomalyRoutes(monitor)) and answers false when the path is
 * not its own. Tried, in order, when no route in the table matches.
 */
export type MountedHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Request bodies larger than this are refused (413): webhook payloads are small. */
const MAX_BODY_BYTES = 1024 * 1024;

export function json(value: unknown, status = 200): HttpReply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

export function text(body: string, status = 200, contentType = 'text/plain; charset=utf-8'): HttpReply {
  return { status, contentType, body };
}

export class HttpService {
  private readonly server: Server;
  private readonly routes = new Map<string, RouteHandler>();

  constructor(
    tables: RouteTable[],
    private readonly mounted: MountedHandler[] = [],
    private readonly onError: (err: unknown) => void = () => {},
    /** Checked before any route or mounted handler; a reply means refused (401/403). */
    private readonly authorize: (req: IncomingMessage) => HttpReply | null = () => null,
  ) {
    for (const t of tables) for (const [k, h] of Object.entries(t)) this.routes.set(k, h);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        this.onError(err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      });
    });
    // Scrapers and dashboards keep connections alive; do not let one idle socket hold shutdown for long.
    this.server.keepAliveTimeout = 5000;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), 2000);
    await closed;
    clearTimeout(timer);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const refused = this.authorize(req);
    if (refused) {
      req.resume(); // drain the body so the connection can be reused
      return send(res, refused);
    }
    const handler =
      this.routes.get(`${method} ${url.pathname}`) ??
      this.routes.get(url.pathname) ??
      (method === 'HEAD' ? this.routes.get(`GET ${url.pathname}`) : undefined);
    if (!handler) {
      for (const m of this.mounted) if (await m(req, res, url)) return;
      const otherMethod = [...this.routes.keys()].some((k) => k.endsWith(` ${url.pathname}`));
      const reply = otherMethod
        ? json({ error: `method ${method} not allowed` }, 405)
        : json({ error: 'not found' }, 404);
      return send(res, reply);
    }
    let body: Buffer | null = null;
    if (method === 'POST' || method === 'PUT') {
      body = await readBody(req);
      if (body === null) return send(res, json({ error: `request body over ${MAX_BODY_BYTES} bytes` }, 413));
    }
    send(res, await handler(req, url, body));
  }
}

function send(res: ServerResponse, reply: HttpReply): void {
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...reply.headers,
  });
  res.end(reply.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}
