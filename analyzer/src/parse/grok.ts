// A catalog pattern as Elasticsearch grok (Joni, Ruby syntax) must read it inside the ingest pipeline:
//  - group names prefixed with the format's index (`c7_ts`), so one grok processor can hold every format and
//    the prefix tells which one matched; an empty marker group `(?<c7_fmt>)` says it outright;
//  - `^` becomes `\A` (in Ruby `^` matches after any newline of a multi-line event);
//  - the message capture `(?<msg>.*)` becomes `(?<c7_msg>(?:.|\n)*)`: grok's `.` stops at `\n`, and the
//    pipeline sees a multi-line event (stack trace) as one message.
import type { FormatSpec } from './catalog/schema.ts';
import { groupIndices } from './pattern.ts';

export const grokPrefix = (index: number) => `c${index}_`;
export const grokMarker = (index: number) => `c${index}_fmt`;

/** The grok form of a regex/seed format's pattern (throws for structured decoders). */
export function toGrokPattern(spec: FormatSpec, index: number): string {
  if (spec.pattern === undefined) throw new Error(`format '${spec.name}' has no pattern`);
  const prefix = grokPrefix(index);
  const msg = spec.message?.from[0];
  let src = spec.pattern.replace(/\(\?<([a-z][a-z0-9_]*)>/g, (_, name: string) => `(?<${prefix}${name}>`);
  if (msg !== undefined) src = src.replace(`(?<${prefix}${msg}>.*)`, `(?<${prefix}${msg}>(?:.|\\n)*)`);
  return `\\A(?<${grokMarker(index)}>)${src.slice(1)}`;
}

/** The captures a grok pattern of this format sets (prefixed names), marker included. */
export function grokCaptureNames(spec: FormatSpec, index: number): string[] {
  const prefix = grokPrefix(index);
  return [grokMarker(index), ...[...groupIndices(spec.pattern ?? '').keys()].map((n) => `${prefix}${n}`)];
}
