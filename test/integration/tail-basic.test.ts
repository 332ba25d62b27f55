// The tailer on real files in temp dirs: new files, partial lines, deletion, truncation, copytruncate,
// startAt, pause/resume, backpressure, long lines, idle cost. Bounded waits, no timing assertions.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { RawLine } from '../../analyzer/src/core/types.ts';
import { createTailer } from '../../analyzer/src/source/tailer.ts';
import type { Tailer, TailerOptions } from '../../analyzer/src/source/types.ts';
import { diffLines, LineCollector, LogWriter, makeTempDir, sleep, waitFor } from '../helpers/log-writer.ts';

function setup(extra: Partial<TailerOptions> = {}) {
  const tmp = makeTempDir();
  const logs = path.join(tmp.dir, 'logs');
  const state = path.join(tmp.dir, 'state');
  mkdirSync(logs);
  const opts: TailerOptions = {
    globs: [path.join(logs, '*.log')],
    stateDir: state,
    pollMs: 50,
    closeInactiveMs: 150,
    checkpointIntervalMs: 20,
    ...extra,
  };
  return { tmp, logs, state, opts };
}

/** Commits every delivered batch (as the service does after acks) so restarts resume there. */
function committing(col: LineCollector, get: () => Tailer): (lines: RawLine[]) => Promise<void> {
  return async (lines) => {
    col.handler(lines);
    const last = lines[lines.length - 1]!;
    await get().commit(last.fileId!, last.nextOffset);
  };
}

