// Stands in for the file tailer in service tests: the test feeds lines; commits and pauses are recorded.
// The real tailer is exercised in test/integration/tail-*.test.ts.
import type { RawLine } from '../../analyzer/src/core/types.ts';
import type { FollowedFile, LinesHandler, Tailer } from '../../analyzer/src/source/types.ts';

export class TailerStandIn implements Tailer {
  readonly commits: [string, number][] = [];
  paused = false;
  file: FollowedFile = { fileId: 'f1', path: '/logs/a.log', readOffset: 0, committedOffset: 0, size: 0 };
  private offset = 0;
  constructor(private readonly onLines: LinesHandler) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async commit(fileId: string, offset: number): Promise<void> {
    this.commits.push([fileId, offset]);
    this.file.committedOffset = offset;
  }
  async flushCheckpoints(): Promise<void> {}
  files(): FollowedFile[] {
    return [this.file];
  }
  ready(): boolean {
    return true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  stats() {
    return {} as ReturnType<Tailer['stats']>;
  }
  /** A new file took this one's place (rotation): the next lines start at offset 0. */
  restartOffsets(): void {
    this.offset = 0;
  }
  /** Deliver these texts as the next lines of the file (one newline each). */
  async feed(texts: string[]): Promise<void> {
    const lines: RawLine[] = texts.map((t, i) => {
      const bytes = Buffer.from(t);
      const line = {
        source: this.file.path,
        fileId: this.file.fileId,
        offset: this.offset,
        nextOffset: this.offset + bytes.length + 1,
        lineNo: i + 1,
        bytes,
      };
      this.offset = line.nextOffset;
      return line;
    });
    this.file.size = this.file.readOffset = this.offset;
    await this.onLines(lines, this.file);
  }
}
