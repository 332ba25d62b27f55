// JSON over fetch for Kibana, Grafana and Prometheus, with errors an operator can act on:
// unreachable (which URL, which env var), 401 (which credential), 403 (which credential lacks what).
import { type Auth, describeAuth, type Target } from './config.ts';
import { ProvisionError, UnreachableError } from './errors.ts';

export interface HttpResponse {
  status: number;
  body: unknown;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** A multipart body (Kibana saved-object import); sent as is. */
  form?: FormData;
  /** Statuses the caller handles itself (e.g. 404 = absent); others >= 400 throw. */
  expect?: readonly number[];
  headers?: Record<string, string>;
}

export function authHeader(auth: Auth): Record<string, string> {
  switch (auth.kind) {
    case 'basic':
      return {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      };
    case 'apiKey':
      return { authorization: `ApiKey ${auth.key}` };
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'none':
      return {};
  }
}

export class ServiceHttp {
  constructor(
    /** Human name: "Kibana", "Grafana", "Prometheus". */
    readonly service: string,
    readonly target: Target,
    /** Env var naming the URL, for the "unreachable" hint. */
    private readonly urlVar: string,
    private readonly baseHeaders: Record<string, string> = {},
    private readonly timeoutMs = 30_000,
  ) {}

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...authHeader(this.target.auth),
      ...this.baseHeaders,
      ...opts.headers,
    };
    let body: string | FormData | undefined;
    if (opts.form) body = opts.form;
    else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await fetch(`${this.target.url}${path}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      // A timeout means something listens but is slow: worth waiting for. Anything else: nothing answers.
      if (err instanceof Error && err.name === 'TimeoutError') {
        throw new ProvisionError(
          `${this.service} at ${this.target.url} did not answer within ${this.timeoutMs / 1000}s`,
        );
      }
      throw new UnreachableError(this.service, this.target.url, this.urlVar, cause);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (Prometheus' /-/ready answers plain text): keep the text.
    }
    if (res.status >= 400 && !opts.expect?.includes(res.status)) {
      throw this.statusError(method, path, res.status, parsed, text);
    }
    return { status: res.status, body: parsed, text };
  }

  get(path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    return this.request('GET', path, opts);
  }

  private statusError(
    method: string,
    path: string,
    status: number,
    body: unknown,
    text: string,
  ): ProvisionError {
    const cred = describeAuth(this.target.auth);
    const reason = serverMessage(body) ?? text.slice(0, 200);
    if (status === 401) {
      return new ProvisionError(
        `${this.service} rejected the credentials ${cred} (401 on ${method} ${path}): check them`,
        true,
      );
    }
    if (status === 403) {
      return new ProvisionError(
        `${this.service}: ${cred} is not allowed to ${method} ${path} (403: ${reason}); grant the privilege or use another user`,
        true,
      );
    }
    return new ProvisionError(`${this.service} answered ${status} to ${method} ${path}: ${reason}`);
  }
}

/** The error text most APIs put in their JSON body. */
export function serverMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  for (const key of ['message', 'error', 'reason']) {
    const v = b[key];
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).reason === 'string') {
      return (v as Record<string, string>).reason;
    }
  }
  return undefined;
}
