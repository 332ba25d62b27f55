import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  type CheckpointEntry,
  CheckpointError,
  CheckpointStore,
  CheckpointWriteError,
} from '../../analyzer/src/source/checkpoint-store.ts';
import { makeTempDir } from '../helpers/log-writer.ts';

const entry = (offset: number): CheckpointEntry => ({
  path: '/var/log/app.log',
  offset,
  dev: '2049',
  ino: '1234',
  fingerprint: 'a'.repeat(64),
  fpLen: 1024,
  updatedAt: 1,
});

describe('CheckpointStore', () => {
  test('missing file loads empty; entries round-trip through an atomic write', async () => {
    const tmp = makeTempDir();
    try {
      const s = new CheckpointStore(path.join(tmp.dir, 'state'), 10);
      await s.load(false);
      assert.equal([...s.all()].length, 0);
      s.set('f1', entry(42));
      await s.persisted();
      const doc = JSON.parse(readFileSync(s.file, 'utf8'));
      assert.deepEqual(doc, { version: 1, files: { f1: entry(42) } });
      const s2 = new CheckpointStore(path.join(tmp.dir, 'state'));
      await s2.load(false);
      assert.deepEqual(s2.get('f1'), entry(42));
    } finally {
      tmp.cleanup();
    }
  });

  test('commits within the window share one write', async () => {
    const tmp = makeTempDir();
    try {
      const s = new CheckpointStore(tmp.dir, 100);
      await s.load(false);
      const waits: Promise<void>[] = [];
      for (let i = 1; i <= 50; i++) {
        s.set('f1', entry(i));
        waits.push(s.persisted());
      }
      await Promise.all(waits);
      assert.ok(s.writes <= 2, `50 commits took ${s.writes} writes`);
      assert.equal(JSON.parse(readFileSync(s.file, 'utf8')).files.f1.offset, 50);
    } finally {
      tmp.cleanup();
    }
  });

  for (const [name, body, problem] of [
    ['invalid JSON', '{"version":1,', /not valid JSON/],
    ['wrong version', '{"version":2,"files":{}}', /unsupported "version" 2/],
    ['files not an object', '{"version":1,"files":[]}', /"files" is missing or not an object/],
    [
      'negative offset',
      JSON.stringify({ version: 1, files: { x: { ...entry(0), offset: -1 } } }),
      /offset must be/,
    ],
    [
      'bad fingerprint',
      JSON.stringify({ version: 1, files: { x: { ...entry(0), fingerprint: 'zz' } } }),
      /sha256/,
    ],
  ] as const) {
    test(`corrupt file (${name}) → CheckpointError naming file, problem and the reset flag; reset ignores it`, async () => {
      const tmp = makeTempDir();
      try {
        const s = new CheckpointStore(tmp.dir);
        writeFileSync(s.file, body);
        await assert.rejects(s.load(false), (err: unknown) => {
          assert.ok(err instanceof CheckpointError);
          assert.ok(err.message.includes(s.file));
          assert.match(err.message, problem);
          assert.match(err.message, /use --reset-checkpoints to start over/);
          return true;
        });
        const r = new CheckpointStore(tmp.dir, 5);
        await r.load(true);
        assert.equal([...r.all()].length, 0);
        await r.flush();
        assert.deepEqual(JSON.parse(readFileSync(r.file, 'utf8')), { version: 1, files: {} });
      } finally {
        tmp.cleanup();
      }
    });
  }

  test('a failed write rejects waiters and marks unhealthy; a retry after repair heals', async () => {
    const tmp = makeTempDir();
    try {
      const dir = path.join(tmp.dir, 'state');
      const s = new CheckpointStore(dir, 5);
      await s.load(false);
      const changes: boolean[] = [];
      s.onHealthChange = (h) => changes.push(h);
      // Tests run as root (chmod is ignored): make the state dir a plain file so writes fail with ENOTDIR.
      writeFileSync(dir, 'x');
      s.set('f1', entry(7));
      await assert.rejects(s.persisted(), CheckpointWriteError);
      assert.equal(s.healthy, false);
      assert.match(s.lastError ?? '', /cannot write/);
      rmSync(dir);
      mkdirSync(dir);
      s.retryIfFailing();
      await s.flush();
      assert.equal(s.healthy, true);
      assert.deepEqual(changes, [false, true]);
      assert.equal(JSON.parse(readFileSync(s.file, 'utf8')).files.f1.offset, 7);
    } finally {
      tmp.cleanup();
    }
  });
});
