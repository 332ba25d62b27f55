// Recording stand-ins for Elasticsearch, Kibana, Grafana and Prometheus: small HTTP servers on 127.0.0.1 that keep
// objects in memory (so a second provisioning run sees what the first created), add the fields the real servers
// add (versions, ids, defaults) and capture every request for contract validation. They stand in for the
// services' behaviour only; request bodies are validated separately against the vendors' specs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  service: string;
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  contentType: string;
  raw: Buffer;
  /** Parsed JSON body, or undefined when not JSON. */
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Json = Record<string, unknown>;

const isWrite = (m: string) => m !== 'GET' && m !== 'HEAD';

export abstract class RecordingStandIn {
  readonly requests: RecordedRequest[] = [];
  /** Fault injection: answer every request with this status (e.g. 401, 403). */
  forceStatus: number | undefined;
  private server: Server | undefined;
  private port = 0;

  constructor(readonly service: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((r) => isWrite(r.method));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.onRequest(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  protected abstract route(r: RecordedRequest): Reply | Promise<Reply>;

  protected extraHeaders(): Record<string, string> {
    return {};
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const u = new URL(req.url ?? '/', 'http://standin');
    const contentType = String(req.headers['content-type'] ?? '');
    let body: unknown;
    if (raw.length > 0 && /json/.test(contentType)) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
    }
    const rec: RecordedRequest = {
      service: this.service,
      method: req.method ?? 'GET',
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
      contentType,
      raw,
      body,
    };
    this.requests.push(rec);
    let reply: Reply;
    try {
      reply = this.forceStatus
        ? { status: this.forceStatus, body: { error: 'forced by test' } }
        : await this.route(rec);
    } catch (err) {
      reply = { status: 500, body: { error: String(err) } };
    }
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      ...this.extraHeaders(),
      ...reply.headers,
    });
    res.end(
      reply.body === undefined
        ? ''
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body),
    );
  }
}

const notFound = (what: string): Reply => ({
  status: 404,
  body: { statusCode: 404, error: 'Not Found', message: `${what} not found` },
});
const clone = <T>(v: T): T => structuredClone(v);

/** Stands in for Elasticsearch 9.5: the endpoints the provisioner calls, licence switchable. */
export class ElasticsearchStandIn extends RecordingStandIn {
  license: { type: string; status: string } = { type: 'basic', status: 'active' };
  version = '9.5.1';
  readonly policies = new Map<string, Json>();
  readonly componentTemplates = new Map<string, Json>();
  readonly indexTemplates = new Map<string, Json>();
  readonly pipelines = new Map<string, Json>();
  /** Indices created with PUT /<index> (alerts history bootstrap), with their aliases. */
  readonly indices = new Map<string, Json>();
  readonly watches = new Map<string, Json>();

  constructor() {
    super('elasticsearch');
  }

  protected override extraHeaders(): Record<string, string> {
    return { 'x-elastic-product': 'Elasticsearch' };
  }

