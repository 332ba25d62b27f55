// Streaming CSV exports: one row per breadcrumb, and the seed's "critical breadcrumbs" export.
// The CLI feeds up to millions of rows, so each row is built as one string and encoded at once into a 1 MiB
// buffer; each full buffer goes to the file stream, and a write waits for 'drain' only when the file falls two
// chunks behind. Memory stays flat however big the input is, the common row costs one template string and
// one UTF-8 encode (not a stream write), and no row text outlives its row (a long rope of rows would pin the
// log lines its cells slice into until the chunk is written).
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
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

/** Bytes of CSV gathered before one write to the file. */
export const CSV_CHUNK_BYTES = 1 << 20;
/** A UTF-16 code unit takes at most 3 bytes of UTF-8. */
const MAX_UTF8_PER_CHAR = 3;

// RFC 4180 needs quotes around a comma, quote, CR or LF. `;` too: spreadsheets in locales whose list
// separator is `;` split unquoted cells there, and the piece after it would start a new (formula) cell.
const NEEDS_QUOTES = /[",;\r\n]/;

/**
 * One CSV cell from text that may come from a log line (attacker-controlled). Quoted only when needed. A cell
 * starting with = + - @ TAB or CR (or the full-width ＝ ＋ － ＠) would run as a formula in a spreadsheet
 * (=HYPERLINK, DDE payloads): as OWASP advises for CSV injection it gets a leading ' (shown as text) and is
 * quoted, so no separator inside it can start a new cell either.
 */
export function csvCell(s: string): string {
  if (s === '') return s;
  if (startsLikeFormula(s.charCodeAt(0))) return `"'${s.replaceAll('"', '""')}"`;
  if (!NEEDS_QUOTES.test(s)) return s;
  return `"${s.replaceAll('"', '""')}"`;
}

function startsLikeFormula(c: number): boolean {
  return (
    c === 0x3d || // =
    c === 0x2b || // +
    c === 0x2d || // -
    c === 0x40 || // @
    c === 0x09 || // TAB
    c === 0x0d || // CR
    c === 0xff1d || // ＝
    c === 0xff0b || // ＋
    c === 0xff0d || // －
    c === 0xff20 // ＠
  );
}

/** `'000'` … `'999'` followed by Z: the tail of an ISO timestamp. */
const MILLIS_Z = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, '0')}Z`);
/** Date's own range (±8.64e15 ms); outside it toISOString throws. */
const MAX_DATE_MS = 8.64e15;

/**
 * ISO 8601 UTC text for epoch ms, `2024-01-02T03:04:05.678Z` (empty for null / out of range). Rows of one
 * second share the text up to the milliseconds, so a Date is built once per second, not once per row.
 */
export class IsoTimeText {
  private second = Number.NaN;
  private prefix = '';

  format(ms: number | null): string {
    if (ms === null || !(Math.abs(ms) <= MAX_DATE_MS)) return '';
    const t = Math.trunc(ms); // as Date does
    const second = Math.floor(t / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = new Date(second * 1000).toISOString().slice(0, -4); // drop "000Z"
    }
    return this.prefix + MILLIS_Z[t - second * 1000];
  }
}

/** Owns the chunk buffer → file stream pair; subclasses only say which columns and how an item maps to a row. */
abstract class CsvFileWriter<T> {
  readonly path: string;
  protected readonly time = new IsoTimeText();
  private readonly file: WriteStream;
  private readonly failed: Promise<void>;
  private chunk: Buffer;
  private readonly spare: Buffer[] = [];
  private used = 0;
  private failure: Error | null = null;
  private closed = false;
  private count = 0;
  private waits = 0;

  protected constructor(path: string, columns: readonly string[], opts: CsvWriterOptions) {
    this.path = path;
    this.chunk = Buffer.allocUnsafe(CSV_CHUNK_BYTES);
    this.append(`${opts.bom === true ? '\ufeff' : ''}${columns.map(csvCell).join(',')}\r\n`);
    // Two chunks may be in flight before a write waits: the disk works while the next chunk fills.
    this.file = createWriteStream(path, { highWaterMark: 2 * CSV_CHUNK_BYTES });
    // Remember the first failure (e.g. the directory does not exist) so write/close can report it.
    this.failed = new Promise((resolve) => {
      this.file.on('error', (err: Error) => {
        this.failure ??= err;
        resolve();
      });
    });
  }

  /** Rows written so far (header excluded). */
  get rows(): number {
    return this.count;
  }

  /** How many chunk writes had to wait for 'drain' (backpressure from the file). */
  get drainWaits(): number {
    return this.waits;
  }

  /** One item's row: cells joined by commas (through csvCell where text may need it), ending in CRLF; or null. */
  protected abstract toRow(item: T): string | null;

  /**
   * Queue one item. Returns undefined while the chunk fills (no promise per row); a promise when a full chunk
   * had to wait for the file to drain, or a rejected one once the file failed or the writer was closed.
   */
  protected push(item: T): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.wrap(this.failure));
    if (this.closed)
      return Promise.reject(new Error(`CSV writer for ${this.path} is closed; write() after close()`));
    const row = this.toRow(item);
    if (row === null) return undefined;
    this.count++;
    // Full (or could be, for this row): hand the chunk to the file first.
    const wait = row.length * MAX_UTF8_PER_CHAR > CSV_CHUNK_BYTES - this.used ? this.writeChunk() : undefined;
    if (row.length * MAX_UTF8_PER_CHAR > CSV_CHUNK_BYTES)
      this.file.write(row); // a giant row goes on its own
    else this.append(row);
    return wait;
  }

  private append(text: string): void {
    this.used += this.chunk.write(text, this.used);
  }

  private writeChunk(): Promise<void> | undefined {
    if (this.used === 0) return undefined;
    const full = this.chunk;
    // The stream holds on to the full buffer until it is on disk; then it is filled again. Reusing them keeps
    // RSS flat: fresh 1 MiB buffers are external memory V8 frees only at its next (rare) full GC.
    this.chunk = this.spare.pop() ?? Buffer.allocUnsafe(CSV_CHUNK_BYTES);
    const written = this.file.write(full.subarray(0, this.used), () => this.spare.push(full));
    this.used = 0;
    if (written) return undefined;
    // Backpressure: wait for 'drain', but don't hang if the file fails meanwhile.
    this.waits++;
    return Promise.race([once(this.file, 'drain').then(() => undefined), this.failed]).then(() => {
      if (this.failure) throw this.wrap(this.failure);
    });
  }

  /** Flush everything and close the file. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (!this.failure) this.file.end(this.chunk.subarray(0, this.used));
      this.used = 0;
    }
    if (!this.failure) {
      try {
        await finished(this.file);
      } catch (err) {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    if (this.failure) throw this.wrap(this.failure);
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
  private readonly sources = new SourceCells();
  constructor(path: string, opts: CsvWriterOptions = {}) {
    super(path, BREADCRUMB_CSV_COLUMNS, opts);
  }
  write(b: Breadcrumb): Promise<void> | undefined {
    return this.push(b);
  }
  // category, symbol and level come from fixed vocabularies with no CSV-special character; severity and
  // offset are numbers: only the rest goes through csvCell.
  protected toRow(b: Breadcrumb): string {
    const e = b.event;
    return `${this.time.format(e.timestamp)},${csvCell(b.incidentId ?? '')},${b.category},${b.symbol},${b.severity},${csvCell(b.ruleId)},${e.level},${csvCell(e.component)},${csvCell(e.message)},${csvCell(e.traceId ?? '')},${this.sources.cell(e.source)},${e.offset},${csvCell(formatFields(e.fields))}\r\n`;
  }
}

/** The last source path's cell: consecutive rows nearly always share it. */
class SourceCells {
  private source = '';
  private text = '';
  cell(source: string): string {
    if (source !== this.source) {
      this.source = source;
      this.text = csvCell(source);
    }
    return this.text;
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
  private readonly sources = new SourceCells();
  constructor(path: string, opts: CsvWriterOptions = {}) {
    super(path, CRITICAL_CSV_COLUMNS, opts);
  }
  write(item: ClassifiedEvent | LogEvent): Promise<void> | undefined {
    return this.push('event' in item ? item : { event: item, breadcrumb: null });
  }
  protected toRow({ event: e, breadcrumb: b }: ClassifiedEvent): string | null {
    if (!isCriticalLevel(e.level)) return null;
    return `${this.time.format(e.timestamp)},${e.level},${csvCell(e.component)},${csvCell(e.message)},${b?.category ?? ''},${csvCell(b?.incidentId ?? '')},${this.sources.cell(e.source)},${e.offset}\r\n`;
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
  write(a: AnomalyFinding): Promise<void> | undefined {
    return this.push(a);
  }
  protected toRow(a: AnomalyFinding): string {
    return `${this.time.format(a.at)},${a.sev},${csvCell(a.series)},${round(a.value)},${round(a.mean)},${round(a.sd)},${round(a.z)},${a.percentile},${round(a.threshold)},${this.baseline},${a.scope},${a.fellBack ? 'true' : 'false'},${a.baselineN}\r\n`;
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

// Characters that would make a field value ambiguous in `k=v;k2=v2`.
const FIELD_SPECIAL = /[;="]/;

/** `k=v;k2=v2` — values with ; or = are JSON-quoted so the cell can be split back unambiguously. */
export function formatFields(fields: Record<string, FieldValue>): string {
  let out = '';
  for (const k of Object.keys(fields)) {
    const v = fields[k];
    const s = typeof v === 'string' ? (FIELD_SPECIAL.test(v) ? JSON.stringify(v) : v) : String(v);
    out = out === '' ? `${k}=${s}` : `${out};${k}=${s}`;
  }
  return out;
}
