// Who may call mutating and costly endpoints (POST /api/alerts, POST /api/monitor/recalculate|analyze): with a
// token configured, only requests carrying `Authorization: Bearer <token>`; without one, only while the service
// listens on loopback (a published port without a token would let anyone reach them). Reads (GET/HEAD) stay open.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type HttpReply, json } from './http.ts';

export type Authorizer = (req: IncomingMessage) => HttpReply | null;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export function writeAuthorizer(token: string | null, host: string): Authorizer {
  const expected = token === null ? null : Buffer.from(token);
  return (req) => {
    if (READ_METHODS.has(req.method ?? 'GET')) return null;
    if (expected === null) {
      if (isLoopback(host)) return null;
      return json(
        {
          error:
            'this endpoint changes state or costs work: set CRUMBTRAIL_API_TOKEN_FILE (or CRUMBTRAIL_API_TOKEN) and send "Authorization: Bearer <token>"',
        },
        403,
      );
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const given = m ? Buffer.from(m[1]!) : null;
    if (given && given.length === expected.length && timingSafeEqual(given, expected)) return null;
    return {
      ...json({ error: 'missing or wrong token: send "Authorization: Bearer <token>"' }, 401),
      headers: { 'www-authenticate': 'Bearer realm="crumbtrail"' },
    };
  };
}
