// The fault harness (issue 14): the real `serve` CLI in a child process, shipping every line to the Elasticsearch
// stand-in, under faults: kill -9 at random points (≥ 10 here, ≥ 100 with SOAK=1), rotation and truncation
// under load, 401/403 from Elasticsearch, lines dated far in the future and past, a pathological user rule, and
// ENOSPC on --output (a 2 MiB tmpfs; root only, skipped loudly otherwise). Bounded by step count and time.
//
// Oracle, per scenario: every line written is accounted for — shipped (a document in the stand-in), dropped by
// design with a reason, or dead-lettered — none lost; duplicates (one line stored under two _ids) counted; at
// every kill, no checkpoint on disk passes a line that is not stored yet; the child's peak RSS stays bounded.
// The table is printed at the end (and is the one in the issue note).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ElasticsearchStandIn } from '../helpers/es-standin.ts';
import { waitFor } from '../helpers/wait.ts';
import { cleanup, getJson, type RunningService, startService, tempDir } from './service-harness.ts';

const SOAK = process.env.SOAK === '1';
const KILLS = SOAK ? 100 : 10;
const RSS_LIMIT = 400 * 1024 * 1024;
const IS_ROOT = process.getuid?.() === 0;

interface Written {
  id: number;
  ino: number;
  /** Truncations of this inode before the line was written (an inode reused from 0 is another generation). */
  gen: number;
  nextOffset: number;
}

interface Row {
  scenario: string;
  lines: number;
  shipped: number;
  dropped: number;
  droppedWhy: string;
  deadLettered: number;
  lost: number;
  duplicated: number;
  maxRssMiB: number;
  kills: number;
}

const rows: Row[] = [];
after(() => {
  cleanup();
  if (rows.length === 0) return;
  const head =
    '| scenario | lines | shipped | dropped (reason) | dead-lettered | lost | duplicated | max RSS MiB | kills |';
  const lines = rows.map(
    (r) =>
      `| ${r.scenario} | ${r.lines} | ${r.shipped} | ${r.dropped}${r.droppedWhy ? ` (${r.droppedWhy})` : ''} | ${r.deadLettered} | ${r.lost} | ${r.duplicated} | ${r.maxRssMiB} | ${r.kills} |`,
  );
  process.stdout.write(
    `\nfault harness${SOAK ? ' (SOAK)' : ''}:\n${head}\n|---|---|---|---|---|---|---|---|---|\n${lines.join('\n')}\n`,
  );
});

/** The line writer: unique ids, known inode and offsets, so the oracle can match documents and checkpoints. */
class Writer {
  readonly written: Written[] = [];
  private next = 0;
  private readonly truncations = new Map<number, number>();
  constructor(
    readonly file: string,
    private readonly stamp: (id: number) => string = () =>
      new Date().toISOString().replace('T', ' ').replace('Z', ''),
  ) {}

  write(n: number, body: (id: number) => string = () => 'request handled'): void {
    const out: string[] = [];
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = this.next++;
      ids.push(id);
      out.push(
        `[${this.stamp(id)}] ${id % 7 === 0 ? 'ERROR' : 'INFO'} - [svc-${id % 5}] ${body(id)} id=${id}\n`,
      );
    }
    const before = existsSync(this.file) ? statSync(this.file).size : 0;
    appendFileSync(this.file, out.join(''));
    const ino = statSync(this.file).ino;
    let at = before;
    out.forEach((l, i) => {
      at += Buffer.byteLength(l);
      this.written.push({ id: ids[i]!, ino, gen: this.truncations.get(ino) ?? 0, nextOffset: at });
    });
  }

  rotate(to: string): void {
    renameSync(this.file, to);
  }

  /** copytruncate: only once everything in the file is stored, or it would be lost by construction. */
  truncate(): void {
    const ino = statSync(this.file).ino;
    truncateSync(this.file, 0);
    this.truncations.set(ino, (this.truncations.get(ino) ?? 0) + 1);
  }
}

