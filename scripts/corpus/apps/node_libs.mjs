// Node logging libraries in their default configuration, one per run (`node node_libs.mjs pino|bunyan|winston`),
// logging the same short sequence as the Go and Python ones, including an Error with its stack. The
// libraries are resolved from CORPUS_NODE_DEPS (installed outside the repo).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.env.CORPUS_NODE_DEPS ?? '.', 'package.json'));
const which = process.argv[2];
const err = new Error('connect ECONNREFUSED 127.0.0.1:6379');
const wait = () => new Promise((r) => setTimeout(r, 3));

async function run(info, warn, error, fatal) {
  info('starting inventory', { version: '2.1.0' });
  await wait();
  info('request handled', { method: 'GET', path: '/items/42', status: 200, latencyMs: 3.2 });
  await wait();
  warn('cache unavailable, retrying', { attempt: 2 });
  await wait();
  error('cannot load item', { item: '42', err });
  await wait();
  fatal('inventory count negative', { count: -3 });
  await wait();
  info('shutting down', { signal: 'SIGTERM' });
}

if (which === 'pino') {
  const log = require('pino')();
  const at = (level) => (msg, obj) => log[level](obj, msg);
  await run(at('info'), at('warn'), at('error'), at('fatal'));
} else if (which === 'bunyan') {
  // bunyan's documented setup with its standard serializers, so `err` keeps message and stack.
  const bunyan = require('bunyan');
  const log = bunyan.createLogger({ name: 'inventory', serializers: bunyan.stdSerializers });
  const at = (level) => (msg, obj) => log[level](obj, msg);
  await run(at('info'), at('warn'), at('error'), at('fatal'));
} else if (which === 'winston') {
  // winston's documented quick start: json format, Console transport, defaultMeta service.
  const winston = require('winston');
  const log = winston.createLogger({
    level: 'info',
    format: winston.format.json(),
    defaultMeta: { service: 'inventory' },
    transports: [new winston.transports.Console()],
  });
  const at = (level) => (msg, obj) => log.log(level, msg, obj);
  // winston's npm levels have no fatal: the worst is error.
  await run(at('info'), at('warn'), at('error'), at('error'));
  log.http('GET /items/42 200');
  log.verbose('cache miss', { item: '42' });
} else {
  process.exit(2);
}
