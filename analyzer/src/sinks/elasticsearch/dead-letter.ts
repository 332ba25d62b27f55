// Documents Elasticsearch refuses for good go to a JSON-lines file (error + document), so they can be fixed and
// replayed, and they stop blocking the stream. A write is awaited before the item is acked.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DeadLetter {
  at: string;
  index: string;
  id: string;
  status: number;
  error: unknown;
  /** The document exactly as it was sent (the JSON line). */
  doc: unknown;
}

export class DeadLetterFile {
  private dirReady = false;
  constructor(readonly path: string) {}

  async append(entries: DeadLetter[]): Promise<void> {
    if (entries.length === 0) return;
    if (!this.dirReady) {
      await mkdir(dirname(this.path), { recursive: true });
      this.dirReady = true;
    }
    await appendFile(this.path, entries.map((e) => JSON.stringify(e)).join('\n') + '\n', 'utf8');
  }
}