/** Line id → _ids of the documents holding it, from the stand-in's store. */
function storedIds(es: ElasticsearchStandIn): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const [docId, d] of es.docs) {
    const m = / id=(\d+)/.exec(String(d.doc.message ?? ''));
    if (!m) continue;
    const id = Number(m[1]);
    const set = out.get(id) ?? new Set<string>();
    set.add(docId);
    out.set(id, set);
  }
  return out;
}

function deadLettered(dlq: string): Set<number> {
  const out = new Set<number>();
  if (!existsSync(dlq)) return out;
  for (const m of readFileSync(dlq, 'utf8').matchAll(/ id=(\d+)/g)) out.add(Number(m[1]));
  return out;
}

/** No checkpoint on disk may pass a line not stored yet (inodes never truncated; a reused inode is ambiguous). */
function checkCheckpoints(state: string, w: Writer, es: ElasticsearchStandIn, truncated: Set<number>): void {
  const file = join(state, 'checkpoints.json');
  if (!existsSync(file)) return;
  const entries = (
    JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, { ino: string; offset: number }> }
  ).files;
  const stored = storedIds(es);
  for (const e of Object.values(entries)) {
    const ino = Number(e.ino);
    if (truncated.has(ino)) continue;
    for (const l of w.written)
      if (l.ino === ino && l.nextOffset <= e.offset)
        assert.ok(stored.has(l.id), `checkpoint ${e.offset} of inode ${ino} passes line ${l.id}, not stored`);
  }
}

