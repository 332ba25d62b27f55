// The fault matrix, process level: the real service (analyzer/src/cli/serve.ts) tails files and ships to the
// stand-in Elasticsearch while we write lines, kill -9 it mid-request (the stand-in holds answers back so the kill
// lands inside a bulk request), inject what a real node cannot be made to do (hangs, 429 storms, per-item
// 429/400/409 mixes), rotate files and write huge or binary lines. Refused connections, SIGTERM, kill -9 of
// Elasticsearch and a 60 s outage run against a real node: test/engine/es-fault-matrix.test.ts.
// Oracle per scenario: every newline-terminated line written that the rules classify ⊆ indexed (except the
// documents the stand-in rejects, which must be in the dead-letter file); indexed ⊆ written; no line indexed
// twice; a checkpoint never past a classified line that is not stored; RSS of the service under a cap.
// Kill -9 iterations: 20 (SOAK=1: 100). Skips with a notice when serve.ts is absent.

import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  checkpoints,
  killAllAnalyzers,
  SERVE,
  startAnalyzer,
  stopAnalyzer,
  Writer,
} from '../helpers/analyzer-process.ts';
import { ElasticsearchStandIn } from '../helpers/es-standin.ts';
import { skipOrFail } from '../helpers/skip.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

// A failed assertion must not leave an analyzer running: it would keep this file's process (and the run) alive.
after(killAllAnalyzers);

const DS = 'logs-crumbtrail.breadcrumbs-default';
const KILLS = process.env.SOAK ? 100 : 20;
const RSS_CAP_MB = 600;
const work = mkdtempSync(join(tmpdir(), 'es-matrix-'));
after(() => rmSync(work, { recursive: true, force: true }));

function indexedSeqs(es: ElasticsearchStandIn): Map<number, number> {
  const counts = new Map<number, number>();
  for (const d of es.docsIn(DS).values()) {
    const m = /seq=(\d+)/.exec(String(d.message).slice(0, 200));
    const seq = m ? Number(m[1]) : -1;
    counts.set(seq, (counts.get(seq) ?? 0) + 1);
  }
  return counts;
}

/** A checkpoint must never pass a classified line that is not stored (nor dead-lettered). */
function checkpointViolations(
  stateDir: string,
  w: Writer,
  es: ElasticsearchStandIn,
  rejected: Set<number>,
): string[] {
  const stored = indexedSeqs(es);
  const out: string[] = [];
  for (const cp of checkpoints(stateDir)) {
    for (const l of w.lines) {
      if (l.file !== cp.path || l.end > cp.offset || !l.classified) continue;
      if (!stored.has(l.seq) && !rejected.has(l.seq))
        out.push(`${cp.path}@${cp.offset}: seq ${l.seq} not stored`);
    }
  }
  return out.slice(0, 5);
}

async function waitIndexed(
  es: ElasticsearchStandIn,
  w: Writer,
  rejected: Set<number>,
  ms: number,
): Promise<void> {
  const want = w.lines.filter((l) => l.classified && !rejected.has(l.seq)).map((l) => l.seq);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const got = indexedSeqs(es);
    if (want.every((s) => got.has(s))) return;
    await sleep(100);
  }
}

interface Figures {
  written: number;
  classified: number;
  indexed: number;
  duplicates: number;
  maxRssMb: number;
  killedMidRequest?: number;
}
const figures: Record<string, Figures> = {};