  protected route(r: RecordedRequest): Reply {
    const p = r.path;
    const m = r.method;
    const body = (r.body ?? {}) as Json;
    if (p === '/' && m === 'GET') {
      return {
        status: 200,
        body: {
          name: 'standin',
          cluster_name: 'crumbtrail',
          version: { number: this.version },
          tagline: 'You Know, for Search',
        },
      };
    }
    if (p === '/_cluster/health')
      return { status: 200, body: { cluster_name: 'crumbtrail', status: 'green' } };
    if (p === '/_license')
      return { status: 200, body: { license: { ...this.license, uid: 'x', issued_to: 'standin' } } };
    let mt = /^\/_ilm\/policy\/([^/]+)$/.exec(p);
    if (mt) {
      const name = decodeURIComponent(mt[1]!);
      if (m === 'PUT') {
        const prev = this.policies.get(name);
        // ES increments the version and stamps modified_date; it fills min_age defaults.
        this.policies.set(name, {
          version: ((prev?.version as number) ?? 0) + 1,
          modified_date: new Date().toISOString(),
          policy: body.policy,
        });
        return { status: 200, body: { acknowledged: true } };
      }
      const got = this.policies.get(name);
      return got ? { status: 200, body: { [name]: got } } : notFound(`policy ${name}`);
    }
    mt = /^\/_component_template\/([^/]+)$/.exec(p);
    if (mt) {
      const name = decodeURIComponent(mt[1]!);
      if (m === 'PUT') {
        this.componentTemplates.set(name, clone(body));
        return { status: 200, body: { acknowledged: true } };
      }
      const got = this.componentTemplates.get(name);
      return got
        ? { status: 200, body: { component_templates: [{ name, component_template: got }] } }
        : notFound(name);
    }
    mt = /^\/_index_template\/([^/]+)$/.exec(p);
    if (mt) {
      const name = decodeURIComponent(mt[1]!);
      if (m === 'PUT') {
        // ES expands data_stream: {} with its defaults.
        const stored = clone(body);
        if (stored.data_stream)
          stored.data_stream = {
            hidden: false,
            allow_custom_routing: false,
            ...(stored.data_stream as Json),
          };
        this.indexTemplates.set(name, stored);
        return { status: 200, body: { acknowledged: true } };
      }
      const got = this.indexTemplates.get(name);
      return got
        ? { status: 200, body: { index_templates: [{ name, index_template: got }] } }
        : notFound(name);
    }
    mt = /^\/_ingest\/pipeline\/([^/]+)$/.exec(p);
    if (mt) {
      const id = decodeURIComponent(mt[1]!);
      if (m === 'PUT') {
        this.pipelines.set(id, clone(body));
        return { status: 200, body: { acknowledged: true } };
      }
      const got = this.pipelines.get(id);
      return got ? { status: 200, body: { [id]: got } } : notFound(id);
    }
    mt = /^\/_alias\/([^/]+)$/.exec(p);
    if (mt && (m === 'HEAD' || m === 'GET')) {
      const name = decodeURIComponent(mt[1]!);
      const holders = [...this.indices].filter(
        ([, b]) => (b as { aliases?: Record<string, Json> }).aliases?.[name],
      );
      return holders.length > 0
        ? {
            status: 200,
            body: Object.fromEntries(
              holders.map(([i, b]) => [i, { aliases: (b as { aliases: Json }).aliases }]),
            ),
          }
        : notFound(`alias ${name}`);
    }
    mt = /^\/([a-z0-9][a-z0-9._-]*)$/.exec(p);
    if (mt && m === 'PUT') {
      const index = decodeURIComponent(mt[1]!);
      if (this.indices.has(index))
        return { status: 400, body: { error: { type: 'resource_already_exists_exception' } } };
      this.indices.set(index, clone(body));
      return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index } };
    }
    mt = /^\/_watcher\/watch\/([^/]+)$/.exec(p);
    if (mt) {
      const id = decodeURIComponent(mt[1]!);
      const gold = ['gold', 'platinum', 'enterprise', 'trial'].includes(this.license.type);
      if (!gold) {
        return {
          status: 403,
          body: {
            error: { type: 'security_exception', reason: 'current license is non-compliant for [watcher]' },
            status: 403,
          },
        };
      }
      if (m === 'PUT') {
        const created = !this.watches.has(id);
        this.watches.set(id, clone(body));
        return { status: created ? 201 : 200, body: { _id: id, _version: 1, created } };
      }
      const got = this.watches.get(id);
      return got
        ? { status: 200, body: { _id: id, found: true, watch: got, status: { state: { active: true } } } }
        : { status: 404, body: { _id: id, found: false } };
    }
    return { status: 400, body: { error: { type: 'standin', reason: `unexpected ${m} ${p}` } } };
  }
}

/** Stands in for Kibana 9.5: status, data views, saved objects (+ multipart import), connectors, rules. */
export class KibanaStandIn extends RecordingStandIn {
  readonly dataViews = new Map<string, Json>();
  readonly savedObjects = new Map<string, Json>();
  readonly connectors = new Map<string, Json>();
  readonly rules = new Map<string, Json>();
  /** Parsed ndjson lines of every import, for validation. */
  readonly imports: Json[][] = [];
  /** What an authenticated GET /api/status answers inside `status` (Kibana 8+ format: overall, core, plugins). */
  status: Json = {
    overall: { level: 'available' },
    core: { elasticsearch: { level: 'available' }, savedObjects: { level: 'available' } },
    plugins: { alerting: { level: 'available' }, actions: { level: 'available' } },
  };

  constructor() {
    super('kibana');
  }

