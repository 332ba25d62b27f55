// The fault matrix against a real Elasticsearch: the analyzer service (serve.ts) tails files and ships to the node
// while we write lines and kill either side. Rows: kill -9 of the analyzer at random points (the data stream rolled
// over between some of them, so re-sent lines cross a rollover), SIGTERM under load, kill -9 of Elasticsearch and
// restart, Elasticsearch down for 60 s with an analyzer restart during the outage.
// Oracle: the node's own documents, counted by crumbtrail.event_id over every backing index (census) and by the
// `seq=` each line carries: every classified line written is indexed exactly once; nothing else is indexed; a
// checkpoint never passes a classified line that is not stored. Faults the node cannot produce (429 storms,
// mixed per-item errors, hangs) stay with the stand-in in test/integration/es-matrix.test.ts.
// Kill -9 iterations: 10 (SOAK=1: 50).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import {
  checkpoints,
  killAllAnalyzers,
  type Running,
  SERVE,
  startAnalyzer as startService,
  stopAnalyzer,
  Writer,
} from '../helpers/analyzer-process.ts';
import { EsNode, engineOrSkip } from '../helpers/es-node.ts';
import { sleep, waitFor } from '../helpers/wait.ts';
import { census, installTemplates } from './distribution.ts';

// A failed assertion must not leave an analyzer running: it would keep this file's process (and the run) alive.
after(killAllAnalyzers);

const KILLS = process.env.SOAK ? 50 : 10;
const DOWN_MS = 60_000;
const engine = engineOrSkip('fault matrix');
const skip =
  typeof engine === 'string'
    ? engine
    : existsSync(SERVE)
      ? false
      : 'analyzer/src/cli/serve.ts is not there: process-level matrix skipped';

/** Every analyzer started, so a failed test cannot leave one running (and writing into the work dir). */
const started = new Set<Running>();
async function startAnalyzer(...args: Parameters<typeof startService>): Promise<Running> {
  const r = await startService(...args);
  started.add(r);
  return r;
}

interface Row {
  written: number;
  classified: number;
  indexed: number;
  duplicates: number;
  lost: number;
  extra?: Record<string, number>;
}