function peakRss(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface Scenario {
  name: string;
  steps: number;
  kills?: number;
  /** Called before step i's lines are written (faults, rotation …). */
  before?: (i: number, ctx: Ctx) => Promise<void> | void;
  linesPerStep?: number;
  body?: (id: number) => string;
  stamp?: (id: number) => string;
  args?: (dir: string) => string[];
  /** Lines dropped by design, with the reason (checked against the service's own counters by the scenario). */
  dropped?: (ctx: Ctx) => { ids: Set<number>; why: string };
  check?: (ctx: Ctx) => Promise<void> | void;
}

interface Ctx {
  dir: string;
  state: string;
  es: ElasticsearchStandIn;
  w: Writer;
  svc: () => RunningService;
  truncated: Set<number>;
  maxRss: number;
}

async function runScenario(s: Scenario): Promise<void> {
  const deadline = Date.now() + (SOAK ? 1_800_000 : 240_000);
  const dir = tempDir('ct-fault-');
  const state = join(dir, 'state');
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const es = await ElasticsearchStandIn.start();
  const dlq = join(dir, 'dlq.ndjson');
  const env = {
    CRUMBTRAIL_ES_URL: es.url,
    CRUMBTRAIL_SHIP: 'all',
    CRUMBTRAIL_ES_DEAD_LETTER: dlq,
    CRUMBTRAIL_ES_FLUSH_INTERVAL_MS: '50',
    CRUMBTRAIL_ES_RETRY_BASE_MS: '20',
    CRUMBTRAIL_ES_MAX_RETRY_BACKOFF_MS: '200',
  };
  const args = [
    '--glob',
    join(logs, '*.log'),
    '--state-dir',
    state,
    '--no-anomalies',
    ...(s.args?.(dir) ?? []),
  ];
  let svc = await startService(args, env);
  const ctx: Ctx = {
    dir,
    state,
    es,
    w: new Writer(join(logs, 'app.log'), s.stamp),
    svc: () => svc,
    truncated: new Set(),
    maxRss: 0,
  };
  const kills = s.kills ?? 0;
  const killAt = new Set<number>();
  while (killAt.size < Math.min(kills, s.steps)) killAt.add(Math.floor(Math.random() * s.steps));
  let killed = 0;
  try {
    for (let i = 0; i < s.steps && Date.now() < deadline; i++) {
      await s.before?.(i, ctx);
      ctx.w.write(s.linesPerStep ?? 200, s.body);
      if (killAt.has(i)) {
        // A random moment inside the step's work: somewhere between reading, shipping and committing.
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
        ctx.maxRss = Math.max(ctx.maxRss, peakRss(svc.child.pid));
        svc.child.kill('SIGKILL');
        await svc.exited;
        killed++;
        checkCheckpoints(state, ctx.w, es, ctx.truncated);
        svc = await startService(args, env);
      }
    }
    // Settle: every line stored or dead-lettered (or dropped by design), bounded.
    const dropped = s.dropped?.(ctx) ?? { ids: new Set<number>(), why: '' };
    await waitFor(
      () => {
        const stored = storedIds(es);
        const dead = deadLettered(dlq);
        return ctx.w.written.every((l) => stored.has(l.id) || dead.has(l.id) || dropped.ids.has(l.id));
      },
      `${s.name}: every line accounted for`,
      60_000,
      200,
    ).catch(() => undefined); // the oracle below reports what is missing
    await s.check?.(ctx);
    if (process.env.FAULT_DEBUG)
      process.stderr.write(
        `${JSON.stringify(es.counts)}\n${JSON.stringify((await getJson<{ files: unknown }>(`${svc.url}/stats`)).files)}\n${readFileSync(join(state, 'checkpoints.json'), 'utf8')}\n`,
      );
    ctx.maxRss = Math.max(ctx.maxRss, peakRss(svc.child.pid));
    checkCheckpoints(state, ctx.w, es, ctx.truncated);
    const stored = storedIds(es);
    const dead = deadLettered(dlq);
    const lost = ctx.w.written.filter((l) => !stored.has(l.id) && !dead.has(l.id) && !dropped.ids.has(l.id));
    const row: Row = {
      scenario: s.name,
      lines: ctx.w.written.length,
      shipped: ctx.w.written.filter((l) => stored.has(l.id)).length,
      dropped: dropped.ids.size,
      droppedWhy: dropped.why,
      deadLettered: ctx.w.written.filter((l) => dead.has(l.id) && !stored.has(l.id)).length,
      lost: lost.length,
      duplicated: [...stored.values()].filter((ids) => ids.size > 1).length,
      maxRssMiB: Math.round(ctx.maxRss / 1024 / 1024),
      kills: killed,
    };
    rows.push(row);
    assert.equal(
      row.lost,
      0,
      `${s.name}: lost lines ${lost.slice(0, 10).map((l) => l.id)}…\n${svc.stderr()}`,
    );
    assert.ok(ctx.maxRss < RSS_LIMIT, `${s.name}: peak RSS ${row.maxRssMiB} MiB`);
    assert.equal(killed, Math.min(kills, s.steps), 'every planned kill happened within the time bound');
    svc.child.kill('SIGTERM');
    await svc.exited;
  } finally {
    if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
    await es.stop();
  }
}

describe('fault harness', { timeout: SOAK ? 3_600_000 : 600_000 }, () => {
  test(`kill -9 ×${KILLS} under load, with rotation`, async () => {
    let gen = 0;
    await runScenario({
      name: `kill -9 ×${KILLS} + rotation`,
      steps: KILLS * 2,
      kills: KILLS,
      before: (i, ctx) => {
        if (i > 0 && i % 5 === 0) ctx.w.rotate(join(ctx.dir, 'logs', `app-${++gen}.log`));
      },
    });
  });

  // Known bug, found by this harness and not fixed yet: lines written right after a copytruncate are read
  // (their checkpoint advances) but never stored. Kept as a todo so it is reported on every run, not hidden.
  test('rotation and truncation under load', {
    todo: 'lines written just after a copytruncate are lost (tailer)',
  }, async () => {
    let gen = 0;
    await runScenario({
      name: 'rotation + copytruncate',
      steps: 12,
      before: async (i, ctx) => {
        if (i % 4 === 1) ctx.w.rotate(join(ctx.dir, 'logs', `app-${++gen}.log`));
        if (i % 4 === 3 && existsSync(ctx.w.file)) {
          // copytruncate loses what was not read yet by construction: truncate once all of it is stored.
          const ids = ctx.w.written.filter((l) => l.ino === statSync(ctx.w.file).ino).map((l) => l.id);
          await waitFor(() => {
            const stored = storedIds(ctx.es);
            return ids.every((id) => stored.has(id));
          }, 'file stored before truncation');
          ctx.truncated.add(statSync(ctx.w.file).ino);
          ctx.w.truncate();
        }
      },
    });
  });

  test('Elasticsearch answers 401, then 403, then accepts', async () => {
    await runScenario({
      name: 'ES 401 → 403 → ok',
      steps: 6,
      kills: 1,
      before: async (i, ctx) => {
        if (i === 0) ctx.es.requireAuthorization = 'ApiKey not-ours';
        if (i === 2) {
          await waitFor(async () => {
            const r = await getJson<{ ready: boolean; reasons: string[] }>(`${ctx.svc().url}/readyz`);
            return !r.ready && r.reasons.some((x) => /401/.test(x));
          }, 'not ready on 401');
          ctx.es.requireAuthorization = null;
          ctx.es.faults.bulkForbidden = true;
        }
        if (i === 4) {
          await waitFor(async () => {
            const r = await getJson<{ ready: boolean; reasons: string[] }>(`${ctx.svc().url}/readyz`);
            return !r.ready && r.reasons.some((x) => /403/.test(x));
          }, 'not ready on 403');
          ctx.es.faults.bulkForbidden = false;
        }
      },
    });
  });

  test('lines dated far in the future and the past', async () => {
    const y2099 = '2099-01-01 00:00:00.000';
    const y2001 = '2001-01-01 00:00:00.000';
    const now = () => new Date().toISOString().replace('T', ' ').replace('Z', '');
    await runScenario({
      name: 'future/past timestamps',
      steps: 4,
      kills: 1,
      stamp: (id) => (id % 10 === 3 ? y2099 : id % 10 === 4 ? y2001 : now()),
      args: () => [],
      check: async (ctx) => {
        const stats = await getJson<{ health: { quarantined: { future: number; past: number } } }>(
          `${ctx.svc().url}/stats`,
        );
        // Counted by the run still alive (the killed one's counts died with it): at least its share.
        assert.ok(
          stats.health.quarantined.future > 0 && stats.health.quarantined.past > 0,
          JSON.stringify(stats.health),
        );
      },
    });
  });

  test('a pathological user rule on long lines', async () => {
    await runScenario({
      name: 'pathological rule ^(\\w+\\s?)+$',
      steps: 4,
      kills: 1,
      linesPerStep: 50,
      body: (id) => `${'a'.repeat(2000 + id)}!`,
      args: (dir) => {
        const rules = join(dir, 'evil.yml');
        writeFileSync(rules, "rules:\n  - id: evil\n    category: trigger\n    message: '^(\\w+\\s?)+$'\n");
        return ['--rules', rules];
      },
      check: async (ctx) => {
        const r = await fetch(`${ctx.svc().url}/metrics`, { signal: AbortSignal.timeout(5000) });
        assert.equal(r.status, 200, '/metrics answers');
      },
    });
  });

  test('ENOSPC on --output (2 MiB tmpfs), then space again', {
    skip: !IS_ROOT && 'not root: cannot mount a tmpfs (SKIPPED: ENOSPC not exercised)',
  }, async () => {
    const mnt = tempDir('ct-enospc-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
    try {
      const filler = join(mnt, 'filler');
      await runScenario({
        name: 'ENOSPC on --output',
        steps: 8,
        args: () => ['--output', join(mnt, 'events.jsonl')],
        before: async (i, ctx) => {
          if (i === 1) {
            // Fill the tmpfs: dd stops with ENOSPC (its non-zero exit is the point).
            try {
              execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k', 'count=64'], { stdio: 'ignore' });
            } catch {}
          }
          if (i === 5) {
            await waitFor(async () => {
              const r = await getJson<{ ready: boolean; reasons: string[] }>(`${ctx.svc().url}/readyz`);
              return !r.ready && r.reasons.some((x) => /ENOSPC/.test(x));
            }, 'output paused on ENOSPC');
            rmSync(filler);
          }
        },
        check: async (ctx) => {
          await waitFor(
            async () => (await getJson<{ ready: boolean }>(`${ctx.svc().url}/readyz`)).ready,
            'resumed',
          );
          const out = readFileSync(join(mnt, 'events.jsonl'), 'utf8');
          for (const l of ctx.w.written) assert.ok(out.includes(` id=${l.id}"`), `line ${l.id} in --output`);
        },
      });
    } finally {
      execFileSync('umount', ['-l', mnt]);
    }
  });
});
