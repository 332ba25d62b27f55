// The contract between the file tailer (source) and the service that wires it. Fixed; the tailer implements it.
import type { RawLine } from '../core/types.ts';

export interface TailerOptions {
  /** Glob patterns of files to follow, e.g. /var/log/app/*.log */
  globs: string[];
  /** Directory for checkpoint files (created if missing). */
  stateDir: string;
  /** Ignore (and overwrite) corrupt or existing checkpoints instead of refusing to start. */
  resetCheckpoints?: boolean;
  /** Where a file with no checkpoint starts: 'beginning' (default) or 'end'. */
  startAt?: 'beginning' | 'end';
  /** Fallback stat poll period (fs.watch is primary). Default 1000 ms. */
  pollMs?: number;
  /** Bytes read per read() call. Default 256 KiB. */
  chunkBytes?: number;
  /** Longest line kept (LineSplitter maxLineBytes). Default 1 MiB. */
  maxLineBytes?: number;
  /** Bytes hashed for a file's fingerprint (identity). Default 1024, like Filebeat's fingerprint identity. */
  fingerprintBytes?: number;
  /** Coalescing window for checkpoint writes: at most one write per this many ms. Default 200. */
  checkpointIntervalMs?: number;
  /**
   * A file that left the globs (renamed away, deleted) is read to EOF and closed once it has not grown for this
   * long (a writer may still hold it open right after a rotation). Default 5000.
   */
  closeInactiveMs?: number;
  /** Checkpoints of files no longer followed are dropped after this grace period. Default 15 min. */
  forgetAfterMs?: number;
}

/** Debug counters (idle-cost checks, /stats). Counts, not timings. */
export interface TailerStats {
  /** read() calls on followed files (content and fingerprint reads). */
  reads: number;
  bytesRead: number;
  /** stat/fstat/readdir calls. */
  statCalls: number;
  /** Poll ticks so far (the stat-poll fallback). */
  pollTicks: number;
  /** Directory scans (poll ticks + watch-triggered). */
  scans: number;
  watchEvents: number;
  /** Directories with a live fs.watch. */
  watchedDirs: number;
  openFiles: number;
  linesDelivered: number;
  truncations: number;
  rotations: number;
  checkpointWrites: number;
  checkpointFailures: number;
  /** Last checkpoint write error, '' when healthy. */
  checkpointError: string;
  /** Errors thrown by onLines (the lines are not re-delivered) or by file I/O. */
  errors: number;
  lastError: string;
}

/** What the tailer knows about a followed file (for /stats, lag metrics, ES _id). */
export interface FollowedFile {
  /** Stable identity: fingerprint of the first bytes + dev/ino. Equals RawLine.fileId. */
  fileId: string;
  path: string;
  /** Bytes read and split into lines so far (the read position, past held partial line excluded). */
  readOffset: number;
  /** Last persisted checkpoint (acked offset). */
  committedOffset: number;
  size: number;
}

/**
 * Delivers new complete lines of followed files. `onLines` is awaited before the tailer reads more, which is
 * the backpressure path (a slow sink slows reading; memory stays bounded).
 */
export type LinesHandler = (lines: RawLine[], file: FollowedFile) => void | Promise<void>;

export interface Tailer {
  start(): Promise<void>;
  /** Stop reading; resolves when no read is in flight. Checkpoints are NOT written here (see commit). */
  stop(): Promise<void>;
  /**
   * Record that everything before `offset` of `fileId` is handled; persisted atomically (temp+fsync+rename).
   * Writes are coalesced: the promise settles when the write carrying this offset lands (≤ checkpointIntervalMs
   * later) and REJECTS (CheckpointWriteError) when it fails — callers must catch. Lower offsets than the current
   * one are ignored; an offset past what was delivered rejects (RangeError); unknown fileIds are ignored.
   */
  commit(fileId: string, offset: number): Promise<void>;
  files(): FollowedFile[];
  /** True while sources are open and the state dir is writable (feeds /readyz). */
  ready(): boolean;
  /** Pause/resume reading (backpressure from sinks, e.g. Elasticsearch down). */
  pause(): void;
  resume(): void;
  /**
   * Write pending checkpoints now instead of within the coalescing window; rejects if the write fails.
   * Shutdown order: `await stop()`, drain the pipeline, `commit()` the final acked offsets, `await flushCheckpoints()`.
   */
  flushCheckpoints(): Promise<void>;
  stats(): TailerStats;
}
