// File identity = device + inode + a fingerprint (sha256) of the file's first bytes, like Filebeat's
// `file_identity: fingerprint` plus the inode. The inode alone is reused after delete+create; the fingerprint
// alone collides for files that start alike (same banner) — together they tell files apart.
//
// Rule for short files: a file is identified as soon as it holds at least one byte. Its fingerprint then covers
// min(size, fingerprintBytes) bytes, and `fpLen` records how many. The fileId is fixed at that first sight and
// never changes; the stored fingerprint is extended (up to fingerprintBytes) as the file grows, so a later
// restart compares against the longest prefix known. An empty file is not identified (nothing to read yet).
// Weakness (documented): while a file is shorter than fingerprintBytes, its fingerprint is weaker, so a
// delete+create with inode reuse *while the tailer is down* could be mistaken for the old file if the new one
// starts with the same few bytes and is at least as long as the old checkpoint offset.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export const DEFAULT_FINGERPRINT_BYTES = 1024;

export interface FileIdentity {
  fileId: string;
  dev: string;
  ino: string;
  /** sha256 (hex) of the first `fpLen` bytes. */
  fingerprint: string;
  fpLen: number;
}

/** Reads up to `len` bytes from offset 0 (may return fewer for a short file). */
export async function readPrefix(fh: FileHandle, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

export function fingerprintOf(prefix: Buffer): string {
  return createHash('sha256').update(prefix).digest('hex');
}

/** Stable id from device, inode and fingerprint; `salt` separates generations of a truncated file. */
export function makeFileId(dev: string, ino: string, fpLen: number, fingerprint: string, salt = ''): string {
  return createHash('sha256')
    .update(`${dev}:${ino}:${fpLen}:${fingerprint}${salt ? `:${salt}` : ''}`)
    .digest('hex')
    .slice(0, 24);
}

export function identify(dev: string, ino: string, prefix: Buffer, salt = ''): FileIdentity {
  const fingerprint = fingerprintOf(prefix);
  return {
    fileId: makeFileId(dev, ino, prefix.length, fingerprint, salt),
    dev,
    ino,
    fingerprint,
    fpLen: prefix.length,
  };
}
