// A stand-in for Elasticsearch's HTTP API, enough for @elastic/elasticsearch 9.x to index through `_bulk`:
// GET / (with the x-elastic-product header the client's product check wants on every 2xx), and POST /_bulk with
// `create` semantics (201 new, 409 existing _id) over an in-memory index keyed by _id. It injects the faults the
// sink must survive (refused connections, requests that never get an answer, 429 storms, per-item 429/400,
// slow answers, 5xx) and records every request, checking each NDJSON action/document pair it receives.
// It is a fault injector, not the evidence that we speak the vendor API: the contract tests check the bodies
// against @elastic/elasticsearch's types and the request-converter schema.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StandInFaults {
  /** Answer this many upcoming _bulk requests with a whole-request 429 (Infinity: until changed). */
  wholeRequest429: number;
  /** Answer this many upcoming _bulk requests with a 503. */
  wholeRequest503: number;
  /** Fraction (0..1) of items answered 429 es_rejected_execution_exception. */
  item429Rate: number;
  /** Documents for which this returns a reason get a 400 mapper_parsing_exception (every time: like a mapping). */
  rejectDoc: ((doc: Record<string, unknown>) => string | null) | null;
  /** Accept _bulk requests but never answer; 'after-index' stores the documents first (response lost). */
  hang: false | 'before-index' | 'after-index';
  /** Delay before answering, ms. */
  delayMs: number;
  /** Answer every _bulk with 403 (a writer role without create_doc) until changed. */
  bulkForbidden: boolean;
}

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  contentType: string;
  authorization: string;
  bytes: number;
  /** _ids of the `create` actions, in order. */
  ids: string[];
  status: number | 'hung' | 'closed';
  /** Query string as sent. */
  query: string;
  /** Request and response bodies, when `recordBodies` is on (contract tests). */
  body?: string;
  response?: unknown;
}

export interface StoredDoc {
  index: string;
  doc: Record<string, unknown>;
}

const ES_VERSION = '9.5.1';
const MAX_BODY_BYTES = 200 * 1024 * 1024;

export class ElasticsearchStandIn {
  readonly docs = new Map<string, StoredDoc>();
  readonly requests: RecordedRequest[] = [];
  /** NDJSON or action problems seen (each is a bug in the client side). */
  readonly protocolErrors: string[] = [];
  faults: StandInFaults = {
    wholeRequest429: 0,
    wholeRequest503: 0,
    item429Rate: 0,
    rejectDoc: null,
    hang: false,
    delayMs: 0,
    bulkForbidden: false,
  };
  readonly counts = {
    bulk: 0,
    created: 0,
    conflicts: 0,
    rejected: 0,
    item429: 0,
    whole429: 0,
    whole503: 0,
    hung: 0,
    /** _bulk requests whose client went away before the answer (killed, timed out). */
    abandoned: 0,
    /** Resend checks (POST <index>/_search) answered. */
    search: 0,
  };
  /** Times an _id arrived while another open request (not answered, socket alive) held the same _id. */
  overlaps = 0;
  /** When set, requests whose Authorization header differs get a 401. */
  requireAuthorization: string | null = null;
  /** Keep request/response bodies on the records (memory: only for small contract runs). */
  recordBodies = false;

  private server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly openIds = new Map<string, number>();
  private port = 0;
  private rngState: number;
  private listening = false;

  private constructor(seed: number) {
    this.rngState = seed >>> 0 || 1;
    this.server = this.makeServer();
  }

