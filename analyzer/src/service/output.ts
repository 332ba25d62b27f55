// --output FILE: every processed event as one JSON line. Events are buffered per batch and written by drain(),
// which the service awaits before reading more: a slow disk slows reading instead of growing memory. A write
// error (disk full, read-only file system, the directory gone) pauses the output instead of crashing: drain()
// keeps the unwritten lines, reports the reason (readiness), retries, and resumes once a write lands. Until
// then commit() holds each file's checkpoint below the first unwritten event (floorOf), so a kill while
// paused re-reads those lines instead of losing them.

import { type FileHandle, open } from 'node:fs/promises';
import type { ClassifiedEvent } from '../core/types.ts';

export interface OutputEvents {
  paused(reason: string): void;
  resumed(): void;
}

export interface JsonLinesWriterOptions {
  /** Wait between retries while paused. */
  retryMs?: number;
  events?: OutputEvents;
}

export class JsonLinesWriter {
  private fh: FileHandle | null = null;
  private buffer: string[] = [];
  /** Per file (fileId or source): the offset of the first buffered, not yet written event. */
  private readonly floors = new Map<string, number>();
  private pausedReason: string | null = null;
  private closed = false;
  private draining: Promise<void> | null = null;
  private readonly retryMs: number;
  /** Lines that were still unwritten when close() gave up (reported by the service). */
  unwrittenAtClose = 0;
  written = 0;

  constructor(
    readonly path: string,
    private readonly opts: JsonLinesWriterOptions = {},
  ) {
    this.retryMs = opts.retryMs ?? 1000;
  }

  get paused(): string | null {
    return this.pausedReason;
  }

  write(ce: ClassifiedEvent): void {
    const b = ce.breadcrumb;
    // Splice the breadcrumb into the event's JSON rather than spreading the event into a new object: object
    // spread measured ~20 µs per call on Node 20, literal building well under 1 µs.
    const event = JSON.stringify(ce.event);
    const crumb = b
      ? JSON.stringify({ category: b.category, symbol: b.symbol, severity: b.severity, ruleId: b.ruleId })
      : 'null';
    this.buffer.push(`${event.slice(0, -1)},"breadcrumb":${crumb}}\n`);
    const key = ce.event.fileId ?? ce.event.source;
    if (!this.floors.has(key)) this.floors.set(key, ce.event.offset);
  }

  /** The checkpoint of `key` must stay at or below this while lines of it are unwritten. */
  floorOf(key: string): number | undefined {
    return this.floors.get(key);
  }

  /** Write what is buffered; while writes fail, keep retrying (paused) until one lands or close() is called. */
  drain(): Promise<void> {
    this.draining ??= this.drainLoop().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    while (this.buffer.length > 0) {
      try {
        await this.writeBuffered();
        if (this.pausedReason !== null) {
          this.pausedReason = null;
          this.opts.events?.resumed();
        }
      } catch (err) {
        const reason = describe(err, this.path);
        await this.fh?.close().catch(() => undefined);
        this.fh = null;
        if (this.pausedReason === null) this.opts.events?.paused(reason);
        this.pausedReason = reason;
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, this.retryMs));
        if (this.closed) return;
      }
    }
  }

  private async writeBuffered(): Promise<void> {
    const fh = await this.handle();
    let data = Buffer.from(this.buffer.join(''));
    while (data.length > 0) {
      // A short write (the disk filled mid-way) leaves the rest for the next attempt, byte-exact.
      const { bytesWritten } = await fh.write(data, 0, data.length, null);
      data = data.subarray(bytesWritten);
      if (data.length > 0) this.buffer = [data.toString()];
    }
    this.written += this.buffer.length;
    this.buffer = [];
    this.floors.clear();
  }

  /** The open file; reopened when it was deleted or its directory vanished (writes there would go nowhere). */
  private async handle(): Promise<FileHandle> {
    if (this.fh) {
      const st = await this.fh.stat();
      if (st.nlink > 0) return this.fh;
      await this.fh.close().catch(() => undefined);
      this.fh = null;
    }
    this.fh = await open(this.path, 'a');
    return this.fh;
  }

  /** Final drain, bounded: gives up at `deadline` (epoch ms) and counts what stayed unwritten. */
  async close(deadline = Date.now() + 5000): Promise<void> {
    if (this.buffer.length > 0 && this.pausedReason === null) {
      const timer = new Promise<void>((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref());
      await Promise.race([this.drain(), timer]);
    }
    this.closed = true;
    await this.draining;
    this.unwrittenAtClose = this.buffer.length;
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }
}

function describe(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  const hint =
    code === 'ENOSPC'
      ? 'disk full'
      : code === 'EROFS'
        ? 'read-only file system'
        : code === 'ENOENT'
          ? 'the directory is gone'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (err as Error).message;
  return `cannot write ${path}: ${code ?? 'error'} (${hint}); retrying`;
}
