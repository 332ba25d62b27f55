// `pager-relay`: the Alertmanager webhook receiver that forwards alerts to a paging API over HTTPS, logging
// with winston (json format plus the timestamp format, the usual setup). It checks the paging API once at
// start-up and forwards every webhook; with the API's certificate expired both fail, and the relay answers
// 502 so that Alertmanager retries. A second process (PAGER_SERVE=1) is the paging API itself: a bare HTTPS
// server that never gets past the TLS handshake with a verifying client. winston is resolved from
// CORPUS_NODE_DEPS (installed outside the repo).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTlsServer, request } from 'node:https';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.env.CORPUS_NODE_DEPS ?? '.', 'package.json'));
const winston = require('winston');
const certDir = process.env.CERT_DIR;
const pagerPort = Number(process.env.PAGER_PORT);

if (process.env.PAGER_SERVE === '1') {
  const tls = { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) };
  createTlsServer(tls, (_req, res) => res.end('{"ok":true}')).listen(pagerPort, '127.0.0.1');
} else {
  const log = winston.createLogger({
    level: 'info',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'pager-relay' },
    transports: [new winston.transports.Console()],
  });
  const ca = readFileSync(join(certDir, 'cert.pem'));
  const callPager = (path, body, done) => {
    const req = request(
      { host: '127.0.0.1', port: pagerPort, path, method: 'POST', ca, timeout: 2000 },
      (res) => {
        res.resume();
        done(null, res.statusCode);
      },
    );
    req.on('error', (err) => done(err));
    req.end(body);
  };
  callPager('/v1/health', '{}', (err) => {
    if (err) log.error('pager API health check failed', { code: err.code, error: err.message });
    else log.info('pager API reachable');
  });
  createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const hook = JSON.parse(body || '{}');
      for (const alert of hook.alerts ?? []) {
        log.info('alert received', { alertname: alert.labels?.alertname, status: alert.status });
      }
      callPager('/v1/pages', body, (err, status) => {
        if (err) {
          log.error('forward to pager API failed', {
            code: err.code,
            error: err.message,
            group: hook.groupKey,
          });
          res.writeHead(502).end();
        } else {
          log.info('page sent', { status });
          res.writeHead(200).end();
        }
      });
    });
  }).listen(Number(process.env.PORT), '127.0.0.1', () =>
    log.info('pager-relay listening', { port: process.env.PORT }),
  );
  process.on('SIGTERM', () => {
    log.info('SIGTERM received, exiting');
    process.exit(0);
  });
}