  static async start(opts: { seed?: number; port?: number } = {}): Promise<ElasticsearchStandIn> {
    const s = new ElasticsearchStandIn(opts.seed ?? 42);
    await s.listen(opts.port ?? 0);
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Documents stored in one index (data stream). */
  docsIn(index: string): Map<string, Record<string, unknown>> {
    const out = new Map<string, Record<string, unknown>>();
    for (const [id, d] of this.docs) if (d.index === index) out.set(id, d.doc);
    return out;
  }

  /** Refuse connections: close the listener and every open socket (in-flight requests die with them). */
  async down(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
    this.server = this.makeServer();
  }

  /** Listen again on the same port. */
  async up(): Promise<void> {
    if (this.listening) return;
    await this.listen(this.port);
  }

  async stop(): Promise<void> {
    await this.down();
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.listening = true;
  }

  private makeServer(): Server {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  private random(): number {
    // mulberry32: deterministic fault patterns per seed.
    this.rngState = (this.rngState + 0x6d2b79f5) >>> 0;
    let t = this.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(c);
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const rec: RecordedRequest = {
      at: Date.now(),
      method: req.method ?? '',
      path,
      contentType: String(req.headers['content-type'] ?? ''),
      authorization: String(req.headers.authorization ?? ''),
      bytes: size,
      ids: [],
      status: 0,
      query: (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '',
    };
    if (this.recordBodies) rec.body = Buffer.concat(chunks).toString('utf8');
    this.requests.push(rec);
    if (this.requests.length > 20_000) this.requests.splice(0, 10_000);

    if (this.requireAuthorization !== null && rec.authorization !== this.requireAuthorization) {
      return this.reply(res, rec, 401, {
        error: { type: 'security_exception', reason: 'unable to authenticate' },
        status: 401,
      });
    }
    if (req.method === 'GET' && path === '/') return this.reply(res, rec, 200, rootInfo());
    if (req.method === 'HEAD' && path === '/') return this.reply(res, rec, 200, null);
    if ((req.method === 'POST' || req.method === 'PUT') && path === '/_bulk') {
      if (tooBig) return this.reply(res, rec, 413, { error: 'request too large', status: 413 });
      if (this.faults.bulkForbidden)
        return this.reply(res, rec, 403, {
          error: { type: 'security_exception', reason: 'action [indices:data/write/bulk] is unauthorized' },
          status: 403,
        });
      return this.bulk(Buffer.concat(chunks).toString('utf8'), res, rec);
    }
    const search = /^\/([^/_][^/]*)\/_search$/.exec(path);
    if (req.method === 'POST' && search) return this.search(decodeURIComponent(search[1]!), chunks, res, rec);
    return this.reply(res, rec, 404, {
      error: { type: 'stand_in_not_implemented', reason: `${req.method} ${path}` },
      status: 404,
    });
  }

  /** The sink's resend check: a terms query on crumbtrail.event_id, answered from the stored documents. */
  private search(index: string, chunks: Buffer[], res: ServerResponse, rec: RecordedRequest): void {
    this.counts.search++;
    let ids: string[] = [];
    try {
      const q = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        query?: { terms?: Record<string, string[]> };
      };
      ids = q.query?.terms?.['crumbtrail.event_id'] ?? [];
    } catch {
      this.protocolErrors.push('search body is not JSON');
    }
    if (ids.length === 0) this.protocolErrors.push('search without a terms query on crumbtrail.event_id');
    const hits = ids.filter((id) => this.docs.get(id)?.index === index).map((id) => ({ _id: id }));
    this.reply(res, rec, 200, { hits: { hits } });
  }

  private async bulk(body: string, res: ServerResponse, rec: RecordedRequest): Promise<void> {
    this.counts.bulk++;
    if (!rec.contentType.includes('x-ndjson')) this.protocolErrors.push(`content-type ${rec.contentType}`);
    const parsed = parseBulk(body);
    if ('error' in parsed) {
      this.protocolErrors.push(parsed.error);
      return this.reply(res, rec, 400, {
        error: { type: 'illegal_argument_exception', reason: parsed.error },
        status: 400,
      });
    }
    const ops = parsed.ops;
    rec.ids = ops.map((o) => o.id);
    // Overlap check: the same _id in two requests that are both still open.
    for (const o of ops) {
      if ((this.openIds.get(o.id) ?? 0) > 0) this.overlaps++;
      this.openIds.set(o.id, (this.openIds.get(o.id) ?? 0) + 1);
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      for (const o of ops) {
        const n = (this.openIds.get(o.id) ?? 1) - 1;
        if (n <= 0) this.openIds.delete(o.id);
        else this.openIds.set(o.id, n);
      }
    };
    res.on('close', () => {
      // answered, or the client went away first
      if (!res.writableEnded) this.counts.abandoned++;
      release();
    });

    if (this.faults.delayMs > 0) await new Promise((r) => setTimeout(r, this.faults.delayMs));
    if (res.destroyed) {
      rec.status = 'closed';
      return release();
    }
    if (this.faults.hang === 'before-index') {
      this.counts.hung++;
      rec.status = 'hung';
      return; // never answered; released when the client gives up and closes the socket
    }
    if (this.faults.wholeRequest429 > 0 && this.faults.hang === false) {
      this.faults.wholeRequest429--;
      this.counts.whole429++;
      release();
      return this.reply(res, rec, 429, {
        error: { type: 'es_rejected_execution_exception', reason: 'rejected execution (stand-in storm)' },
        status: 429,
      });
    }
    if (this.faults.wholeRequest503 > 0 && this.faults.hang === false) {
      this.faults.wholeRequest503--;
      this.counts.whole503++;
      release();
      return this.reply(res, rec, 503, {
        error: { type: 'cluster_block_exception', reason: 'stand-in unavailable' },
        status: 503,
      });
    }
    const items: Record<string, unknown>[] = [];
    let errorsSeen = false;
    for (const o of ops) {
      const reason = this.faults.rejectDoc?.(o.doc) ?? null;
      let item: Record<string, unknown>;
      if (reason !== null) {
        this.counts.rejected++;
        item = {
          _index: o.index,
          _id: o.id,
          status: 400,
          error: { type: 'document_parsing_exception', reason },
        };
      } else if (this.faults.item429Rate > 0 && this.random() < this.faults.item429Rate) {
        this.counts.item429++;
        item = {
          _index: o.index,
          _id: o.id,
          status: 429,
          error: { type: 'es_rejected_execution_exception', reason: 'rejected execution (stand-in)' },
        };
      } else if (this.docs.has(o.id)) {
        this.counts.conflicts++;
        item = {
          _index: backingIndex(o.index),
          _id: o.id,
          status: 409,
          error: {
            type: 'version_conflict_engine_exception',
            reason: `[${o.id}]: version conflict, document already exists (current version [1])`,
          },
        };
      } else {
        this.docs.set(o.id, { index: o.index, doc: o.doc });
        this.counts.created++;
        item = { _index: backingIndex(o.index), _id: o.id, _version: 1, result: 'created', status: 201 };
      }
      if ((item.status as number) >= 300) errorsSeen = true;
      items.push({ create: item });
    }
    if (this.faults.hang === 'after-index') {
      this.counts.hung++;
      rec.status = 'hung';
      return;
    }
    release();
    return this.reply(res, rec, 200, { errors: errorsSeen, took: 1, items });
  }

  private reply(res: ServerResponse, rec: RecordedRequest, status: number, body: unknown): void {
    rec.status = status;
    if (this.recordBodies) rec.response = body;
    if (res.destroyed) {
      rec.status = 'closed';
      return;
    }
    const text = body === null ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-elastic-product': 'Elasticsearch',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }
}

interface BulkOp {
  index: string;
  id: string;
  doc: Record<string, unknown>;
}

/** Parse an NDJSON bulk body made only of `create` pairs; anything else is a protocol error. */
export function parseBulk(body: string): { ops: BulkOp[] } | { error: string } {
  if (body.length === 0) return { error: 'request body is required' };
  if (!body.endsWith('\n')) return { error: 'the bulk request must be terminated by a newline [\\n]' };
  const lines = body.slice(0, -1).split('\n');
  if (lines.length % 2 !== 0)
    return { error: `odd number of lines (${lines.length}): a create without a document` };
  const ops: BulkOp[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    let action: unknown;
    let doc: unknown;
    try {
      action = JSON.parse(lines[i]!);
    } catch {
      return { error: `line ${i + 1}: action is not JSON` };
    }
    try {
      doc = JSON.parse(lines[i + 1]!);
    } catch {
      return { error: `line ${i + 2}: document is not JSON` };
    }
    const a = action as Record<string, unknown>;
    const keys = Object.keys(a ?? {});
    if (keys.length !== 1 || keys[0] !== 'create')
      return { error: `line ${i + 1}: action is not create: ${keys}` };
    const meta = a.create as Record<string, unknown>;
    if (typeof meta?._index !== 'string' || meta._index === '') return { error: `line ${i + 1}: no _index` };
    if (typeof meta._id !== 'string' || meta._id === '') return { error: `line ${i + 1}: no _id` };
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      return { error: `line ${i + 2}: document is not an object` };
    }
    ops.push({ index: meta._index, id: meta._id, doc: doc as Record<string, unknown> });
  }
  return { ops };
}

function backingIndex(dataStream: string): string {
  return `.ds-${dataStream}-2026.11.21-000001`;
}

function rootInfo(): Record<string, unknown> {
  return {
    name: 'es-standin',
    cluster_name: 'crumbtrail-standin',
    cluster_uuid: 'c7u3b7r4i1l0standin00',
    version: {
      number: ES_VERSION,
      build_flavor: 'default',
      build_type: 'docker',
      lucene_version: '10.3.1',
      minimum_wire_compatibility_version: '8.19.0',
      minimum_index_compatibility_version: '8.0.0',
    },
    tagline: 'You Know, for Search',
  };
}

// ---- fixtures for driving a sink against the stand-in ----

/** Classified events of one synthetic file: every `breadcrumbEvery`-th one is a breadcrumb. */
export function syntheticEvents(
  n: number,
  opts: { fileId?: string; source?: string; breadcrumbEvery?: number; startOffset?: number } = {},
): import('../../analyzer/src/core/types.ts').ClassifiedEvent[] {
  const fileId = opts.fileId ?? 'fp-abc:2049:1234';
  const source = opts.source ?? '/var/log/app/app.log';
  const every = opts.breadcrumbEvery ?? 1;
  const out: import('../../analyzer/src/core/types.ts').ClassifiedEvent[] = [];
  let offset = opts.startOffset ?? 0;
  for (let i = 0; i < n; i++) {
    const message = `payment declined order=${i} trace_id=t${i % 97} attempt=${i % 5}`;
    const len = 60 + message.length;
    const event = {
      source,
      fileId,
      offset,
      nextOffset: offset + len + 1,
      lineNo: i + 1,
      format: 'plain' as const,
      timestamp: Date.UTC(2026, 10, 21, 10, 0, 0) + i * 10,
      level: i % 7 === 0 ? ('ERROR' as const) : ('WARN' as const),
      component: 'checkout',
      message,
      traceId: `t${i % 97}`,
      fields: { order: i, attempt: i % 5, trace_id: `t${i % 97}` },
    };
    offset = event.nextOffset;
    const breadcrumb =
      i % every === 0
        ? { event, category: 'stress' as const, symbol: '🟡', ruleId: 'stress-latency', severity: 3 as const }
        : null;
    out.push({ event, breadcrumb });
  }
  return out;
}