function assertOracle(
  name: string,
  es: ElasticsearchStandIn,
  w: Writer,
  rss: number,
  rejected = new Set<number>(),
): void {
  const got = indexedSeqs(es);
  const classified = w.lines.filter((l) => l.classified);
  const missing = classified.filter((l) => !got.has(l.seq) && !rejected.has(l.seq)).map((l) => l.seq);
  const writtenSeqs = new Set(classified.map((l) => l.seq));
  const invented = [...got.keys()].filter((s) => !writtenSeqs.has(s));
  const duplicates = [...got.values()].filter((n) => n > 1).length;
  figures[name] = {
    written: w.lines.length,
    classified: classified.length,
    indexed: es.docsIn(DS).size,
    duplicates,
    maxRssMb: Math.round(rss),
  };
  assert.deepEqual(missing.slice(0, 10), [], `${name}: ${missing.length} classified lines not indexed`);
  assert.deepEqual(invented.slice(0, 10), [], `${name}: documents for lines never written`);
  assert.equal(duplicates, 0, `${name}: lines indexed twice`);
  assert.deepEqual(es.protocolErrors, [], `${name}: malformed bulk bodies`);
  for (const id of rejected) assert.ok(!got.has(id), `${name}: rejected seq ${id} indexed`);
  assert.ok(rss < RSS_CAP_MB, `${name}: RSS ${rss} MB over ${RSS_CAP_MB} MB`);
}

function scenarioDirs(name: string): { logs: string; state: string } {
  const logs = join(work, name, 'logs');
  const state = join(work, name, 'state');
  mkdirSync(logs, { recursive: true });
  mkdirSync(state, { recursive: true });
  return { logs, state };
}

const skip = existsSync(SERVE)
  ? false
  : skipOrFail('es-matrix: analyzer/src/cli/serve.ts is not there yet: process-level matrix skipped');

