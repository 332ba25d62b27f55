import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { GlobError, listMatches, watchedDirs } from '../../analyzer/src/source/discovery.ts';
import { fingerprintOf, identify, makeFileId } from '../../analyzer/src/source/file-identity.ts';
import { makeTempDir } from '../helpers/log-writer.ts';

describe('file identity', () => {
  test('the id depends on device, inode and the fingerprinted prefix', () => {
    const a = identify('1', '100', Buffer.from('hello world\n'));
    assert.equal(a.fpLen, 12);
    assert.equal(a.fingerprint, fingerprintOf(Buffer.from('hello world\n')));
    assert.equal(identify('1', '100', Buffer.from('hello world\n')).fileId, a.fileId, 'deterministic');
    assert.notEqual(identify('1', '101', Buffer.from('hello world\n')).fileId, a.fileId, 'other inode');
    assert.notEqual(identify('2', '100', Buffer.from('hello world\n')).fileId, a.fileId, 'other device');
    assert.notEqual(
      identify('1', '100', Buffer.from('hello_world\n')).fileId,
      a.fileId,
      'inode reuse, new content',
    );
    assert.notEqual(
      identify('1', '100', Buffer.from('hello world\n'), 'gen1').fileId,
      a.fileId,
      'new generation',
    );
    assert.match(makeFileId('1', '2', 3, 'f'), /^[0-9a-f]{24}$/);
  });
});

describe('glob discovery', () => {
  test('groups globs by fixed directory and matches file names only', async () => {
    const tmp = makeTempDir();
    try {
      for (const n of ['a.log', 'b.log', 'c.txt', 'app.log.1', '.hidden.log'])
        writeFileSync(path.join(tmp.dir, n), '');
      const dirs = watchedDirs([path.join(tmp.dir, '*.log'), path.join(tmp.dir, 'app.log.[0-9]')]);
      assert.equal(dirs.length, 1);
      assert.deepEqual(
        (await listMatches(dirs[0]!)).map((p) => path.basename(p)),
        ['.hidden.log', 'a.log', 'app.log.1', 'b.log'],
      );
      assert.deepEqual(await listMatches(watchedDirs([path.join(tmp.dir, 'missing', '*.log')])[0]!), []);
    } finally {
      tmp.cleanup();
    }
  });

  test('wildcards in the directory part and empty globs are refused with a clear error', () => {
    assert.throws(() => watchedDirs(['/var/log/**/app.log']), GlobError);
    assert.throws(() => watchedDirs(['/var/*/app.log']), /only supported in the file name/);
    assert.throws(() => watchedDirs([]), /at least one --glob/);
    assert.throws(() => watchedDirs(['  ']), /empty glob/);
  });
});
