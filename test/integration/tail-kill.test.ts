// kill -9 test: the tailer runs in a child process that records each delivered batch and then commits it
// (awaiting the checkpoint write before reading on). The test SIGKILLs it at a random point while a writer keeps
// appending, restarts it, and compares both runs with the file's ground truth:
//   nothing skipped; run 2 starts exactly at the persisted checkpoint; the only duplicates are lines after the
//   last commit, which with commit-per-batch means at most the batch that was in flight when the kill landed.
// This file is also the child: with CRUMBTRAIL_TAIL_CHILD set it runs the tailer instead of the tests.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTailer } from '../../analyzer/src/source/tailer.ts';
import type { Tailer } from '../../analyzer/src/source/types.ts';
import { LogWriter, makeTempDir, sleep, waitFor } from '../helpers/log-writer.ts';

interface Record_ {
  run: number;
  batch: number;
  fileId: string;
  offset: number;
  nextOffset: number;
  text: string;
}

async function runChild(): Promise<void> {
  const env = process.env;
  const out = openSync(env.TAIL_OUT!, 'a');
  const run = Number(env.TAIL_RUN);
  let batch = 0;
  let tailer: Tailer | undefined;
  tailer = createTailer(
    {
      globs: [env.TAIL_GLOB!],
      stateDir: env.TAIL_STATE!,
      pollMs: 50,
      chunkBytes: 2048,
      checkpointIntervalMs: 5,
    },
    async (lines) => {
      batch++;
      const recs = lines.map((l) =>
        JSON.stringify({
          run,
          batch,
          fileId: l.fileId,
          offset: l.offset,
          nextOffset: l.nextOffset,
          text: l.bytes.toString('utf8'),
        }),
      );
      writeSync(out, `${recs.join('\n')}\n`); // one write(2) per batch: lands in the page cache before the kill
      const last = lines[lines.length - 1]!;
      await tailer!.commit(last.fileId!, last.nextOffset);
    },
  );
  await tailer.start();
  process.on('SIGTERM', () => {
    void tailer!.stop().then(() => {
      closeSync(out);
      process.exit(0);
    });
  });
}

function spawnChild(env: Record<string, string>): ChildProcess {
  const self = fileURLToPath(import.meta.url);
  return spawn(process.execPath, ['--import', 'tsx', self], {
    env: { ...process.env, ...env, CRUMBTRAIL_TAIL_CHILD: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

function readRecords(file: string): Record_[] {
  if (!existsSync(file)) return [];
  // The child may be mid-write: the last piece is '' or an unterminated record; only complete records count.
  const parts = readFileSync(file, 'utf8').split('\n');
  parts.pop();
  return parts.map((l) => JSON.parse(l) as Record_);
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });
}

/** Ground truth: every complete line of the file with its byte offsets. */
function truth(file: string): { offset: number; nextOffset: number; text: string }[] {
  const buf = readFileSync(file);
  const out: { offset: number; nextOffset: number; text: string }[] = [];
  let start = 0;
  for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
    out.push({ offset: start, nextOffset: nl + 1, text: buf.subarray(start, nl).toString('utf8') });
    start = nl + 1;
  }
  return out;
}

async function killRestartRound(killAfterLines: number): Promise<string> {
  const tmp = makeTempDir();
  const children: ChildProcess[] = [];
  try {
    const logs = path.join(tmp.dir, 'logs');
    mkdirSync(logs);
    const state = path.join(tmp.dir, 'state');
    const out = path.join(tmp.dir, 'delivered.jsonl');
    const file = path.join(logs, 'app.log');
    const w = new LogWriter(file);
    w.write(3000);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 5000; i++) {
        w.write(10);
        await sleep(5);
      }
    })();
    const env = { TAIL_GLOB: path.join(logs, '*.log'), TAIL_STATE: state, TAIL_OUT: out };

    const c1 = spawnChild({ ...env, TAIL_RUN: '1' });
    children.push(c1);
    await waitFor(
      () => readRecords(out).length >= killAfterLines,
      `run 1 delivers ${killAfterLines} lines`,
      60_000,
    );
    c1.kill('SIGKILL');
    await exited(c1);
    const cp = JSON.parse(readFileSync(path.join(state, 'checkpoints.json'), 'utf8')) as {
      files: Record<string, { offset: number }>;
    };
    const entries = Object.entries(cp.files);
    assert.equal(entries.length, 1);
    const [fileId, { offset: committed }] = entries[0]!;
    const run1 = readRecords(out);

    const c2 = spawnChild({ ...env, TAIL_RUN: '2' });
    children.push(c2);
    await sleep(300);
    writing = false;
    await writer;
    w.close();
    const all = truth(file);
    await waitFor(
      () => {
        const r = readRecords(out);
        return r.length > 0 && r.at(-1)!.nextOffset === all.at(-1)!.nextOffset;
      },
      'run 2 reaches the end of the file',
      60_000,
    );
    c2.kill('SIGTERM');
    await exited(c2);
    const run2 = readRecords(out).filter((r) => r.run === 2);

    // Run 1 delivered a gap-free prefix of the file, from offset 0, under one identity.
    assert.ok(run1.length >= killAfterLines);
    run1.forEach((r, i) => {
      assert.equal(r.offset, all[i]!.offset, `run 1 line ${i} offset`);
      assert.equal(r.text, all[i]!.text, `run 1 line ${i} text`);
      assert.equal(r.fileId, fileId);
    });
    // The checkpoint is a line boundary within what run 1 delivered.
    assert.ok(committed <= run1.at(-1)!.nextOffset);
    assert.ok(
      committed === 0 || run1.some((r) => r.nextOffset === committed),
      'checkpoint at a line boundary',
    );
    // Run 2 starts exactly at the checkpoint and delivers the rest exactly (same identity).
    const rest = all.filter((l) => l.offset >= committed);
    assert.deepEqual(
      run2.map((r) => [r.offset, r.text]),
      rest.map((l) => [l.offset, l.text]),
    );
    assert.ok(run2.every((r) => r.fileId === fileId));
    // Duplicates: only lines after the last commit, all from run 1's last batch (the one in flight).
    const dupes = run1.filter((r) => r.offset >= committed);
    const lastBatch = run1.at(-1)!.batch;
    assert.ok(
      dupes.every((d) => d.batch === lastBatch),
      `duplicates ${dupes.length} beyond the in-flight batch`,
    );
    // Union == ground truth.
    const union = new Set([...run1, ...run2].map((r) => r.offset));
    assert.equal(union.size, all.length);
    return `run 1: ${run1.length} lines, checkpoint ${committed}, duplicates ${dupes.length}; run 2: ${run2.length}`;
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
    tmp.cleanup();
  }
}

if (process.env.CRUMBTRAIL_TAIL_CHILD) {
  await runChild();
} else {
  describe('tailer: SIGKILL and restart from checkpoints', () => {
    for (let round = 0; round < 3; round++) {
      const k = 1 + Math.floor(Math.random() * 2900);
      test(`round ${round}: killed after ≥${k} delivered lines`, { timeout: 120_000 }, async (t) => {
        t.diagnostic(await killRestartRound(k));
      });
    }
  });
}