  protected async route(r: RecordedRequest): Promise<Reply> {
    const p = r.path;
    const m = r.method;
    const body = (r.body ?? {}) as Json;
    if (isWrite(m) && r.headers['kbn-xsrf'] === undefined) {
      return { status: 400, body: { statusCode: 400, message: 'Request must contain a kbn-xsrf header.' } };
    }
    if (p === '/api/status')
      return {
        status: 200,
        body: { version: { number: '9.5.1' }, status: this.status },
      };
    if (p === '/api/data_views/data_view' && m === 'POST') {
      const dv = body.data_view as Json;
      const id = String(dv.id);
      if (this.dataViews.has(id) && !body.override)
        return { status: 400, body: { message: `Duplicate data view: ${id}` } };
      this.dataViews.set(id, { ...dv, fields: {}, version: 'WzEsMV0=', allowNoIndex: false });
      return { status: 200, body: { data_view: this.dataViews.get(id) } };
    }
    let mt = /^\/api\/data_views\/data_view\/([^/]+)$/.exec(p);
    if (mt) {
      const id = decodeURIComponent(mt[1]!);
      const got = this.dataViews.get(id);
      if (!got) return notFound(`data view ${id}`);
      if (m === 'POST') this.dataViews.set(id, { ...got, ...(body.data_view as Json) });
      return { status: 200, body: { data_view: this.dataViews.get(id) } };
    }
    if (p === '/api/saved_objects/_import' && m === 'POST') {
      const form = await new Request('http://standin/', {
        method: 'POST',
        headers: { 'content-type': r.contentType },
        body: new Uint8Array(r.raw),
      }).formData();
      const file = form.get('file');
      if (!(file instanceof Blob)) return { status: 400, body: { message: 'file is required' } };
      const lines = (await file.text())
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Json);
      this.imports.push(lines);
      for (const o of lines) {
        const key = `${o.type}/${o.id}`;
        if (this.savedObjects.has(key) && r.query.get('overwrite') !== 'true') continue;
        // Kibana adds migration versions and timestamps to stored objects.
        this.savedObjects.set(key, {
          ...clone(o),
          updated_at: new Date().toISOString(),
          typeMigrationVersion: '10.0.0',
        });
      }
      return { status: 200, body: { success: true, successCount: lines.length } };
    }
    mt = /^\/api\/saved_objects\/([^/_][^/]*)\/([^/]+)$/.exec(p);
    if (mt && m === 'GET') {
      const got = this.savedObjects.get(`${mt[1]}/${decodeURIComponent(mt[2]!)}`);
      return got ? { status: 200, body: got } : notFound('saved object');
    }
    mt = /^\/api\/actions\/connector\/([^/]+)$/.exec(p);
    if (mt) {
      const id = decodeURIComponent(mt[1]!);
      const got = this.connectors.get(id);
      if (m === 'GET') return got ? { status: 200, body: got } : notFound(`connector ${id}`);
      if (m === 'DELETE') {
        this.connectors.delete(id);
        return { status: 204 };
      }
      if (m === 'POST') {
        if (got) return { status: 409, body: { message: `connector ${id} already exists` } };
        const { secrets: _s, ...rest } = body;
        this.connectors.set(id, {
          id,
          ...rest,
          is_preconfigured: false,
          is_deprecated: false,
          is_missing_secrets: false,
        });
        return { status: 200, body: this.connectors.get(id) };
      }
      if (m === 'PUT') {
        if (!got) return notFound(`connector ${id}`);
        const { secrets: _s, ...rest } = body;
        this.connectors.set(id, { ...got, ...rest });
        return { status: 200, body: this.connectors.get(id) };
      }
    }
    mt = /^\/api\/alerting\/rule\/([^/]+)(\/_enable|\/_disable)?$/.exec(p);
    if (mt) {
      const id = decodeURIComponent(mt[1]!);
      const got = this.rules.get(id);
      if (mt[2]) {
        if (!got) return notFound(`rule ${id}`);
        got.enabled = mt[2] === '/_enable';
        return { status: 204 };
      }
      if (m === 'GET') return got ? { status: 200, body: got } : notFound(`rule ${id}`);
      if (m === 'DELETE') {
        this.rules.delete(id);
        return { status: 204 };
      }
      const withServerFields = (b: Json, prev?: Json): Json => ({
        ...prev,
        ...clone(b),
        id,
        // Kibana adds a uuid and the connector type to each action, plus execution bookkeeping.
        actions: ((b.actions as Json[] | undefined) ?? []).map((a, i) => ({
          ...a,
          uuid: `uuid-${i}`,
          connector_type_id: (this.connectors.get(String(a.id))?.connector_type_id as string) ?? 'unknown',
        })),
        execution_status: { status: 'pending', last_execution_date: new Date().toISOString() },
        updated_at: new Date().toISOString(),
      });
      if (m === 'POST') {
        if (got) return { status: 409, body: { message: `rule ${id} already exists` } };
        for (const a of (body.actions as Json[] | undefined) ?? []) {
          if (!this.connectors.has(String(a.id)))
            return { status: 400, body: { message: `connector ${a.id} not found` } };
        }
        this.rules.set(id, withServerFields(body));
        return { status: 200, body: this.rules.get(id) };
      }
      if (m === 'PUT') {
        if (!got) return notFound(`rule ${id}`);
        this.rules.set(id, withServerFields(body, got));
        return { status: 200, body: this.rules.get(id) };
      }
    }
    return { status: 404, body: { message: `standin: no route ${m} ${p}` } };
  }
}

