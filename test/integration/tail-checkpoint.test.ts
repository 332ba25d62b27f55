// Checkpoints with the real tailer: corrupt file, reset, unwritable state dir (pauses reading), exact resume
// at the committed offset, a file renamed while the tailer was down.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { RawLine } from '../../analyzer/src/core/types.ts';
import { CheckpointError, CheckpointWriteError } from '../../analyzer/src/source/checkpoint-store.ts';
import { createTailer } from '../../analyzer/src/source/tailer.ts';
import type { TailerOptions } from '../../analyzer/src/source/types.ts';
import { LineCollector, LogWriter, makeTempDir, waitFor } from '../helpers/log-writer.ts';

function setup(glob = '*.log') {
  const tmp = makeTempDir();
  const logs = path.join(tmp.dir, 'logs');
  const state = path.join(tmp.dir, 'state');
  mkdirSync(logs);
  const opts: TailerOptions = {
    globs: [path.join(logs, glob)],
    stateDir: state,
    pollMs: 50,
    checkpointIntervalMs: 20,
  };
  return { tmp, logs, state, opts, cpFile: path.join(state, 'checkpoints.json') };
}

describe('tailer: checkpoints', () => {
  test('a corrupt checkpoint file stops start() with a clear error; resetCheckpoints starts over', async () => {
    const { tmp, logs, state, opts, cpFile } = setup();
    try {
      writeFileSync(path.join(logs, 'app.log'), 'one\ntwo\n');
      mkdirSync(state);
      for (const bad of [
        '{"version":1,"files":{',
        '{"version":7,"files":{}}',
        '{"version":1,"files":{"x":{"path":1}}}',
      ]) {
        writeFileSync(cpFile, bad);
        const t = createTailer(opts, () => undefined);
        await assert.rejects(t.start(), (err: unknown) => {
          assert.ok(err instanceof CheckpointError);
          assert.match(err.message, new RegExp(cpFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
          assert.match(err.message, /use --reset-checkpoints to start over/);
          return true;
        });
        assert.equal(t.ready(), false);
        assert.equal(readFileSync(cpFile, 'utf8'), bad, 'a refused start leaves the file alone');
      }
      const col = new LineCollector();
      const t = createTailer({ ...opts, resetCheckpoints: true }, col.handler);
      try {
        await t.start();
        await waitFor(() => col.lines.length >= 2, '2 lines');
        assert.deepEqual(col.texts, ['one', 'two']);
        await t.flushCheckpoints();
        const doc = JSON.parse(readFileSync(cpFile, 'utf8')) as { version: number; files: object };
        assert.equal(doc.version, 1);
        assert.equal(Object.keys(doc.files).length, 1);
      } finally {
        await t.stop();
      }
    } finally {
      tmp.cleanup();
    }
  });

  test('a state dir that is a file stops start() (runs as root: chmod would not stop writes, so no chmod)', async () => {
    const { tmp, state, opts } = setup();
    try {
      writeFileSync(state, 'not a directory');
      const t = createTailer(opts, () => undefined);
      await assert.rejects(t.start(), /state dir is not a directory; fix --state-dir/);
    } finally {
      tmp.cleanup();
    }
  });

  test('state dir becomes unwritable: commit rejects, ready() false, reading pauses; recovers when writable', async () => {
    // Root ignores chmod 0500, so the state dir is replaced by a plain file instead (writes get ENOTDIR).
    const { tmp, logs, state, opts } = setup();
    const col = new LineCollector();
    const tailer = createTailer(opts, col.handler);
    try {
      const w = new LogWriter(path.join(logs, 'app.log'));
      w.write(5);
      await tailer.start();
      await waitFor(() => col.lines.length >= 5, '5 lines');
      const { fileId } = col.lines[0]!;
      await tailer.commit(fileId!, col.lines[4]!.nextOffset);
      assert.equal(tailer.ready(), true);

      rmSync(state, { recursive: true });
      writeFileSync(state, 'sabotage');
      w.write(1);
      await waitFor(() => col.lines.length >= 6, '6th line');
      await assert.rejects(tailer.commit(fileId!, col.lines[5]!.nextOffset), CheckpointWriteError);
      assert.equal(tailer.ready(), false);
      assert.match(tailer.stats().checkpointError, /cannot write/);
      const delivered = col.lines.length;
      const readOffset = tailer.files()[0]!.readOffset;
      w.write(20);
      const ticks = tailer.stats().pollTicks;
      await waitFor(() => tailer.stats().pollTicks >= ticks + 5, '5 poll ticks while unwritable');
      assert.equal(col.lines.length, delivered, 'nothing read while checkpoints cannot be written');
      assert.equal(tailer.files()[0]!.readOffset, readOffset);

      rmSync(state);
      mkdirSync(state);
      await waitFor(() => tailer.ready(), 'ready again after a successful retry');
      await waitFor(() => col.lines.length >= w.written.length, 'reading resumed');
      assert.deepEqual(col.texts, w.written);
      await tailer.commit(fileId!, col.lines.at(-1)!.nextOffset);
      w.close();
    } finally {
      await tailer.stop();
      tmp.cleanup();
    }
  });

  test('restart resumes exactly at the committed offset (not at the read offset)', async () => {
    const { tmp, logs, opts } = setup();
    try {
      const w = new LogWriter(path.join(logs, 'app.log'));
      w.write(30);
      const col1 = new LineCollector();
      const t1 = createTailer(opts, col1.handler);
      await t1.start();
      await waitFor(() => col1.lines.length >= 30, '30 lines');
      const mid = col1.lines[11]!; // acked up to line 12 only
      await t1.commit(mid.fileId!, mid.nextOffset);
      await assert.rejects(t1.commit(mid.fileId!, col1.lines[29]!.nextOffset + 1), RangeError);
      await t1.commit(mid.fileId!, 5); // lower offsets are ignored
      await t1.stop();
      await t1.flushCheckpoints();
      assert.equal(t1.files().length, 0);

      w.write(5);
      const col2 = new LineCollector();
      const t2 = createTailer(opts, col2.handler);
      try {
        await t2.start();
        await waitFor(() => col2.lines.length >= 35 - 12, 'resumed lines');
        assert.equal(col2.lines[0]!.offset, mid.nextOffset);
        assert.deepEqual(col2.texts, w.written.slice(12));
        assert.equal(t2.files()[0]!.committedOffset, mid.nextOffset);
      } finally {
        await t2.stop();
      }
      w.close();
    } finally {
      tmp.cleanup();
    }
  });

  test('a file renamed while the tailer was down is found by identity and resumed; the new file starts at 0', async () => {
    const { tmp, logs, opts } = setup('app.log*');
    try {
      const file = path.join(logs, 'app.log');
      const w = new LogWriter(file);
      w.write(10);
      const col1 = new LineCollector();
      let t1: ReturnType<typeof createTailer> | undefined;
      const commitAll = async (lines: RawLine[]) => {
        col1.handler(lines);
        await t1!.commit(lines[0]!.fileId!, lines.at(-1)!.nextOffset);
      };
      t1 = createTailer(opts, commitAll);
      await t1.start();
      await waitFor(() => col1.lines.length >= 10, '10 lines');
      await t1.stop();
      await t1.flushCheckpoints();
      // While down: more lines, rotation, new file.
      w.write(3);
      w.rotateRename(path.join(logs, 'app.log.1'));
      w.write(4);
      w.close();
      const col2 = new LineCollector();
      const t2 = createTailer(opts, col2.handler);
      try {
        await t2.start();
        await waitFor(() => col2.lines.length >= 7, '7 lines');
        const byPath = (p: string) => col2.lines.filter((l) => path.basename(l.source) === p);
        assert.deepEqual(
          byPath('app.log.1').map((l) => l.bytes.toString()),
          w.written.slice(10, 13),
        );
        assert.equal(byPath('app.log.1')[0]!.fileId, col1.lines[0]!.fileId, 'same identity after the rename');
        assert.deepEqual(
          byPath('app.log').map((l) => l.bytes.toString()),
          w.written.slice(13),
        );
        assert.equal(col2.lines.length, 7);
      } finally {
        await t2.stop();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
