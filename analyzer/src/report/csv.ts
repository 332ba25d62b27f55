// Streaming CSV exports: one row per breadcrumb, and the seed's "critical breadcrumbs" export.
// The CLI feeds up to millions of rows, so rows go through a csv-stringify stream into a file stream and
// `write` waits for 'drain' whenever the buffers are full (memory stays flat however big the input is).
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { type Stringifier, stringify } from 'csv-stringify';
import type {
  AnomalyFinding,
  AnomalyFindings,
  Breadcrumb,
  ClassifiedEvent,
  FieldValue,
  Level,
  LogEvent,
} from '../core/types.ts';

export interface CsvWriterOptions {
  /** Prepend a UTF-8 byte order mark: makes Excel read emoji/UTF-8 right, but confuses some other tools. */
  bom?: boolean;
}

type Cell = string | number;

/** Owns the stringifier → file stream pair; subclasses only say which columns and how an item maps to a row. */
abstract class CsvFileWriter<T> {
  readonly path: string;
  private readonly csv: Stringifier;
  private readonly file: WriteStream;
  private readonly done: Promise<void>;
  private failure: Error | null = null;
  private closed = false;
  private count = 0;
  private waits = 0;

  protected constructor(path: string, columns: readonly string[], opts: CsvWriterOptions) {
    this.path = path;
    this.csv = stringify({
      header: true,
      columns: [...columns],
      // RFC 4180: CRLF between records; fields holding a comma, quote, CR or LF are quoted, quotes doubled.
      record_delimiter: 'windows',
      // With a custom record_delimiter csv-stringify stops quoting lone \n / \r unless told to; a message
      // holding one would otherwise split the record in every reader.
      quote_record_delimiter: true,
      // Log lines are attacker-controlled and these files get opened in spreadsheets: a cell starting with
      // = + - @ TAB or CR (or their full-width forms) would run as a formula (e.g. =HYPERLINK or DDE
      // payloads). csv-stringify prefixes such cells with ' so they show as text (OWASP "CSV injection").
      // Numbers (a negative offset, say) are left alone.
      escape_formulas: true,
      bom: opts.bom === true,
    });
    this.file = createWriteStream(path);
    this.done = pipeline(this.csv, this.file);
    // Remember the first failure (e.g. the directory does not exist) so write/close can report it.
    this.done.catch((err: unknown) => {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
    });
  }

  /** Rows written so far (header excluded). */
  get rows(): number {
    return this.count;
  }

  /** How many writes had to wait for 'drain' (backpressure from the file). */
  get drainWaits(): number {
    return this.waits;
  }

  /** Map an item to its row, or null to skip it. */
  protected abstract toRow(item: T): Cell[] | null;

  /** Queue one item; resolves at once unless the buffers are full, then after they drain. */
  protected async push(item: T): Promise<void> {
    if (this.failure) throw this.wrap(this.failure);
    if (this.closed) throw new Error(`CSV writer for ${this.path} is closed; write() after close()`);
    const row = this.toRow(item);
    if (row === null) return;
    this.count++;
    if (this.csv.write(row)) return;
    // Backpressure: wait for 'drain', but don't hang if the pipeline fails meanwhile.
    this.waits++;
    await Promise.race([once(this.csv, 'drain'), this.done]);
    if (this.failure) throw this.wrap(this.failure);
  }

