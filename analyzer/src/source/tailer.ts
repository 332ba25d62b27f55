// Follows files matching globs from saved byte offsets. Wake-ups come from fs.watch on each glob's directory;
// a low-frequency stat poll (pollMs) catches what watch misses. Nothing runs between wake-ups (idle CPU ≈ 0).
//
// Per file one "pump" reads chunk by chunk and awaits onLines before the next read (backpressure). The read
// position past a held partial line is never a checkpoint: checkpoints are commit()ed by the service at line
// boundaries (RawLine.nextOffset) and resumed from on restart.
//
// Rotation: a followed file is tracked by its open fd and dev+ino, not by path. Renamed within the globs: same
// file, new path. Renamed out of the globs or deleted: read to EOF through the open fd, closed after
// closeInactiveMs without growth. Truncated (size < read position): the old identity is retired and the file
// is picked up again as a new file from offset 0 (new fileId, so idempotent _ids of old and new content differ).
import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RawLine } from '../core/types.ts';
import { LineSplitter } from '../decode/lines.ts';
import { type CheckpointEntry, CheckpointError, CheckpointStore } from './checkpoint-store.ts';
import { listMatches, type WatchedDir, watchedDirs } from './discovery.ts';
import {
  DEFAULT_FINGERPRINT_BYTES,
  type FileIdentity,
  fingerprintOf,
  identify,
  readPrefix,
} from './file-identity.ts';
import type { FollowedFile, LinesHandler, Tailer, TailerOptions, TailerStats } from './types.ts';

interface Tracked {
  id: FileIdentity;
  path: string;
  fh: FileHandle;
  /** Bytes consumed from the file, including a held partial line. */
  readPos: number;
  splitter: LineSplitter;
  size: number;
  /** Set when the path no longer leads to this file (renamed out of the globs, or deleted). */
  detachedAt: number | undefined;
  deleted: boolean;
  lastGrowthAt: number;
  pump: Promise<void> | undefined;
  /** A wake-up arrived while the pump ran: look again before going idle (no lost wake-ups). */
  again: boolean;
  closing: boolean;
}

const inodeKey = (dev: string, ino: string): string => `${dev}:${ino}`;

