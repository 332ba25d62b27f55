// One input file (or stdin) as a stream of event batches: bytes → lines → parse → multi-line fold, each source
// on its own, so a source's last event never swallows another's lines and every source can be merged by time.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { LogEvent, RawLine } from '../core/types.ts';
import { LineSplitter } from '../decode/lines.ts';
import { MultilineStage, ParseStage } from '../parse/index.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import type { Stage } from '../pipeline/stage.ts';

export interface SourceReadOptions {
  maxLineBytes?: number;
  /** The per-source parse stage (default: ParseStage); per-source format detection goes here. */
  parse?: () => Stage<RawLine, LogEvent>;
}

export interface SourceCounters {
  /** Called per chunk read: lines cut and bytes read (progress, summary). */
  onLines(lines: number, bytes: number): void;
  /** Continuation lines folded, summed over sources. */
  folded: number;
}

/** Batches of parsed, folded events from one input, in the input's order. */
export async function* readSourceEvents(
  path: string,
  opts: SourceReadOptions,
  counters: SourceCounters,
): AsyncGenerator<LogEvent[]> {
  const multiline = new MultilineStage();
  const pipeline = new Pipeline<RawLine, LogEvent>([opts.parse?.() ?? new ParseStage(), multiline]);
  // Read streams hand out a new buffer per chunk, so lines can borrow it rather than copy.
  const splitter = new LineSplitter(path, 0, { maxLineBytes: opts.maxLineBytes, chunksAreFresh: true });
  const stream: Readable =
    path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const lines = splitter.push(chunk);
      counters.onLines(lines.length, chunk.length);
      yield pipeline.run(lines);
    }
    const tail = splitter.end();
    counters.onLines(tail.length, 0);
    yield pipeline.run(tail);
    yield pipeline.flush();
  } finally {
    counters.folded += multiline.folded;
    if (path !== '-') stream.destroy();
  }
}
