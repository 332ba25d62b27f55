// Checkpoints: one JSON file `checkpoints.json` in the state dir, {version:1, files:{[fileId]: entry}}.
// Writes are atomic (temp file, fsync, rename, fsync dir) and coalesced: many commits within `intervalMs`
// share one write. A failed write leaves the store "unhealthy" (the tailer pauses reading) until a retry works.

import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/usage-error.ts';
import { isErrno } from './discovery.ts';

export const CHECKPOINT_FILE = 'checkpoints.json';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointEntry {
  /** Last known path of the file (informational; identity is dev+ino+fingerprint). */
  path: string;
  /** Committed (acked) byte offset, always at a line boundary. */
  offset: number;
  dev: string;
  ino: string;
  /** sha256 hex of the first `fpLen` bytes. */
  fingerprint: string;
  fpLen: number;
  /** Epoch ms of the last change. */
  updatedAt: number;
  /** Epoch ms when the file stopped being followed (renamed out of the globs, deleted, truncated). */
  goneAt?: number;
  /** The file was deleted or truncated: this entry is kept only for late commits, never matched again. */
  retired?: boolean;
}

interface CheckpointDoc {
  version: 1;
  files: Record<string, CheckpointEntry>;
}

const RESET_HINT = 'use --reset-checkpoints to start over';
const STATE_DIR_HINT = 'fix --state-dir (it must be a writable directory)';

/** The checkpoint file cannot be used. Stops start() unless resetCheckpoints is set. */
export class CheckpointError extends UsageError {
  override name = 'CheckpointError';
  constructor(
    readonly file: string,
    readonly problem: string,
    hint: string = RESET_HINT,
  ) {
    super(`checkpoint file ${file}: ${problem}; ${hint}`);
  }
}

/** A checkpoint write failed (state dir unwritable, disk full …). commit() rejects with it. */
export class CheckpointWriteError extends Error {
  override readonly name = 'CheckpointWriteError';
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class CheckpointStore {
  readonly file: string;
  private readonly entries = new Map<string, CheckpointEntry>();
  private dirty = false;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastWriteAt = 0;
  private waiters: Waiter[] = [];
  healthy = true;
  lastError: string | undefined;
  writes = 0;
  failures = 0;
  /** Called after every write attempt whose outcome changed `healthy`. */
  onHealthChange: ((healthy: boolean) => void) | undefined;

  constructor(
    readonly stateDir: string,
    private readonly intervalMs = 200,
  ) {
    this.file = path.join(stateDir, CHECKPOINT_FILE);
  }

  /** Reads the file. Missing → empty. Unreadable/corrupt → CheckpointError, or empty + overwrite when `reset`. */
  async load(reset: boolean): Promise<void> {
    this.entries.clear();
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      if (isErrno(err, 'ENOTDIR')) {
        throw new CheckpointError(this.file, 'the state dir is not a directory', STATE_DIR_HINT);
      }
      if (isErrno(err, 'EISDIR')) {
        throw new CheckpointError(this.file, 'is a directory, not a file', `remove it or ${STATE_DIR_HINT}`);
      }
      if (reset) return this.markDirty();
      throw new CheckpointError(this.file, `cannot be read (${errText(err)})`);
    }
    try {
      for (const [id, e] of Object.entries(parseDoc(text).files)) this.entries.set(id, e);
    } catch (err) {
      if (reset) {
        this.entries.clear();
        return this.markDirty();
      }
      throw new CheckpointError(this.file, errText(err));
    }
    if (reset) {
      this.entries.clear();
      this.markDirty();
    }
  }

  get(fileId: string): CheckpointEntry | undefined {
    return this.entries.get(fileId);
  }

  all(): IterableIterator<[string, CheckpointEntry]> {
    return this.entries.entries();
  }

  set(fileId: string, entry: CheckpointEntry): void {
    this.entries.set(fileId, entry);
    this.markDirty();
  }

  delete(fileId: string): void {
    if (this.entries.delete(fileId)) this.markDirty();
  }

  /** Something changed: write within `intervalMs` (no one waits on the outcome). */
  markDirty(): void {
    this.dirty = true;
    this.schedule();
  }

