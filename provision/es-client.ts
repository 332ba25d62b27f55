// The @elastic/elasticsearch client for a target, and translation of its errors into operator language.
import { Client, errors } from '@elastic/elasticsearch';
import { describeAuth, type Target } from './config.ts';
import { ProvisionError, UnreachableError } from './errors.ts';

export function createEsClient(target: Target, requestTimeoutMs = 30_000): Client {
  const auth =
    target.auth.kind === 'basic'
      ? { username: target.auth.username, password: target.auth.password }
      : target.auth.kind === 'apiKey'
        ? { apiKey: target.auth.key }
        : target.auth.kind === 'bearer'
          ? { bearer: target.auth.token }
          : undefined;
  return new Client({
    node: target.url,
    ...(auth ? { auth } : {}),
    ...(target.caCert ? { tls: { ca: target.caCert } } : {}),
    // Our own wait loop retries; the client's retries would only hide an unreachable host for longer.
    maxRetries: 0,
    requestTimeout: requestTimeoutMs,
  });
}

/** Run one client call; 404 → undefined when `absentOn404`, other failures → ProvisionError. */
export async function esCall<T>(target: Target, what: string, fn: () => Promise<T>): Promise<T>;
export async function esCall<T>(
  target: Target,
  what: string,
  fn: () => Promise<T>,
  absentOn404: true,
): Promise<T | undefined>;
export async function esCall<T>(
  target: Target,
  what: string,
  fn: () => Promise<T>,
  absentOn404 = false,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof errors.ResponseError) {
      const status = err.meta.statusCode ?? 0;
      if (status === 404 && absentOn404) return undefined;
      const reason = esReason(err.body);
      const cred = describeAuth(target.auth);
      if (status === 401) {
        throw new ProvisionError(
          `Elasticsearch rejected the credentials ${cred} (401 on ${what}): check them`,
          true,
        );
      }
      if (status === 403) {
        const licence = /licen[cs]e|non-compliant|not available/i.test(reason);
        throw new ProvisionError(
          licence
            ? `Elasticsearch licence does not allow ${what}: ${reason}`
            : `Elasticsearch: ${cred} is not allowed to ${what} (403: ${reason}); grant the privilege or use another user`,
          true,
        );
      }
      throw new ProvisionError(`Elasticsearch answered ${status} to ${what}: ${reason}`);
    }
    if (err instanceof errors.ConnectionError) {
      throw new UnreachableError('Elasticsearch', target.url, 'ES_URL', err.message);
    }
    if (err instanceof errors.TimeoutError) {
      throw new ProvisionError(
        `Elasticsearch unreachable at ${target.url} (${err.message}): is it running? set ES_URL to provision another cluster`,
      );
    }
    if (err instanceof errors.ProductNotSupportedError) {
      throw new ProvisionError(`${target.url} is not Elasticsearch (${err.message}): check ES_URL`, true);
    }
    throw err;
  }
}

function esReason(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const e = (body as { error?: unknown }).error;
    if (typeof e === 'string') return e;
    if (typeof e === 'object' && e !== null) {
      const r = (e as { reason?: unknown; type?: unknown }).reason ?? (e as { type?: unknown }).type;
      if (typeof r === 'string') return r;
    }
  }
  return typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body ?? null).slice(0, 200);
}
