// The format catalog's types: what one entry of analyzer/formats/*.yml says, after validation.
import type { Level } from '../../core/types.ts';

/** How a format reads a line: a regular expression with named captures, or a structured decoder. */
export type Decoder = 'seed' | 'regex' | 'json' | 'logfmt' | 'docker-json' | 'cri';
export const DECODERS: readonly Decoder[] = ['seed', 'regex', 'json', 'logfmt', 'docker-json', 'cri'];

/** Timestamp shapes the analyzer reads (parse/timestamp.ts); each has Elasticsearch `date` formats. */
export type TimestampKind =
  | 'iso8601'
  | 'epoch'
  | 'syslog'
  | 'clf'
  | 'ctime'
  | 'ymd-slash'
  | 'yymmdd'
  | 'yy-slash'
  | 'klog'
  | 'md-time'
  | 'dmy-month'
  | 'any';

/** How a level value becomes one of ours: a word (with the format's own vocabulary), or a number scale. */
export type LevelKind = 'name' | 'pino' | 'syslog-pri' | 'syslog-severity' | 'http-status';

/** Where a value comes from: a named capture (regex) or the first present key (json/logfmt, or kv in a message). */
export interface Source {
  from: string[];
}

export interface FormatExample {
  line: string;
  /** Expected values; only the keys given are checked. `timestamp` is ISO 8601 (UTC) or null. */
  expect: {
    timestamp?: string | null;
    level?: Level;
    rawLevel?: string;
    component?: string;
    message?: string;
    ecs?: Record<string, string | number | boolean | null>;
  };
  /** Reference time for year-less timestamps (ISO); default 2024-12-31T00:00:00Z. */
  ref?: string;
}

export interface FormatSpec {
  name: string;
  family: string;
  title: string;
  /** Catalog file and line the entry starts at (for messages). */
  file: string;
  line: number;
  decoder: Decoder;
  /** Higher wins a detection tie (specific before general); the generic fallback has the lowest. */
  priority: number;
  /** regex (and seed, for the ingest pipeline): one line, named captures `(?<name>…)`. */
  pattern?: string;
  /** json / logfmt: keys that must all be present for a line to count as this format. */
  requireKeys: string[];
  timestamp?: Source & { kind: TimestampKind };
  level?: Source & { kind: LevelKind; map: Record<string, Level> };
  component?: Source;
  message?: Source;
  /** capture or key → ECS field (`pid: process.pid`). */
  fields: Record<string, string>;
  /** When the line gives no level: take a leading level word of the message (`error: …`, `[warn] …`). */
  levelFromMessage: boolean;
  /** Read key=value pairs out of the message into `fields` (regex formats; default true). */
  kv: boolean;
  /** Lines NOT matching this start a new event only if they match; others continue the event above. */
  multilineStart?: string;
  examples: FormatExample[];
}

export interface Catalog {
  formats: FormatSpec[];
  /** Files read, in order. */
  files: string[];
}