  /** Resolves when a write that includes every change made so far has landed; rejects if it fails. */
  persisted(): Promise<void> {
    if (!this.dirty && !this.writing) return Promise.resolve();
    this.dirty = true;
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.schedule();
    return p;
  }

  /** Write now (skipping the coalescing delay) if anything is unwritten; rejects if the write fails. */
  async flush(): Promise<void> {
    for (let i = 0; this.writing && i < 1000; i++) await this.writing;
    if (!this.dirty) return;
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.startWrite();
    return p;
  }

  /** After a failure, try again (called from the tailer's poll tick; no self-rescheduling loop). */
  retryIfFailing(): void {
    if (!this.healthy && this.dirty && !this.writing && !this.timer) this.startWrite();
  }

  /** Cancels a pending coalesced write (tests; the tailer leaves pending writes to land). */
  cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.writing) return; // the running write reschedules when it ends
    const delay = Math.max(0, this.lastWriteAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.startWrite(), delay);
  }

  private startWrite(): void {
    this.cancelTimer();
    if (this.writing) return;
    const waiters = this.waiters;
    this.waiters = [];
    this.dirty = false;
    const body = JSON.stringify(this.toDoc());
    this.writing = writeAtomic(this.file, body).then(
      () => this.finishWrite(waiters, undefined),
      (err: unknown) => this.finishWrite(waiters, err),
    );
  }

  private finishWrite(waiters: Waiter[], err: unknown): void {
    const wasHealthy = this.healthy;
    this.writing = undefined;
    this.lastWriteAt = Date.now();
    if (err === undefined) {
      this.healthy = true;
      this.lastError = undefined;
      this.writes++;
      for (const w of waiters) w.resolve();
    } else {
      this.healthy = false;
      this.dirty = true;
      this.failures++;
      this.lastError = `cannot write ${this.file}: ${errText(err)}`;
      const e = new CheckpointWriteError(this.lastError);
      for (const w of waiters) w.reject(e);
    }
    // Keep going while there is news; after a failure only if someone is waiting (else the poll tick retries).
    if (this.dirty && (this.healthy || this.waiters.length > 0)) this.schedule();
    if (wasHealthy !== this.healthy) this.onHealthChange?.(this.healthy);
  }

  private toDoc(): CheckpointDoc {
    const files: Record<string, CheckpointEntry> = {};
    for (const [id, e] of this.entries) files[id] = e;
    return { version: CHECKPOINT_VERSION, files };
  }
}

/** temp file → fsync → rename over the target → fsync the directory (so the rename itself is durable). */
export async function writeAtomic(file: string, body: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(body);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

function parseDoc(text: string): CheckpointDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON (${errText(err)})`);
  }
  if (!isObject(doc)) throw new Error('top level is not a JSON object');
  if (doc.version !== CHECKPOINT_VERSION) {
    throw new Error(`unsupported "version" ${JSON.stringify(doc.version)} (expected ${CHECKPOINT_VERSION})`);
  }
  if (!isObject(doc.files)) throw new Error('"files" is missing or not an object');
  const files: Record<string, CheckpointEntry> = {};
  for (const [id, raw] of Object.entries(doc.files)) files[id] = parseEntry(id, raw);
  return { version: CHECKPOINT_VERSION, files };
}

function parseEntry(id: string, raw: unknown): CheckpointEntry {
  const where = `files[${JSON.stringify(id)}]`;
  if (!isObject(raw)) throw new Error(`${where} is not an object`);
  const str = (k: string): string => {
    const v = raw[k];
    if (typeof v !== 'string' || v === '') throw new Error(`${where}.${k} must be a non-empty string`);
    return v;
  };
  const int = (k: string): number => {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new Error(`${where}.${k} must be a non-negative integer, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const entry: CheckpointEntry = {
    path: str('path'),
    offset: int('offset'),
    dev: str('dev'),
    ino: str('ino'),
    fingerprint: str('fingerprint'),
    fpLen: int('fpLen'),
    updatedAt: int('updatedAt'),
  };
  if (!/^[0-9a-f]{64}$/.test(entry.fingerprint))
    throw new Error(`${where}.fingerprint is not a sha256 hex digest`);
  if (raw.goneAt !== undefined) entry.goneAt = int('goneAt');
  if (raw.retired === true) entry.retired = true;
  return entry;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
