// The analyzer's event model. Every stage takes and gives these types; nothing else crosses module lines.

/** Normalised severity of a log line. WARNING folds into WARN. */
export type Level = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'FATAL' | 'UNKNOWN';

export const LEVELS: readonly Level[] = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'CRITICAL',
  'FATAL',
  'UNKNOWN',
];

/** Numeric rank so rules can say `level >= ERROR`. UNKNOWN ranks lowest. */
export const LEVEL_RANK: Readonly<Record<Level, number>> = {
  UNKNOWN: 0,
  TRACE: 1,
  DEBUG: 2,
  INFO: 3,
  WARN: 4,
  ERROR: 5,
  CRITICAL: 6,
  FATAL: 7,
};

/** A line as cut from a byte stream. Offsets are bytes into the source, never string lengths. */
export interface RawLine {
  /** File path, or '-' for stdin. */
  source: string;
  /** Stable identity of the file (fingerprint + device/inode), surviving renames: the checkpoint/ack key. */
  fileId?: string;
  /** Byte offset of the first byte of the line. */
  offset: number;
  /** Byte offset just past the line's terminator: where a checkpoint may advance to once handled. */
  nextOffset: number;
  /** 1-based line number within this read of the source. */
  lineNo: number;
  /** Line content without the terminator (CR of a CRLF stripped too). */
  bytes: Buffer;
  /** The line was longer than the configured maximum and was cut there (the rest skipped). */
  truncated?: boolean;
}

export type FieldValue = string | number | boolean | null;

/** Coarse kind of the parser: a text pattern ('plain', any catalog text format), a structured JSON decoder, or none. */
export type EventFormat = 'plain' | 'json' | 'unparsed';

/** ECS field name → value, as a catalog format maps them (`log.logger`, `process.pid`, `http.response.status_code` …). */
export type EcsFields = Record<string, FieldValue>;

/** A parsed log event. Continuation lines (stack traces) are attached to the event they follow. */
export interface LogEvent {
  source: string;
  /** Copied from the RawLine: the checkpoint/ack key and part of the idempotent ES _id. */
  fileId?: string;
  offset: number;
  nextOffset: number;
  lineNo: number;
  format: EventFormat;
  /** Catalog name of the format that parsed the line ('seed', 'syslog-rfc3164', 'pino' …; see analyzer/formats). */
  formatName?: string;
  /** Epoch milliseconds (UTC); null when the line carried no usable time. */
  timestamp: number | null;
  /** Why `timestamp` is null although the format has one ('unparseable', 'out-of-range', 'missing' …). */
  timestampReason?: string;
  level: Level;
  /** The level as written in the line (ECS `log.level`), before normalisation; undefined when it had none. */
  rawLevel?: string;
  /** The emitting component / service; '' when unknown. */
  component: string;
  message: string;
  traceId?: string;
  spanId?: string;
  /** key=value pairs from the message and extra JSON fields (flattened with dots). Numbers parsed. */
  fields: Record<string, FieldValue>;
  /** ECS fields the format maps from its captures/keys (`log.logger`, `process.pid`, `client.ip` …). */
  ecs?: EcsFields;
  /** Unparsed lines that followed this event (stack traces, wrapped output). */
  continuation?: string[];
  /** Why a line is `unparsed` ('invalid-utf8', 'binary', 'no-format', 'continuation-orphan', …). */
  unparsedReason?: string;
  truncated?: boolean;
}

/** Breadcrumb categories from the incident-tracing practice. */
export type Category =
  | 'trigger'
  | 'abnormal_input'
  | 'risk_bypass'
  | 'stress'
  | 'control_failure'
  | 'risk_acceleration'
  | 'data_anomaly'
  | 'final_failure'
  | 'alerting';

export const CATEGORIES: readonly Category[] = [
  'trigger',
  'abnormal_input',
  'risk_bypass',
  'stress',
  'control_failure',
  'risk_acceleration',
  'data_anomaly',
  'final_failure',
  'alerting',
];

export const CATEGORY_SYMBOL: Readonly<Record<Category, string>> = {
  trigger: '🔴',
  abnormal_input: '🔴',
  risk_bypass: '🟠',
  stress: '🟡',
  control_failure: '🔴',
  risk_acceleration: '🟡',
  data_anomaly: '🔴',
  final_failure: '🔥',
  alerting: '📣',
};

export const CATEGORY_LABEL: Readonly<Record<Category, string>> = {
  trigger: 'trigger',
  abnormal_input: 'abnormal input',
  risk_bypass: 'bypassed control',
  stress: 'stress',
  control_failure: 'control failure',
  risk_acceleration: 'risk acceleration',
  data_anomaly: 'data anomaly',
  final_failure: 'final failure',
  alerting: 'alerting',
};

/** A classified event: the event plus what the matching rule says it means. */
export interface Breadcrumb {
  event: LogEvent;
  category: Category;
  symbol: string;
  /** Id of the rule that matched (first match wins). */
  ruleId: string;
  /** Rule-assigned severity, 1 (worst) … 5. */
  severity: 1 | 2 | 3 | 4 | 5;
  /** Set by the timeline once the breadcrumb is grouped. */
  incidentId?: string;
}