describe('fault matrix against a real Elasticsearch (service process)', { skip, concurrency: false }, () => {
  let node: EsNode;
  let es: Client;
  const work = mkdtempSync(join(tmpdir(), 'es-fault-'));
  const rows: Record<string, Row> = {};

  before(async () => {
    if (typeof engine === 'string') return;
    node = await EsNode.start(engine);
    es = new Client({ node: node.url, requestTimeout: 30_000 });
    process.stdout.write(await installTemplates(es));
  });
  after(async () => {
    process.stdout.write(`# es-fault-matrix rows ${JSON.stringify(rows)}\n`);
    for (const [name, r] of Object.entries(rows))
      process.stdout.write(
        `# ${name.padEnd(22)} written ${r.written} classified ${r.classified} indexed ${r.indexed} duplicates ${r.duplicates} lost ${r.lost}\n`,
      );
    for (const r of started)
      if (r.proc.exitCode === null && r.proc.signalCode === null) await stopAnalyzer(r, 'SIGKILL');
    await es?.close();
    await node?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  function dirs(name: string) {
    const logs = join(work, name, 'logs');
    const state = join(work, name, 'state');
    mkdirSync(logs, { recursive: true });
    mkdirSync(state, { recursive: true });
    return { logs, state, ds: `logs-crumbtrail.breadcrumbs-${name}` };
  }

  /** Longer timeouts than the stand-in matrix: a real node on a shared 2-core machine can take seconds. */
  function env(ds: string): Record<string, string> {
    return { CRUMBTRAIL_ES_DATA_STREAM: ds, CRUMBTRAIL_ES_REQUEST_TIMEOUT_MS: '15000' };
  }

  /** seq → copies indexed, read from the node (every backing index). */
  async function indexedSeqs(ds: string): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    await es.indices.refresh({ index: ds, ignore_unavailable: true, allow_no_indices: true });
    let after: (string | number)[] | undefined;
    for (;;) {
      const res = await es.search<{ message?: string }>({
        index: ds,
        ignore_unavailable: true,
        allow_no_indices: true,
        size: 5000,
        _source: ['message'],
        sort: [{ 'crumbtrail.event_id': 'asc' }, { _index: 'asc' }],
        ...(after ? { search_after: after } : {}),
      });
      const hits = res.hits.hits;
      for (const h of hits) {
        const m = /seq=(\d+)/.exec(String(h._source?.message ?? '').slice(0, 200));
        const seq = m ? Number(m[1]) : -1;
        counts.set(seq, (counts.get(seq) ?? 0) + 1);
      }
      if (hits.length < 5000) return counts;
      after = hits.at(-1)!.sort as (string | number)[];
    }
  }

  async function waitIndexed(ds: string, w: Writer, ms = 180_000): Promise<void> {
    const want = w.lines.filter((l) => l.classified).map((l) => l.seq);
    await waitFor(
      async () => {
        const got = await indexedSeqs(ds).catch(() => new Map<number, number>());
        return want.every((s) => got.has(s));
      },
      `every classified line indexed in ${ds}`,
      ms,
      500,
    );
  }

  async function checkpointViolations(state: string, ds: string, w: Writer): Promise<string[]> {
    const stored = await indexedSeqs(ds);
    const out: string[] = [];
    for (const cp of checkpoints(state))
      for (const l of w.lines)
        if (l.file === cp.path && l.end <= cp.offset && l.classified && !stored.has(l.seq))
          out.push(`${cp.path}@${cp.offset}: seq ${l.seq} not stored`);
    return out.slice(0, 5);
  }

  async function oracle(name: string, ds: string, w: Writer, extra?: Record<string, number>): Promise<void> {
    const got = await indexedSeqs(ds);
    const c = await census(es, ds);
    const classified = w.lines.filter((l) => l.classified);
    const missing = classified.filter((l) => !got.has(l.seq)).map((l) => l.seq);
    const writtenSeqs = new Set(classified.map((l) => l.seq));
    const invented = [...got.keys()].filter((s) => !writtenSeqs.has(s));
    const seqDuplicates = [...got.values()].filter((n) => n > 1).length;
    rows[name] = {
      written: w.lines.length,
      classified: classified.length,
      indexed: c.total,
      duplicates: c.duplicates.size,
      lost: missing.length,
      ...(extra ? { extra: { ...extra, backingIndices: c.backingIndices } } : {}),
    };
    assert.deepEqual(missing.slice(0, 10), [], `${name}: ${missing.length} classified lines not indexed`);
    assert.deepEqual(invented.slice(0, 10), [], `${name}: documents for lines never written`);
    assert.equal(c.duplicates.size, 0, `${name}: event ids stored twice`);
    assert.equal(seqDuplicates, 0, `${name}: lines indexed twice`);
    assert.equal(c.total, classified.length, `${name}: indexed = classified`);
  }

  test(`kill -9 of the analyzer at random points, ${KILLS} times, rolling the data stream over in between`, {
    timeout: 900_000,
  }, async () => {
    const { logs, state, ds } = dirs('kill9');
    const w = new Writer(logs);
    const violations: string[] = [];
    let rollovers = 0;
    let rng = 4242;
    const rand = () => {
      rng = (rng * 1103515245 + 12345) & 0x7fffffff;
      return rng / 0x7fffffff;
    };
    w.write(300);
    for (let k = 0; k < KILLS; k++) {
      const r = await startAnalyzer(state, logs, node.url, env(ds));
      // The first life ships something before it dies, so the stream exists and can be rolled over.
      if (k === 0)
        await waitFor(
          async () => (await indexedSeqs(ds).catch(() => new Map())).size > 0,
          'the first documents indexed (the data stream exists)',
          60_000,
          100,
        );
      const until = Date.now() + 300 + rand() * 900;
      while (Date.now() < until) {
        w.write(20 + Math.floor(rand() * 60));
        await sleep(30);
      }
      await stopAnalyzer(r, 'SIGKILL');
      violations.push(...(await checkpointViolations(state, ds, w)));
      // Between a death and the restart's resend: a rollover (the case `create` alone cannot keep unique).
      // Until two rollovers happened (the stream exists only once something shipped), then every third kill.
      if (k % 3 === 1 || rollovers < 2) {
        const res = await es.indices.rollover({ alias: ds }).catch(() => null); // no stream yet: nothing shipped
        if (res?.rolled_over) rollovers++;
      }
    }
    const r = await startAnalyzer(state, logs, node.url, env(ds));
    await waitIndexed(ds, w);
    assert.equal(await stopAnalyzer(r, 'SIGTERM'), 0);
    assert.deepEqual(violations, [], 'checkpoint passed an unstored line');
    assert.ok(rollovers >= 2, 'the data stream rolled over between kills');
    await oracle('kill9+rollover', ds, w, { kills: KILLS, rollovers });
  });

  test('SIGTERM under load: nothing acknowledged is lost, the restart sends the rest once', {
    timeout: 300_000,
  }, async () => {
    const { logs, state, ds } = dirs('sigterm');
    const w = new Writer(logs);
    const r = await startAnalyzer(state, logs, node.url, env(ds));
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      w.write(200);
      await sleep(20);
    }
    assert.equal(await stopAnalyzer(r, 'SIGTERM'), 0);
    assert.deepEqual(await checkpointViolations(state, ds, w), [], 'checkpoint past an unstored line');
    const cp = checkpoints(state).find((c) => c.path === w.path('app.log'));
    assert.ok(cp && cp.offset > 0, 'a checkpoint was written');
    await es.indices.rollover({ alias: ds }).catch(() => null);
    const r2 = await startAnalyzer(state, logs, node.url, env(ds));
    await waitIndexed(ds, w);
    assert.equal(await stopAnalyzer(r2, 'SIGTERM'), 0);
    await oracle('sigterm', ds, w);
  });

  test('kill -9 of Elasticsearch under load, then restart: acknowledged documents survive', {
    timeout: 600_000,
  }, async () => {
    const { logs, state, ds } = dirs('eskill');
    const w = new Writer(logs);
    const r = await startAnalyzer(state, logs, node.url, env(ds));
    w.write(600);
    await waitIndexed(ds, w);
    const until = Date.now() + 800;
    while (Date.now() < until) {
      w.write(100);
      await sleep(20);
    }
    await node.kill9();
    w.write(1000);
    await node.start();
    w.write(300);
    await waitIndexed(ds, w);
    assert.equal(await stopAnalyzer(r, 'SIGTERM'), 0);
    await oracle('es-kill9+restart', ds, w);
  });

  test(`Elasticsearch down for ${DOWN_MS / 1000} s, with an analyzer restart during the outage`, {
    timeout: 600_000,
  }, async () => {
    const { logs, state, ds } = dirs('esdown');
    const w = new Writer(logs);
    let r = await startAnalyzer(state, logs, node.url, env(ds));
    w.write(500);
    await waitIndexed(ds, w);
    const downAt = Date.now();
    await node.stop();
    w.write(2000);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${r.port}/readyz`).then((x) => x.status)) !== 200,
      '/readyz fails while Elasticsearch is down',
      30_000,
      200,
    );
    await stopAnalyzer(r, 'SIGKILL'); // restart during the outage
    r = await startAnalyzer(state, logs, node.url, env(ds));
    w.write(500);
    await sleep(Math.max(0, downAt + DOWN_MS - Date.now()));
    const downMs = Date.now() - downAt;
    await node.start();
    await waitIndexed(ds, w);
    assert.equal(await stopAnalyzer(r, 'SIGTERM'), 0);
    await oracle('es-down-60s+restart', ds, w, { downSeconds: Math.round(downMs / 1000) });
  });
});
