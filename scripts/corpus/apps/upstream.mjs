// A small upstream HTTP app for the nginx runs, logging with pino in its default configuration (JSON lines
// on stdout). pino is resolved from CORPUS_NODE_DEPS (installed outside the repo by the generator).
// Routes: /app/ok 200, /app/error 500 (logged with the error), /app/slow answers after SLOW_MS,
// /app/order takes a "database connection" from a pool of POOL_SIZE that leaks one per request when LEAK=1:
// warnings as the pool fills, then an uncaught error that kills the process (the web-tier incident).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.env.CORPUS_NODE_DEPS ?? '.', 'package.json'));
const pino = require('pino');
// APP_NAME (optional) becomes pino's `name` field; unset, pino writes no `name` at all (its default).
const log = pino(process.env.APP_NAME ? { name: process.env.APP_NAME } : {});

const port = Number(process.env.PORT);
const slowMs = Number(process.env.SLOW_MS ?? 3000);
const poolSize = Number(process.env.POOL_SIZE ?? 10);
const leak = process.env.LEAK === '1';
let inUse = 0;

function takeConnection(reqId) {
  if (inUse >= poolSize) {
    // Thrown outside the request handler's try: the process dies as a real leaking app would.
    setImmediate(() => {
      throw new Error(
        `connection pool exhausted (${inUse}/${poolSize} in use), cannot serve request ${reqId}`,
      );
    });
    return false;
  }
  inUse += 1;
  const ratio = inUse / poolSize;
  if (ratio >= 0.7) {
    log.warn({ pool: 'orders-db', inUse, size: poolSize, reqId }, 'connection pool nearly exhausted');
  }
  return true;
}

let seq = 0;
const server = createServer((req, res) => {
  seq += 1;
  const reqId = `req-${seq}`;
  const started = Date.now();
  const done = (status, body) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
    log.info(
      { reqId, method: req.method, url: req.url, statusCode: status, responseTime: Date.now() - started },
      'request completed',
    );
  };
  if (req.url?.startsWith('/app/error')) {
    const err = new TypeError("Cannot read properties of undefined (reading 'price')");
    log.error({ reqId, err }, 'unhandled error in handler');
    done(500, 'internal error\n');
  } else if (req.url?.startsWith('/app/slow')) {
    setTimeout(() => done(200, 'slow\n'), slowMs);
  } else if (req.url?.startsWith('/app/order')) {
    if (!takeConnection(reqId)) return;
    // Without LEAK the connection goes back to the pool; with it, it never does.
    if (!leak) inUse -= 1;
    done(200, 'order accepted\n');
  } else {
    done(200, 'ok\n');
  }
});

server.listen(port, '127.0.0.1', () => log.info({ port, poolSize }, 'upstream listening'));
// The usual last-resort handler: log the crash as fatal, then exit (pino writes synchronously to stdout).
process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception, exiting');
  process.exit(1);
});
process.on('SIGTERM', () => {
  log.info('SIGTERM received, shutting down');
  server.close(() => process.exit(0));
});