/** Stands in for Grafana 13: health, folders, datasources (optionally file-provisioned), dashboards. */
export class GrafanaStandIn extends RecordingStandIn {
  readonly folders = new Map<string, Json>();
  readonly datasources = new Map<string, Json>();
  readonly dashboards = new Map<string, { dashboard: Json; folderUid: string; provisioned: boolean }>();
  private nextId = 1;

  constructor() {
    super('grafana');
  }

  /** A datasource from grafana/provisioning/datasources: Grafana marks it readOnly. */
  addFileProvisionedDatasource(uid: string, type: string): void {
    this.datasources.set(uid, { id: this.nextId++, uid, name: uid, type, url: 'http://x', readOnly: true });
  }

  protected route(r: RecordedRequest): Reply {
    const p = r.path;
    const m = r.method;
    const body = (r.body ?? {}) as Json;
    if (p === '/api/health') return { status: 200, body: { database: 'ok', version: '13.2.0' } };
    if (p === '/api/folders' && m === 'POST') {
      const uid = String(body.uid);
      if (this.folders.has(uid))
        return { status: 409, body: { message: 'a folder with the same uid already exists' } };
      this.folders.set(uid, { id: this.nextId++, uid, title: body.title, version: 1 });
      return { status: 200, body: this.folders.get(uid) };
    }
    let mt = /^\/api\/folders\/([^/]+)$/.exec(p);
    if (mt) {
      const got = this.folders.get(mt[1]!);
      if (!got) return notFound('folder');
      if (m === 'PUT') Object.assign(got, { title: body.title, version: (got.version as number) + 1 });
      return { status: 200, body: got };
    }
    if (p === '/api/datasources' && m === 'POST') {
      const uid = String(body.uid);
      if (this.datasources.has(uid))
        return { status: 409, body: { message: 'data source with the same uid already exists' } };
      const { secureJsonData: _s, ...rest } = body;
      this.datasources.set(uid, { ...rest, id: this.nextId++, readOnly: false, version: 1, orgId: 1 });
      return { status: 200, body: { datasource: this.datasources.get(uid), message: 'Datasource added' } };
    }
    mt = /^\/api\/datasources\/uid\/([^/]+)$/.exec(p);
    if (mt) {
      const got = this.datasources.get(mt[1]!);
      if (!got) return notFound('data source');
      if (m === 'PUT') {
        if (got.readOnly) return { status: 403, body: { message: 'Cannot update read-only data source' } };
        const { secureJsonData: _s, ...rest } = body;
        Object.assign(got, rest, { version: (got.version as number) + 1 });
      }
      return { status: 200, body: got };
    }
    if (p === '/api/dashboards/db' && m === 'POST') {
      const d = body.dashboard as Json;
      const uid = String(d.uid);
      const prev = this.dashboards.get(uid);
      if (prev?.provisioned) return { status: 400, body: { message: 'Cannot save provisioned dashboard' } };
      if (prev && !body.overwrite) return { status: 412, body: { status: 'version-mismatch' } };
      const folderUid = String(body.folderUid ?? '');
      if (folderUid && !this.folders.has(folderUid))
        return { status: 400, body: { message: 'folder not found' } };
      const version = ((prev?.dashboard.version as number) ?? 0) + 1;
      this.dashboards.set(uid, {
        dashboard: { ...clone(d), id: this.nextId++, version },
        folderUid,
        provisioned: false,
      });
      return { status: 200, body: { id: 1, uid, status: 'success', version } };
    }
    mt = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(p);
    if (mt && m === 'GET') {
      const got = this.dashboards.get(mt[1]!);
      return got
        ? {
            status: 200,
            body: {
              dashboard: got.dashboard,
              meta: { folderUid: got.folderUid, provisioned: got.provisioned },
            },
          }
        : notFound('dashboard');
    }
    return { status: 404, body: { message: `standin: no route ${m} ${p}` } };
  }
}

