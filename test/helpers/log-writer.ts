// Test helpers for the file tailer: a writer that appends numbered lines through an open fd (like a real app,
// so writes after a rename land in the rotated file), rotation/truncation moves, temp dirs, bounded waits.
import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RawLine } from '../../analyzer/src/core/types.ts';

export function makeTempDir(prefix = 'crumbtrail-tail-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Appends numbered lines `<tag> <seq> <padding>` to `file` through one fd; remembers every complete line. */
export class LogWriter {
  private fd: number;
  private seq = 0;
  /** Every complete line written, in order (without the newline). The ground truth. */
  readonly written: string[] = [];

  constructor(
    readonly file: string,
    private readonly tag = 'line',
    private readonly padding = 40,
  ) {
    this.fd = openSync(file, 'a');
  }

  /** The next line's text (without newline). */
  nextLine(): string {
    const n = this.seq++;
    return `${this.tag} ${String(n).padStart(8, '0')} ${'x'.repeat(this.padding + (n % 7))}`;
  }

  write(count = 1): void {
    let out = '';
    for (let i = 0; i < count; i++) {
      const l = this.nextLine();
      this.written.push(l);
      out += `${l}\n`;
    }
    writeSync(this.fd, out);
  }

  /** Writes raw text (e.g. half a line); the caller keeps the ground truth for it. */
  raw(text: string): void {
    writeSync(this.fd, text);
  }

  /** logrotate `create` mode: rename the file away, keep writing to the old fd for `lateLines`, then reopen. */
  rotateRename(to: string, lateLines = 0): void {
    renameSync(this.file, to);
    if (lateLines > 0) this.write(lateLines);
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
  }

  /** logrotate `copytruncate`: copy the content away, then truncate the live file in place (same fd, O_APPEND). */
  async copyTruncate(to: string): Promise<void> {
    await copyFile(this.file, to);
    ftruncateSync(this.fd, 0);
  }

  /** Truncate in place through the path (e.g. `: > app.log`). */
  truncate(): void {
    truncateSync(this.file, 0);
  }

  close(): void {
    closeSync(this.fd);
  }
}

// The polling helpers live in wait.ts; re-exported here for the tailer tests that import them from this file.
export { sleep, waitFor } from './wait.ts';

/** Collects delivered lines as text (plus the raw lines, for offsets). */
export class LineCollector {
  readonly lines: RawLine[] = [];
  get texts(): string[] {
    return this.lines.map((l) => l.bytes.toString('utf8'));
  }
  readonly handler = (lines: RawLine[]): void => {
    this.lines.push(...lines);
  };
}

/** Lines that occur more than once, and expected lines never seen. */
export function diffLines(
  expected: readonly string[],
  got: readonly string[],
): { dupes: string[]; missing: string[] } {
  const counts = new Map<string, number>();
  for (const g of got) counts.set(g, (counts.get(g) ?? 0) + 1);
  const dupes = [...counts].filter(([, n]) => n > 1).map(([l]) => l);
  const missing = expected.filter((e) => !counts.has(e));
  return { dupes, missing };
}