describe('Elasticsearch shipping fault matrix (service process)', { skip, concurrency: false }, () => {
  after(() => {
    process.stdout.write(`# es-matrix figures ${JSON.stringify(figures)}\n`);
  });

  test(`kill -9 at random points, ${KILLS} times, some while a bulk response is in flight`, {
    timeout: 600_000,
  }, async () => {
    const { logs, state } = scenarioDirs('kill9');
    const es = await ElasticsearchStandIn.start({ seed: 21 });
    const w = new Writer(logs);
    let rss = 0;
    const violations: string[] = [];
    let killedMidRequest = 0;
    let rng = 12345;
    const rand = () => {
      rng = (rng * 1103515245 + 12345) & 0x7fffffff;
      return rng / 0x7fffffff;
    };
    try {
      w.write(300);
      for (let k = 0; k < KILLS; k++) {
        es.faults.delayMs = k % 2 === 0 ? 150 : 0; // slow answers: the kill lands mid-request
        es.faults.item429Rate = k % 3 === 0 ? 0.2 : 0;
        const r = await startAnalyzer(state, logs, es.url);
        const until = Date.now() + 150 + rand() * 600;
        while (Date.now() < until) {
          w.write(20 + Math.floor(rand() * 60));
          await sleep(30);
        }
        const before = es.counts.abandoned;
        await stopAnalyzer(r, 'SIGKILL');
        await sleep(50);
        if (es.requests.filter((q) => q.status === 'closed' || q.status === 0).length > before)
          killedMidRequest++;
        rss = Math.max(rss, r.maxRssMb);
        violations.push(...checkpointViolations(state, w, es, new Set()));
      }
      es.faults.delayMs = 0;
      es.faults.item429Rate = 0;
      const r = await startAnalyzer(state, logs, es.url);
      await waitIndexed(es, w, new Set(), 60_000);
      assert.equal(await stopAnalyzer(r, 'SIGTERM'), 0);
      rss = Math.max(rss, r.maxRssMb);
      assert.deepEqual(violations, [], 'checkpoint passed an unstored line');
      assertOracle('kill9', es, w, rss);
      figures.kill9!.killedMidRequest = killedMidRequest;
    } finally {
      await es.stop();
    }
  });

  test('accepting but never answering, then a whole-request 429 storm', { timeout: 180_000 }, async () => {
    const { logs, state } = scenarioDirs('hang');
    const es = await ElasticsearchStandIn.start({ seed: 23 });
    const w = new Writer(logs);
    try {
      es.faults.hang = 'after-index';
      const r = await startAnalyzer(state, logs, es.url);
      w.write(1000);
      await sleep(2500);
      const v1 = checkpointViolations(state, w, es, new Set());
      es.faults.hang = false;
      es.faults.wholeRequest429 = 40;
      w.write(1000);
      await waitIndexed(es, w, new Set(), 60_000);
      assert.equal(await stopAnalyzer(r, 'SIGTERM'), 0);
      assert.deepEqual(v1, []);
      assert.ok(es.counts.hung > 0 && es.counts.whole429 > 0, 'faults happened');
      assertOracle('hang+429storm', es, w, r.maxRssMb);
    } finally {
      await es.stop();
    }
  });

  test('30 % per-item 429 with 400s (dead letter) and 409s', { timeout: 180_000 }, async () => {
    const { logs, state } = scenarioDirs('items');
    const es = await ElasticsearchStandIn.start({ seed: 24 });
    const w = new Writer(logs);
    try {
      es.faults.item429Rate = 0.3;
      const rejected = new Set<number>();
      es.faults.rejectDoc = (d) => {
        const m = /seq=(\d+)/.exec(String(d.message));
        return m && Number(m[1]) % 51 === 0 ? 'failed to parse field [message]' : null;
      };
      const r = await startAnalyzer(state, logs, es.url);
      w.write(3000);
      for (const l of w.lines) if (l.classified && l.seq % 51 === 0) rejected.add(l.seq);
      await waitIndexed(es, w, rejected, 60_000);
      // Kill and restart: the re-read lines are found stored by the sink's resend check (or answered 409).
      await stopAnalyzer(r, 'SIGKILL');
      const r2 = await startAnalyzer(state, logs, es.url, { CRUMBTRAIL_RESET_CHECKPOINTS: 'true' });
      await sleep(3000);
      assert.equal(await stopAnalyzer(r2, 'SIGTERM'), 0);
      assert.ok(es.counts.item429 > 0, 'per-item 429s happened');
      assert.ok(
        es.counts.search > 0 || es.counts.conflicts > 0,
        're-read lines were found stored (check or 409)',
      );
      const dlq = readFileSync(join(state, 'es-dead-letter.ndjson'), 'utf8');
      for (const s of rejected) assert.match(dlq, new RegExp(`seq=${s} `), `seq ${s} dead-lettered`);
      assertOracle('item-faults', es, w, Math.max(r.maxRssMb, r2.maxRssMb), rejected);
    } finally {
      await es.stop();
    }
  });

  test('rename rotation and copytruncate while Elasticsearch is slow', { timeout: 180_000 }, async () => {
    const { logs, state } = scenarioDirs('rotate');
    const es = await ElasticsearchStandIn.start({ seed: 25 });
    const w = new Writer(logs);
    try {
      es.faults.delayMs = 200;
      const r = await startAnalyzer(state, logs, es.url);
      w.write(1000);
      await sleep(500);
      // Rename rotation: app.log → app.log.1 (still matched? no: *.log does not match .1), new app.log.
      renameSync(w.path('app.log'), w.path('app-1.log'));
      w.renamed('app.log', 'app-1.log');
      w.write(1000);
      await waitIndexed(es, w, new Set(), 60_000);
      // copytruncate: copy, then truncate in place; the tailer must start the file over.
      copyFileSync(w.path('app.log'), join(logs, 'app.log.copy'));
      truncateSync(w.path('app.log'), 0);
      w.truncated('app.log');
      await sleep(700);
      w.write(1000);
      await waitIndexed(es, w, new Set(), 60_000);
      assert.equal(await stopAnalyzer(r, 'SIGTERM'), 0);
      assertOracle('rotation', es, w, r.maxRssMb);
    } finally {
      await es.stop();
    }
  });

  test('a 1 MB line, a 20 MB line, binary and invalid UTF-8 lines: truncated, the stream goes on', {
    timeout: 180_000,
  }, async () => {
    const { logs, state } = scenarioDirs('big');
    const es = await ElasticsearchStandIn.start({ seed: 26 });
    const w = new Writer(logs);
    try {
      const r = await startAnalyzer(state, logs, es.url);
      w.write(100);
      const big = (mb: number) =>
        Buffer.from(
          `[2026-11-21 10:00:00.000] ERROR - [exchange] seq=${w.nextSeq()} service crashed ${'x'.repeat(mb * 1024 * 1024)}\n`,
        );
      w.raw(big(1));
      w.raw(big(20));
      w.raw(
        Buffer.concat([
          Buffer.from(`seq=${w.nextSeq()} `),
          Buffer.from([0, 1, 2, 0xff, 0xfe]),
          Buffer.from('\n'),
        ]),
      );
      w.raw(
        Buffer.concat([
          Buffer.from(`[2026-11-21 10:00:00.000] ERROR - [exchange] seq=${w.nextSeq()} crashed `),
          Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
          Buffer.from('\n'),
        ]),
      );
      w.write(100);
      await waitIndexed(es, w, new Set(), 60_000);
      assert.equal(await stopAnalyzer(r, 'SIGTERM'), 0);
      const truncated = [...es.docsIn(DS).values()].filter(
        (d) => (d.crumbtrail as { truncated?: boolean }).truncated,
      );
      assert.ok(truncated.length >= 1, 'the huge lines were shipped truncated');
      assertOracle('big+binary', es, w, r.maxRssMb);
    } finally {
      await es.stop();
    }
  });

  test('checkpoint directory unwritable: reading pauses, readiness fails, nothing advances', {
    timeout: 180_000,
  }, async () => {
    const { logs, state } = scenarioDirs('unwritable');
    const es = await ElasticsearchStandIn.start({ seed: 28 });
    const w = new Writer(logs);
    try {
      const r = await startAnalyzer(state, logs, es.url);
      w.write(600);
      await waitIndexed(es, w, new Set(), 30_000);
      await sleep(500); // let the checkpoint land
      // Running as root, permissions do not stop writes: a directory where the checkpoint file goes does.
      const cpFile = join(state, 'checkpoints.json');
      rmSync(cpFile, { force: true });
      mkdirSync(join(cpFile, 'blocked'), { recursive: true });
      w.write(300);
      // Lines read before the first failed commit still ship, some after the reorder window's 2 s hold: wait until
      // shipping has stopped (the count holds for 3 s) and readiness reports the failure, not for a fixed time.
      const readyz = () => fetch(`http://127.0.0.1:${r.port}/readyz`).then((x) => x.status);
      let seen = -1;
      let stableSince = Date.now();
      await waitFor(
        async () => {
          const n = indexedSeqs(es).size;
          if (n !== seen) {
            seen = n;
            stableSince = Date.now();
          }
          return Date.now() - stableSince >= 3000 && (await readyz()) !== 200;
        },
        'shipping paused and /readyz failing after the checkpoint became unwritable',
        30_000,
        100,
      );
      const during = indexedSeqs(es).size;
      w.write(3000);
      await sleep(1500); // a window in which nothing may ship
      const ready = await readyz();
      const later = indexedSeqs(es).size;
      const classifiedNow = w.lines.filter((l) => l.classified).length;
      assert.notEqual(ready, 200, '/readyz fails while checkpoints cannot be written');
      assert.equal(later, during, 'reading paused: nothing new shipped while checkpoints fail');
      assert.ok(later < classifiedNow, 'the lines written during the failure wait');
      rmSync(cpFile, { recursive: true, force: true });
      await waitIndexed(es, w, new Set(), 60_000);
      assert.equal(await stopAnalyzer(r, 'SIGTERM'), 0);
      assert.deepEqual(checkpointViolations(state, w, es, new Set()), []);
      assertOracle('checkpoint-unwritable', es, w, r.maxRssMb);
    } finally {
      await es.stop();
    }
  });
});
