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
  /** Record that everything before `offset` of `fileId` is handled; persisted atomically (temp+fsync+rename). */
  commit(fileId: string, offset: number): Promise<void>;
  files(): FollowedFile[];
  /** True while sources are open and the state dir is writable (feeds /readyz). */
  ready(): boolean;
  /** Pause/resume reading (backpressure from sinks, e.g. Elasticsearch down). */
  pause(): void;
  resume(): void;
}