  /** Flush everything and close the file. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.csv.end();
    }
    try {
      await this.done;
    } catch (err) {
      throw this.wrap(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private wrap(err: Error): Error {
    return new Error(
      `cannot write CSV ${this.path}: ${err.message} (check the --out directory exists and is writable)`,
      {
        cause: err,
      },
    );
  }
}

export const BREADCRUMB_CSV_COLUMNS = [
  'time',
  'incident_id',
  'category',
  'symbol',
  'severity',
  'rule_id',
  'level',
  'component',
  'message',
  'trace_id',
  'source',
  'offset',
  'fields',
] as const;

/** breadcrumbs.csv: one row per breadcrumb (every one, not the HTML's capped sample). */
export class BreadcrumbCsvWriter extends CsvFileWriter<Breadcrumb> {
  constructor(path: string, opts: CsvWriterOptions = {}) {
    super(path, BREADCRUMB_CSV_COLUMNS, opts);
  }
  write(b: Breadcrumb): Promise<void> {
    return this.push(b);
  }
  protected toRow(b: Breadcrumb): Cell[] {
    const e = b.event;
    return [
      isoTime(e.timestamp),
      b.incidentId ?? '',
      b.category,
      b.symbol,
      b.severity,
      b.ruleId,
      e.level,
      e.component,
      e.message,
      e.traceId ?? '',
      e.source,
      e.offset,
      formatFields(e.fields),
    ];
  }
}

export const CRITICAL_CSV_COLUMNS = [
  'time',
  'level',
  'component',
  'message',
  'category',
  'incident_id',
  'source',
  'offset',
] as const;

const CRITICAL_LEVELS: ReadonlySet<Level> = new Set<Level>(['ERROR', 'CRITICAL', 'FATAL']);

/** The levels that go into critical.csv (and count as "critical" in the per-minute chart). */
export function isCriticalLevel(level: Level): boolean {
  return CRITICAL_LEVELS.has(level);
}

/**
 * critical.csv (the seed's "critical breadcrumbs" export): every ERROR/CRITICAL/FATAL event, classified or
 * not. Feed it every classified event; other levels are skipped here so the CLI needs no filter of its own.
 */
export class CriticalCsvWriter extends CsvFileWriter<ClassifiedEvent> {
  constructor(path: string, opts: CsvWriterOptions = {}) {
    super(path, CRITICAL_CSV_COLUMNS, opts);
  }
  write(item: ClassifiedEvent | LogEvent): Promise<void> {
    return this.push('event' in item ? item : { event: item, breadcrumb: null });
  }
  protected toRow({ event: e, breadcrumb: b }: ClassifiedEvent): Cell[] | null {
    if (!isCriticalLevel(e.level)) return null;
    return [
      isoTime(e.timestamp),
      e.level,
      e.component,
      e.message,
      b?.category ?? '',
      b?.incidentId ?? '',
      e.source,
      e.offset,
    ];
  }
}

export const ANOMALY_CSV_COLUMNS = [
  'time',
  'sev',
  'series',
  'value',
  'mean',
  'sigma',
  'z',
  'percentile',
  'threshold',
  'baseline',
  'baseline_scope',
  'fell_back',
  'baseline_n',
] as const;

/** anomalies.csv: one row per anomalous (series, minute), worst first as the pass returns them. */
export class AnomalyCsvWriter extends CsvFileWriter<AnomalyFinding> {
  private readonly baseline: string;
  constructor(path: string, findings: Pick<AnomalyFindings, 'baseline'>, opts: CsvWriterOptions = {}) {
    super(path, ANOMALY_CSV_COLUMNS, opts);
    // 'input': learned from the analysed input itself; 'store': an anomaly store's history.
    this.baseline = findings.baseline;
  }
  write(a: AnomalyFinding): Promise<void> {
    return this.push(a);
  }
  protected toRow(a: AnomalyFinding): Cell[] {
    return [
      isoTime(a.at),
      a.sev,
      a.series,
      round(a.value),
      round(a.mean),
      round(a.sd),
      round(a.z),
      a.percentile,
      round(a.threshold),
      this.baseline,
      a.scope,
      a.fellBack ? 'true' : 'false',
      a.baselineN,
    ];
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function isoTime(ms: number | null): string {
  return ms === null || !Number.isFinite(ms) ? '' : new Date(ms).toISOString();
}

/** `k=v;k2=v2` — values with ; or = are JSON-quoted so the cell can be split back unambiguously. */
export function formatFields(fields: Record<string, FieldValue>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    const s = v === null ? 'null' : String(v);
    parts.push(`${k}=${/[;="]/.test(s) ? JSON.stringify(s) : s}`);
  }
  return parts.join(';');
}