describe('tailer: files', () => {
  test('a new file appearing after start is read from the beginning; lines carry fileId and offsets', async () => {
    const { tmp, logs, opts } = setup();
    const col = new LineCollector();
    const tailer = createTailer(opts, col.handler);
    try {
      await tailer.start();
      const w = new LogWriter(path.join(logs, 'new.log'));
      w.write(5);
      await waitFor(() => col.lines.length >= 5, '5 lines');
      assert.deepEqual(col.texts, w.written);
      const f = tailer.files();
      assert.equal(f.length, 1);
      assert.equal(col.lines[0]!.fileId, f[0]!.fileId);
      assert.equal(col.lines[0]!.offset, 0);
      assert.equal(col.lines[1]!.offset, col.lines[0]!.nextOffset);
      assert.equal(f[0]!.readOffset, col.lines[4]!.nextOffset);
      assert.equal(f[0]!.size, col.lines[4]!.nextOffset);
      // A file not matching the glob is ignored.
      writeFileSync(path.join(logs, 'other.txt'), 'not followed\n');
      w.write(1);
      await waitFor(() => col.lines.length >= 6, '6th line');
      assert.ok(!col.texts.includes('not followed'));
      w.close();
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });

  test('a partial last line is held back until its newline arrives, then emitted once, complete', async () => {
    const { tmp, logs, opts } = setup();
    const col = new LineCollector();
    const tailer = createTailer(opts, col.handler);
    try {
      const file = path.join(logs, 'app.log');
      writeFileSync(file, 'first line\nsecond ha');
      await tailer.start();
      await waitFor(() => col.lines.length >= 1, 'first line');
      // Give the tailer several poll periods to (wrongly) emit the half line.
      const ticks = tailer.stats().pollTicks;
      await waitFor(() => tailer.stats().pollTicks >= ticks + 4, '4 poll ticks');
      assert.deepEqual(col.texts, ['first line']);
      assert.equal(tailer.files()[0]!.readOffset, 'first line\n'.length);
      appendFileSync(file, 'lf\nthird\n');
      await waitFor(() => col.lines.length >= 3, '3 lines');
      assert.deepEqual(col.texts, ['first line', 'second half', 'third']);
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });

  test('partial last line across a restart: resumed from the committed offset, emitted once', async () => {
    const { tmp, logs, opts } = setup();
    const file = path.join(logs, 'app.log');
    writeFileSync(file, 'alpha\nbeta\ngam');
    const col1 = new LineCollector();
    let t1: Tailer | undefined;
    t1 = createTailer(
      opts,
      committing(col1, () => t1!),
    );
    try {
      await t1.start();
      await waitFor(() => col1.lines.length >= 2, 'alpha, beta');
      await t1.stop();
      await t1.flushCheckpoints();
      assert.deepEqual(col1.texts, ['alpha', 'beta']);
      appendFileSync(file, 'ma\ndelta\n');
      const col2 = new LineCollector();
      let t2: Tailer | undefined;
      t2 = createTailer(
        opts,
        committing(col2, () => t2!),
      );
      try {
        await t2.start();
        await waitFor(() => col2.lines.length >= 2, 'gamma, delta');
        assert.deepEqual(col2.texts, ['gamma', 'delta']);
        assert.equal(col2.lines[0]!.offset, 'alpha\nbeta\n'.length);
        assert.equal(col2.lines[0]!.fileId, col1.lines[0]!.fileId, 'same file, same id after restart');
      } finally {
        await t2.stop();
      }
    } finally {
      tmp.cleanup();
    }
  });

  test('a deleted file is read to the end through the open fd, then closed and its checkpoint retired', async () => {
    const { tmp, logs, opts } = setup({ forgetAfterMs: 100 });
    const col = new LineCollector();
    const tailer = createTailer(opts, col.handler);
    try {
      await tailer.start();
      const file = path.join(logs, 'gone.log');
      const w = new LogWriter(file);
      w.write(3);
      await waitFor(() => col.lines.length >= 3, '3 lines');
      const id = tailer.files()[0]!.fileId;
      unlinkSync(file);
      w.write(2); // the writer still holds the fd: these land in the deleted file
      w.close();
      await waitFor(() => col.lines.length >= 5, 'lines written after unlink');
      await waitFor(() => tailer.files().length === 0, 'deleted file closed');
      assert.deepEqual(col.texts, w.written);
      await tailer.commit(id, 0); // a late commit for a forgotten file is harmless
      await waitFor(async () => {
        await tailer.flushCheckpoints();
        return !(await readCheckpoints(opts.stateDir)).includes(id);
      }, 'checkpoint dropped after the grace period');
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });

  test('truncation (size < read offset) restarts at 0 with a new fileId', async () => {
    const { tmp, logs, opts } = setup();
    const col = new LineCollector();
    const tailer = createTailer(opts, col.handler);
    try {
      await tailer.start();
      const w = new LogWriter(path.join(logs, 'app.log'));
      w.write(10);
      await waitFor(() => col.lines.length >= 10, '10 lines');
      const oldId = tailer.files()[0]!.fileId;
      w.truncate();
      await waitFor(() => tailer.stats().truncations >= 1, 'truncation noticed');
      w.write(3);
      await waitFor(() => col.lines.length >= 13, 'lines after truncation');
      assert.deepEqual(col.texts, w.written);
      const after = col.lines.slice(10);
      assert.equal(after[0]!.offset, 0);
      assert.notEqual(after[0]!.fileId, oldId, 'new content gets a new identity (distinct idempotent ids)');
      w.close();
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });

  test('copytruncate: the live file restarts at 0; the copy (outside the glob) is not read', async () => {
    const { tmp, logs, opts } = setup();
    const col = new LineCollector();
    const tailer = createTailer(opts, col.handler);
    try {
      await tailer.start();
      const w = new LogWriter(path.join(logs, 'app.log'));
      for (let round = 0; round < 3; round++) {
        w.write(20);
        await waitFor(() => col.lines.length >= w.written.length, `round ${round} read`);
        await w.copyTruncate(path.join(logs, `app.log.${round}`));
        await waitFor(() => tailer.stats().truncations >= round + 1, `truncation ${round} noticed`);
      }
      w.write(5);
      await waitFor(() => col.lines.length >= w.written.length, 'all lines');
      const { dupes, missing } = diffLines(w.written, col.texts);
      assert.deepEqual({ dupes, missing }, { dupes: [], missing: [] });
      assert.equal(col.lines.length, w.written.length);
      w.close();
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });

  test("startAt 'end' skips existing content of files found at start (to the last line boundary)", async () => {
    const { tmp, logs, opts } = setup({ startAt: 'end' });
    const file = path.join(logs, 'app.log');
    writeFileSync(file, 'old 1\nold 2\nhalf');
    const col = new LineCollector();
    const tailer = createTailer(opts, col.handler);
    try {
      await tailer.start();
      appendFileSync(file, ' line\nnew\n');
      await waitFor(() => col.lines.length >= 2, '2 lines');
      assert.deepEqual(col.texts, ['half line', 'new']);
      // A file appearing later is new: read from its beginning despite startAt 'end'.
      writeFileSync(path.join(logs, 'later.log'), 'later 1\n');
      await waitFor(() => col.lines.length >= 3, 'later file');
      assert.equal(col.texts[2], 'later 1');
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });

  test('rename within the globs keeps the identity and does not re-read', async () => {
    const { tmp, logs, opts } = setup({ globs: [] });
    opts.globs = [path.join(logs, 'app.log*')];
    const col = new LineCollector();
    const tailer = createTailer(opts, col.handler);
    try {
      await tailer.start();
      const w = new LogWriter(path.join(logs, 'app.log'));
      w.write(4);
      await waitFor(() => col.lines.length >= 4, '4 lines');
      w.rotateRename(path.join(logs, 'app.log.1'), 2);
      w.write(3);
      await waitFor(() => col.lines.length >= 9, '9 lines');
      // Three more directory scans (each re-checks both files): had anything been re-read, it would be here.
      const scans = tailer.stats().scans;
      await waitFor(() => tailer.stats().scans >= scans + 3, 'three more scans');
      assert.equal(col.lines.length, 9);
      assert.deepEqual(diffLines(w.written, col.texts), { dupes: [], missing: [] });
      const paths = tailer
        .files()
        .map((f) => path.basename(f.path))
        .sort();
      assert.deepEqual(paths, ['app.log', 'app.log.1']);
      w.close();
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });
});

describe('tailer: flow control and cost', () => {
  test('onLines is awaited before the next read; pause()/resume() stop and restart reading', async () => {
    const { tmp, logs, opts } = setup({ chunkBytes: 64 });
    let inFlight = 0;
    let maxInFlight = 0;
    const col = new LineCollector();
    const tailer = createTailer(opts, async (lines) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(1);
      col.handler(lines);
      inFlight--;
    });
    try {
      const w = new LogWriter(path.join(logs, 'app.log'));
      w.write(200);
      await tailer.start();
      await waitFor(() => col.lines.length >= 200, '200 lines');
      assert.equal(maxInFlight, 1, 'one onLines call at a time per file');
      assert.ok(tailer.stats().reads > 50, 'small chunks: many reads');
      tailer.pause();
      await sleep(20); // let an in-flight batch land
      const before = col.lines.length;
      const readsBefore = tailer.stats().reads;
      w.write(50);
      const ticks = tailer.stats().pollTicks;
      await waitFor(() => tailer.stats().pollTicks >= ticks + 4, '4 poll ticks while paused');
      assert.equal(col.lines.length, before, 'nothing delivered while paused');
      assert.equal(tailer.stats().reads, readsBefore, 'no reads while paused');
      tailer.resume();
      await waitFor(() => col.lines.length >= 250, 'all lines after resume');
      assert.deepEqual(col.texts, w.written);
      w.close();
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });

  test('a 20 MB line is read in chunks and cut at maxLineBytes; the next line is intact', async () => {
    const { tmp, logs, opts } = setup({ chunkBytes: 64 * 1024, maxLineBytes: 1024 });
    const col = new LineCollector();
    const tailer = createTailer(opts, col.handler);
    try {
      const file = path.join(logs, 'big.log');
      writeFileSync(file, `${'y'.repeat(20 * 1024 * 1024)}\nafter\n`);
      await tailer.start();
      await waitFor(() => col.lines.length >= 2, '2 lines', 30_000);
      assert.equal(col.lines[0]!.bytes.length, 1024);
      assert.equal(col.lines[0]!.truncated, true);
      assert.equal(col.lines[0]!.nextOffset, 20 * 1024 * 1024 + 1);
      assert.equal(col.texts[1], 'after');
      assert.ok(tailer.stats().reads >= 320, 'read in 64 KiB chunks, not whole');
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });

  test('idle: nothing written → no reads, and stat calls bounded by the poll rate', async () => {
    const { tmp, logs, opts } = setup();
    const col = new LineCollector();
    const tailer = createTailer(opts, col.handler);
    try {
      const ws = ['a.log', 'b.log', 'c.log'].map((n) => new LogWriter(path.join(logs, n)));
      for (const w of ws) w.write(3);
      await tailer.start();
      await waitFor(() => col.lines.length >= 9, '9 lines');
      await sleep(100); // settle: pumps finished
      const s0 = tailer.stats();
      await waitFor(() => tailer.stats().pollTicks >= s0.pollTicks + 20, '20 poll ticks');
      const s1 = tailer.stats();
      const ticks = s1.pollTicks - s0.pollTicks;
      assert.equal(s1.reads, s0.reads, 'no read() while idle');
      assert.equal(s1.bytesRead, s0.bytesRead);
      // Per tick at most: one readdir + one stat per matched file (+1 tick of slack for a scan in progress).
      const perTick = 1 + ws.length;
      assert.ok(
        s1.statCalls - s0.statCalls <= (ticks + 1) * perTick,
        `stat calls ${s1.statCalls - s0.statCalls} over ${ticks} ticks exceed ${perTick}/tick`,
      );
      assert.ok(s1.statCalls - s0.statCalls >= ticks, 'the poll fallback does run');
      for (const w of ws) w.close();
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });
});

async function readCheckpoints(stateDir: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path.join(stateDir, 'checkpoints.json'), 'utf8');
}
