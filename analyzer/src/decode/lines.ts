// Bytes → lines, keeping byte offsets. A partial last line is held back until its newline arrives, so a
// checkpoint taken at `offset` never splits a line. Over-long lines are cut at `maxLineBytes` and the rest of
// the line is skipped (counted via `truncated`), so one 20 MB line cannot blow the memory bound.
import type { RawLine } from '../core/types.ts';

const LF = 0x0a;
const CR = 0x0d;

export interface LineSplitterOptions {
  /** Longest line kept, in bytes; longer ones are cut. Default 1 MiB. */
  maxLineBytes?: number;
  /** Line number of the first line (for resumed reads the true number is unknown: 1 is fine). */
  firstLineNo?: number;
  /**
   * The caller never reuses a chunk's memory after push() (e.g. a fresh buffer per read): lines may then be
   * views into it instead of copies. Default false (copy), which is safe for callers that read into one buffer.
   */
  chunksAreFresh?: boolean;
}

export class LineSplitter {
  private readonly maxLineBytes: number;
  private readonly borrow: boolean;
  /** Held bytes of the unterminated tail (at most maxLineBytes). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Bytes of the current line seen so far, including bytes skipped after truncation. */
  private lineBytesSeen = 0;
  private lineStart: number;
  private lineNo: number;

  constructor(
    readonly source: string,
    startOffset = 0,
    opts: LineSplitterOptions = {},
  ) {
    this.maxLineBytes = opts.maxLineBytes ?? 1024 * 1024;
    this.borrow = opts.chunksAreFresh ?? false;
    this.lineStart = startOffset;
    this.lineNo = opts.firstLineNo ?? 1;
  }

  /** Offset just past the last complete line emitted: a safe checkpoint. */
  get offset(): number {
    return this.lineStart;
  }

  /** Bytes read but not yet emitted (the partial last line). */
  get pendingBytes(): number {
    return this.lineBytesSeen;
  }

  /** Feed a chunk; returns the lines it completes. */
  push(chunk: Buffer): RawLine[] {
    const out: RawLine[] = [];
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(LF, from);
      if (nl === -1) {
        this.hold(chunk.subarray(from));
        break;
      }
      const piece = chunk.subarray(from, nl);
      const total = this.lineBytesSeen + piece.length + 1;
      let bytes: Buffer;
      let truncated = this.lineBytesSeen > this.heldBytes;
      if (this.heldBytes === 0 && !truncated) {
        // Fast path: the whole line is inside this chunk. With fresh chunks a view, not a copy: lines are
        // parsed and dropped batch by batch, so the view pins the chunk only until its batch is done.
        const whole = piece.length > this.maxLineBytes ? piece.subarray(0, this.maxLineBytes) : piece;
        if (whole !== piece) truncated = true;
        bytes = this.borrow ? whole : Buffer.from(whole);
      } else {
        const room = this.maxLineBytes - this.heldBytes;
        if (piece.length > room) truncated = true;
        this.held.push(piece.subarray(0, Math.max(0, room)));
        bytes = Buffer.concat(this.held);
      }
      out.push(this.emit(stripCR(bytes), total, truncated));
      from = nl + 1;
    }
    return out;
  }

  /** End of a finite input: the unterminated tail becomes a last line (the CLI wants it; a tailer does not). */
  end(): RawLine[] {
    if (this.lineBytesSeen === 0) return [];
    const bytes = Buffer.concat(this.held);
    const truncated = this.lineBytesSeen > this.heldBytes;
    return [this.emit(stripCR(bytes), this.lineBytesSeen, truncated)];
  }

  private hold(part: Buffer): void {
    this.lineBytesSeen += part.length;
    const room = this.maxLineBytes - this.heldBytes;
    if (room <= 0) return;
    // Copy: holding a subarray would pin the whole (possibly large) read buffer.
    const kept = Buffer.from(part.subarray(0, room));
    this.held.push(kept);
    this.heldBytes += kept.length;
  }

  private emit(bytes: Buffer, totalBytes: number, truncated: boolean): RawLine {
    const line: RawLine = {
      source: this.source,
      offset: this.lineStart,
      nextOffset: this.lineStart + totalBytes,
      lineNo: this.lineNo++,
      bytes,
    };
    if (truncated) line.truncated = true;
    this.lineStart += totalBytes;
    this.held = [];
    this.heldBytes = 0;
    this.lineBytesSeen = 0;
    return line;
  }
}

function stripCR(b: Buffer): Buffer {
  return b.length > 0 && b[b.length - 1] === CR ? b.subarray(0, b.length - 1) : b;
}