/** A failure and the signals that led to it within the look-back window. */
export interface Incident {
  id: string;
  /** Breadcrumbs in time order; the last final_failure closes the causal path. */
  breadcrumbs: Breadcrumb[];
  firstSignal: Breadcrumb;
  failure: Breadcrumb;
  /** failure time − first signal time, milliseconds. */
  leadTimeMs: number;
  components: string[];
  /** The component that emitted the first signal. */
  responsible: string;
  countsByCategory: Partial<Record<Category, number>>;
  /** Breadcrumbs where the category changed along the path (the escalation steps). */
  escalation: Breadcrumb[];
  /** Breadcrumbs counted in countsByCategory but not kept in `breadcrumbs` (a flood, trimmed for memory). */
  omitted?: number;
}

/** An event after classification: the breadcrumb is null when no rule matched. */
export interface ClassifiedEvent {
  event: LogEvent;
  breadcrumb: Breadcrumb | null;
}

/** Per-minute counts, for the plots and the error-rate series. `minute` is epoch ms at the minute start. */
export interface MinuteBucket {
  minute: number;
  levels: Partial<Record<Level, number>>;
  /** ERROR + CRITICAL + FATAL events in that minute. */
  critical: number;
  breadcrumbs: number;
}

/** Totals over one analysis run (one-shot CLI) — what the reports summarise. */
export interface AnalysisSummary {
  sources: string[];
  lines: number;
  bytes: number;
  events: number;
  byFormat: Record<EventFormat, number>;
  /** Events per catalog format name (absent in summaries built before the catalog existed). */
  byFormatName?: Record<string, number>;
  /** Per source: the detection decisions made (first pick, then any re-detection). */
  detections?: DetectionDecision[];
  /** Null timestamps on parsed events, by reason. */
  timestampNullByReason?: Record<string, number>;
  unparsedByReason: Record<string, number>;
  /** Continuation lines folded into the event before them (stack traces). */
  continuationLines: number;
  truncatedLines: number;
  byLevel: Partial<Record<Level, number>>;
  byComponent: Record<string, number>;
  byCategory: Partial<Record<Category, number>>;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  perMinute: MinuteBucket[];
  durationMs: number;
}

/** A format chosen for a source: at which line, from how many sampled lines, with which match rate. */
export interface DetectionDecision {
  source: string;
  format: string;
  /** 1-based line at which the choice took effect. */
  line: number;
  sampled: number;
  /** Share (0…1) of sampled lines the chosen format parsed. */
  matchRate: number;
  /** 'initial' for the first choice, 'redetect' after the match rate collapsed, 'forced' for --format NAME. */
  reason: 'initial' | 'redetect' | 'forced';
}

/** Everything a report renders. `breadcrumbs` may be a capped sample; `breadcrumbsTotal` is the real count. */
export interface ReportData {
  generatedAt: number;
  summary: AnalysisSummary;
  incidents: Incident[];
  breadcrumbs: Breadcrumb[];
  breadcrumbsTotal: number;
  /** Signals not (yet) followed by a failure within the look-back window. */
  openSignals: Breadcrumb[];
  /** Per-minute anomalies (absent when the pass was turned off, e.g. `--no-anomalies`). */
  anomalies?: AnomalyFindings;
}

/**
 * One per-minute series value the anomaly pass judged unusual (a subset of the engine's AnomalyRecord, so a
 * stored record fits too). `sd` is the σ actually used for z (after the σ guard).
 */
export interface AnomalyFinding {
  /** `${series}@${minute}`. */
  id: string;
  /** `<component>:errors`, `<component>:warns`, `<component>:crumb.<category>`, `<component>:<field>.p95` … */
  series: string;
  /** Epoch ms of the minute start. */
  at: number;
  value: number;
  mean: number;
  sd: number;
  z: number;
  /** 1 (worst) … 5. */
  sev: 1 | 2 | 3 | 4 | 5;
  /** The learned |z| percentile that was crossed (e.g. 99.9) and its threshold. */
  percentile: number;
  threshold: number;
  /** Rung of the baseline ladder used (weekday×hour bucket → hour of day → global); fellBack when not the bucket. */
  scope: 'bucket' | 'hour' | 'global';
  fellBack: boolean;
  /** Samples in the baseline cell used. */
  baselineN: number;
}

/** What the one-shot anomaly pass found, and against what. */
export interface AnomalyFindings {
  /** 'input': baselines learned from this same input; 'store': an existing anomaly store (read-only). */
  baseline: 'input' | 'store';
  /** The store's path when baseline is 'store'. */
  storePath?: string;
  /** Samples a baseline cell needs before it is used (the ladder's MIN_SAMPLES). */
  minSamples: number;
  series: number;
  /** Per-minute samples produced by the input. */
  samples: number;
  /** Samples that had a usable baseline (the rest: too little history for that series). */
  judged: number;
  /** Samples beyond the memory cap: neither learned nor judged (0 normally). */
  samplesDropped: number;
  /** Every finding counted by severity (1…5), even when `records` is capped. */
  bySev: Record<1 | 2 | 3 | 4 | 5, number>;
  /** Findings kept, worst first (severity, then |z|), at most the pass's record cap. */
  records: AnomalyFinding[];
}