export function createTailer(opts: TailerOptions, onLines: LinesHandler): Tailer {
  const pollMs = opts.pollMs ?? 1000;
  const chunkBytes = opts.chunkBytes ?? 256 * 1024;
  const maxLineBytes = opts.maxLineBytes ?? 1024 * 1024;
  const fpBytes = opts.fingerprintBytes ?? DEFAULT_FINGERPRINT_BYTES;
  const closeInactiveMs = opts.closeInactiveMs ?? 5000;
  const forgetAfterMs = opts.forgetAfterMs ?? 15 * 60 * 1000;
  const startAt = opts.startAt ?? 'beginning';
  for (const [k, v] of Object.entries({ pollMs, chunkBytes, maxLineBytes, fingerprintBytes: fpBytes })) {
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new RangeError(`tailer option ${k} must be a positive integer`);
  }
  const dirs = watchedDirs(opts.globs);
  const store = new CheckpointStore(opts.stateDir, opts.checkpointIntervalMs ?? 200);

  const open_ = new Map<string, Tracked>(); // by fileId
  const byInode = new Map<string, Tracked>();
  const watchers = new Map<string, FSWatcher>();
  const counters: Omit<TailerStats, 'watchedDirs' | 'openFiles' | 'checkpointWrites' | 'checkpointFailures'> =
    {
      reads: 0,
      bytesRead: 0,
      statCalls: 0,
      pollTicks: 0,
      scans: 0,
      watchEvents: 0,
      linesDelivered: 0,
      truncations: 0,
      rotations: 0,
      checkpointError: '',
      errors: 0,
      lastError: '',
    };
  let running = false;
  let paused = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let scanning: Promise<void> | undefined;
  let rescan = false;

  const canRead = (): boolean => running && !paused && store.healthy;

  function noteError(what: string, err: unknown): void {
    counters.errors++;
    counters.lastError = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  }

  function snapshot(t: Tracked): FollowedFile {
    return {
      fileId: t.id.fileId,
      path: t.path,
      readOffset: t.splitter.offset,
      committedOffset: store.get(t.id.fileId)?.offset ?? 0,
      size: t.size,
    };
  }

  // ---- wake-ups -------------------------------------------------------------------------------------------

  function kick(t: Tracked): void {
    if (t.closing) return;
    if (t.pump) {
      t.again = true;
      return;
    }
    t.pump = pumpLoop(t)
      .catch((err: unknown) => noteError(`reading ${t.path}`, err))
      .finally(() => {
        t.pump = undefined;
      });
  }

  function kickAll(): void {
    for (const t of open_.values()) kick(t);
  }

  function scheduleScan(initial = false): Promise<void> {
    if (scanning) {
      rescan = true;
      return scanning;
    }
    scanning = (async () => {
      do {
        rescan = false;
        counters.scans++;
        await scanAll(initial).catch((err: unknown) => noteError('scanning', err));
        initial = false;
      } while (rescan && running);
    })().finally(() => {
      scanning = undefined;
    });
    return scanning;
  }

  function ensureWatch(w: WatchedDir): void {
    if (watchers.has(w.dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(w.dir, { persistent: true });
    } catch {
      return; // directory missing or not watchable: the poll covers it and retries the watch each tick
    }
    watcher.on('change', (event, name) => onWatchEvent(w, event, typeof name === 'string' ? name : ''));
    watcher.on('error', () => {
      watcher.close();
      watchers.delete(w.dir);
      if (running) void scheduleScan();
    });
    watchers.set(w.dir, watcher);
  }

  function onWatchEvent(w: WatchedDir, event: string, name: string): void {
    if (!running) return;
    counters.watchEvents++;
    if (name !== '') {
      const full = path.join(w.dir, name);
      // Writes to a followed file: just read it, no directory scan. Files rotated away are woken by any event
      // in their directory (their new name is unknown here; the poll covers other directories).
      let handled = false;
      for (const t of open_.values()) {
        if (t.detachedAt !== undefined && path.dirname(t.path) === w.dir) kick(t);
        else if (t.path === full && event === 'change') {
          kick(t);
          handled = true;
        }
      }
      if (handled || !w.matches(name)) return; // a followed file's write, or someone else's file
    }
    void scheduleScan();
  }

  function tick(): void {
    counters.pollTicks++;
    store.retryIfFailing();
    pruneForgotten();
    for (const w of dirs) ensureWatch(w);
    void scheduleScan();
  }

  // ---- discovery --------------------------------------------------------------------------------------------

  async function scanAll(initial: boolean): Promise<void> {
    const seen = new Set<Tracked>();
    for (const w of dirs) {
      counters.statCalls++; // readdir
      let paths: string[];
      try {
        paths = await listMatches(w);
      } catch (err) {
        noteError(`listing ${w.dir}`, err);
        continue;
      }
      for (const p of paths) {
        if (!running) return;
        counters.statCalls++;
        let st: Awaited<ReturnType<typeof statBig>>;
        try {
          st = await statBig(p);
        } catch {
          continue; // vanished between readdir and stat: the next scan sees the truth
        }
        if (!st.isFile()) continue;
        const key = inodeKey(String(st.dev), String(st.ino));
        const t = byInode.get(key);
        if (t) {
          seen.add(t);
          if (t.path !== p) {
            t.path = p; // renamed within the globs: same file, keep reading
            updateEntry(t, { path: p });
          }
          t.detachedAt = undefined;
          if (Number(st.size) !== t.readPos) kick(t);
          continue;
        }
        if (st.size === 0n) continue; // nothing to fingerprint yet; the first write wakes us
        await adopt(p, String(st.dev), String(st.ino), initial).catch((err: unknown) =>
          noteError(`opening ${p}`, err),
        );
        const added = byInode.get(key);
        if (added) seen.add(added);
      }
    }
    const now = Date.now();
    for (const t of open_.values()) {
      if (seen.has(t)) continue;
      if (t.detachedAt === undefined) {
        t.detachedAt = now;
        counters.rotations++;
      }
      kick(t); // finish it to EOF; the pump closes it once inactive
    }
    if (initial) {
      // Checkpoints with no matching file: keep them for the grace period, then forget them.
      for (const [id, e] of store.all()) {
        if (!open_.has(id) && e.goneAt === undefined) store.set(id, { ...e, goneAt: now });
      }
    }
  }

  /** A file we do not follow yet: identify it, resume from its checkpoint or start it fresh. */
  async function adopt(p: string, dev: string, ino: string, initial: boolean): Promise<void> {
    const fh = await open(p, 'r');
    let keep = false;
    try {
      counters.statCalls++;
      const st = await fh.stat({ bigint: true });
      if (String(st.dev) !== dev || String(st.ino) !== ino) {
        rescan = true; // replaced between stat and open
        return;
      }
      counters.reads++;
      const prefix = await readPrefix(fh, fpBytes);
      if (prefix.length === 0) return;
      const size = Number(st.size);
      let id = identify(dev, ino, prefix);
      let start: number | undefined;
      const match = findCheckpoint(dev, ino, prefix, size);
      if (match) {
        id = { ...id, fileId: match.fileId };
        start = match.entry.offset;
      } else {
        // Same dev+ino+prefix as an identity we retired (truncated and rewritten alike, inode reuse):
        // a new generation needs a new id, or its idempotent _ids would collide with the old content's.
        for (let gen = 1; store.get(id.fileId) || open_.has(id.fileId); gen++) {
          id = identify(dev, ino, prefix, `gen${gen}:${Date.now()}`);
        }
        start = initial && startAt === 'end' ? await lineBoundaryBefore(fh, size) : 0;
      }
      const t: Tracked = {
        id,
        path: p,
        fh,
        readPos: start,
        splitter: new LineSplitter(p, start, { maxLineBytes, chunksAreFresh: true }),
        size,
        detachedAt: undefined,
        deleted: false,
        lastGrowthAt: Date.now(),
        pump: undefined,
        again: false,
        closing: false,
      };
      open_.set(id.fileId, t);
      byInode.set(inodeKey(dev, ino), t);
      store.set(id.fileId, {
        path: p,
        offset: start,
        dev,
        ino,
        fingerprint: id.fingerprint,
        fpLen: id.fpLen,
        updatedAt: Date.now(),
      });
      keep = true;
      kick(t);
    } finally {
      if (!keep) await fh.close().catch(() => undefined);
    }
  }

  function findCheckpoint(
    dev: string,
    ino: string,
    prefix: Buffer,
    size: number,
  ): { fileId: string; entry: CheckpointEntry } | undefined {
    for (const [fileId, entry] of store.all()) {
      if (entry.retired || open_.has(fileId) || entry.dev !== dev || entry.ino !== ino) continue;
      if (entry.fpLen > prefix.length || size < entry.offset) continue; // shrank: not the same content
      if (fingerprintOf(prefix.subarray(0, entry.fpLen)) !== entry.fingerprint) continue;
      return { fileId, entry };
    }
    return undefined;
  }

  /** For startAt 'end': the start of the unterminated last line (or EOF), so no line is emitted cut. */
  async function lineBoundaryBefore(fh: FileHandle, size: number): Promise<number> {
    const window = Math.min(size, maxLineBytes + 1);
    const buf = Buffer.alloc(Math.min(window, chunkBytes));
    let pos = size;
    while (pos > size - window) {
      const len = Math.min(buf.length, pos - (size - window));
      counters.reads++;
      const { bytesRead } = await fh.read(buf, 0, len, pos - len);
      const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl !== -1) return pos - len + nl + 1;
      pos -= len;
    }
    return window === size ? 0 : size;
  }

  // ---- reading ----------------------------------------------------------------------------------------------

  async function pumpLoop(t: Tracked): Promise<void> {
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (!canRead() || t.closing) return;
      t.again = false;
      counters.statCalls++;
      const st = await t.fh.stat({ bigint: true });
      const size = Number(st.size);
      t.size = size;
      if (st.nlink === 0n) t.deleted = true;
      if (size < t.readPos) return onTruncated(t);
      if (t.id.fpLen < fpBytes && size > t.id.fpLen && !(await extendFingerprint(t))) return onTruncated(t);
      if (size === t.readPos) {
        if (t.again) continue;
        if (t.detachedAt !== undefined && Date.now() - t.lastGrowthAt >= closeInactiveMs) await closeFile(t);
        return;
      }
      while (t.readPos < size && canRead() && !t.closing) {
        counters.reads++;
        // A fresh buffer per read: delivered lines are views into it (no per-line copy), so it must not be reused.
        const want = Math.min(chunkBytes, size - t.readPos);
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await t.fh.read(buf, 0, want, t.readPos);
        if (bytesRead === 0) break; // shrank under us: the next stat sees it
        counters.bytesRead += bytesRead;
        t.readPos += bytesRead;
        t.lastGrowthAt = Date.now();
        const lines = t.splitter.push(buf.subarray(0, bytesRead));
        if (lines.length > 0) await deliver(t, lines);
      }
    }
  }

  async function deliver(t: Tracked, lines: RawLine[]): Promise<void> {
    for (const l of lines) {
      l.fileId = t.id.fileId;
      l.source = t.path;
    }
    counters.linesDelivered += lines.length;
    try {
      await onLines(lines, snapshot(t));
    } catch (err) {
      noteError(`onLines for ${t.path}`, err);
    }
  }

  /** A short file grew: lengthen the stored fingerprint (same fileId). False if its start changed (rewritten). */
  async function extendFingerprint(t: Tracked): Promise<boolean> {
    counters.reads++;
    const prefix = await readPrefix(t.fh, fpBytes);
    if (prefix.length < t.id.fpLen) return false;
    if (fingerprintOf(prefix.subarray(0, t.id.fpLen)) !== t.id.fingerprint) return false;
    t.id = { ...t.id, fingerprint: fingerprintOf(prefix), fpLen: prefix.length };
    updateEntry(t, { fingerprint: t.id.fingerprint, fpLen: t.id.fpLen });
    return true;
  }

  /** Size went below the read position (truncate / copytruncate): retire the identity, re-adopt from 0. */
  async function onTruncated(t: Tracked): Promise<void> {
    counters.truncations++;
    const e = store.get(t.id.fileId);
    if (e) store.set(t.id.fileId, { ...e, retired: true, goneAt: Date.now(), updatedAt: Date.now() });
    await closeFile(t, false);
    if (running) void scheduleScan();
  }

  async function closeFile(t: Tracked, markGone = true): Promise<void> {
    t.closing = true;
    open_.delete(t.id.fileId);
    if (byInode.get(inodeKey(t.id.dev, t.id.ino)) === t) byInode.delete(inodeKey(t.id.dev, t.id.ino));
    if (markGone) {
      const e = store.get(t.id.fileId);
      if (e) store.set(t.id.fileId, { ...e, goneAt: Date.now(), ...(t.deleted ? { retired: true } : {}) });
    }
    await t.fh.close().catch(() => undefined);
  }

  function updateEntry(t: Tracked, patch: Partial<CheckpointEntry>): void {
    const e = store.get(t.id.fileId);
    if (e) store.set(t.id.fileId, { ...e, ...patch, updatedAt: Date.now() });
  }

  function pruneForgotten(): void {
    const now = Date.now();
    for (const [id, e] of [...store.all()]) {
      if (e.goneAt !== undefined && now - e.goneAt >= forgetAfterMs && !open_.has(id)) store.delete(id);
    }
  }

  // ---- the Tailer -------------------------------------------------------------------------------------------

  store.onHealthChange = (healthy) => {
    if (healthy && running) kickAll();
  };

  return {
    async start() {
      if (running) return;
      await store.load(opts.resetCheckpoints ?? false);
      try {
        await store.flush(); // prove the state dir is writable before reading anything
      } catch (err) {
        throw new CheckpointError(
          store.file,
          `state dir is not writable (${err instanceof Error ? err.message : String(err)})`,
          'fix --state-dir (it must be a writable directory)',
        );
      }
      running = true;
      for (const w of dirs) ensureWatch(w);
      await scheduleScan(true);
      pollTimer = setInterval(tick, pollMs);
    },

    async stop() {
      running = false;
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = undefined;
      for (const w of watchers.values()) w.close();
      watchers.clear();
      for (let i = 0; scanning && i < 100; i++) await scanning;
      const files = [...open_.values()];
      await Promise.all(files.map((t) => t.pump));
      await Promise.all(files.map((t) => closeFile(t, false)));
    },

    commit(fileId, offset) {
      const e = store.get(fileId);
      if (!e) return Promise.resolve(); // forgotten after its grace period: nothing left to record
      const t = open_.get(fileId);
      if (t && offset > t.splitter.offset) {
        return Promise.reject(
          new RangeError(
            `commit(${fileId}, ${offset}): past the delivered offset ${t.splitter.offset} of ${t.path}`,
          ),
        );
      }
      if (offset > e.offset) store.set(fileId, { ...e, offset, updatedAt: Date.now() });
      return store.persisted();
    },

    files() {
      return [...open_.values()].map(snapshot);
    },

    ready() {
      return running && store.healthy;
    },

    pause() {
      paused = true;
    },

    resume() {
      if (!paused) return;
      paused = false;
      if (running) kickAll();
    },

    flushCheckpoints() {
      return store.flush();
    },

    stats() {
      return {
        ...counters,
        watchedDirs: watchers.size,
        openFiles: open_.size,
        checkpointWrites: store.writes,
        checkpointFailures: store.failures,
        checkpointError: store.lastError ?? '',
      };
    },
  };
}

function statBig(p: string) {
  return stat(p, { bigint: true });
}

export { CheckpointError, CheckpointWriteError } from './checkpoint-store.ts';
export { GlobError } from './discovery.ts';