/** Stands in for Prometheus 3: readiness, loaded rules, and the lifecycle reload (switchable). */
export class PrometheusStandIn extends RecordingStandIn {
  lifecycleEnabled = true;
  reloads = 0;
  groups = [{ name: 'crumbtrail', rules: [{ name: 'CrumbtrailCriticalError', type: 'alerting' }] }];

  constructor() {
    super('prometheus');
  }

  protected route(r: RecordedRequest): Reply {
    if (r.path === '/-/ready')
      return {
        status: 200,
        body: 'Prometheus Server is Ready.\n',
        headers: { 'content-type': 'text/plain' },
      };
    if (r.path === '/api/v1/rules')
      return { status: 200, body: { status: 'success', data: { groups: this.groups } } };
    if (r.path === '/-/reload' && r.method === 'POST') {
      if (!this.lifecycleEnabled)
        return {
          status: 403,
          body: 'Lifecycle API is not enabled.',
          headers: { 'content-type': 'text/plain' },
        };
      this.reloads++;
      return { status: 200, body: '' };
    }
    return { status: 404, body: { status: 'error', error: `no route ${r.method} ${r.path}` } };
  }
}

/** All four stand-ins, started together; `env()` points the provisioner at them. */
export class StackStandIn {
  readonly es = new ElasticsearchStandIn();
  readonly kibana = new KibanaStandIn();
  readonly grafana = new GrafanaStandIn();
  readonly prometheus = new PrometheusStandIn();

  async start(): Promise<this> {
    await Promise.all([this.es.start(), this.kibana.start(), this.grafana.start(), this.prometheus.start()]);
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([this.es.stop(), this.kibana.stop(), this.grafana.stop(), this.prometheus.stop()]);
  }

  all(): RecordingStandIn[] {
    return [this.es, this.kibana, this.grafana, this.prometheus];
  }

  requests(): RecordedRequest[] {
    return this.all().flatMap((s) => s.requests);
  }

  writes(): RecordedRequest[] {
    return this.all().flatMap((s) => s.writes());
  }

  clearRecords(): void {
    for (const s of this.all()) s.requests.length = 0;
  }

  env(): Record<string, string> {
    return {
      ES_URL: this.es.url,
      ES_USERNAME: 'provisioner',
      ES_PASSWORD: 'standin-es-secret',
      KIBANA_URL: this.kibana.url,
      GRAFANA_URL: this.grafana.url,
      GRAFANA_USERNAME: 'admin',
      GRAFANA_PASSWORD: 'standin-grafana-secret',
      PROMETHEUS_URL: this.prometheus.url,
    };
  }
}

export interface StandInRun {
  exitCode: number;
  output: string;
  changes: number;
  report: import('../../provision/report.ts').Reporter;
}

/** Run the real provisioner in-process against the stand-ins (no .env read, short health timeout). */
export async function provisionAgainst(
  stack: StackStandIn,
  args: string[] = [],
  extraEnv: Record<string, string> = {},
  repoRoot = new URL('../..', import.meta.url).pathname,
): Promise<StandInRun> {
  const { parseArgs } = await import('../../provision/config.ts');
  const { runProvision } = await import('../../provision/run.ts');
  const config = parseArgs(
    [...args, '--timeout', args.includes('--timeout') ? '' : '1s'].filter(Boolean),
    { ...stack.env(), ...extraEnv },
    repoRoot,
    {
      dotEnv: false,
    },
  );
  const lines: string[] = [];
  const { exitCode, report } = await runProvision(config, (l) => lines.push(l));
  return { exitCode, output: lines.join('\n'), changes: report.changes, report };
}
