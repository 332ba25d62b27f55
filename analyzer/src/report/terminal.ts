// The terminal report: a summary block, then each incident's causal path as a table. Plain strings only
// (node built-ins); ANSI colour only when asked (the CLI decides: TTY and no NO_COLOR).
import {
  type Breadcrumb,
  CATEGORY_LABEL,
  CATEGORY_SYMBOL,
  type Category,
  type Incident,
  type ReportData,
} from '../core/types.ts';
import { displayWidth, padEnd, printable, truncate } from './text.ts';
import { formatDuration, formatOffset, utcClock, utcDateTime } from './time.ts';

export interface TimelineFormatOptions {
  color: boolean;
  /** false: ASCII tags like [TRG] instead of emoji, ASCII rules and ellipsis. */
  symbols: boolean;
  /** Terminal columns (default 100; at least 60 is used). */
  width?: number;
  /** Most causal-path rows per incident; longer paths show the escalation steps only (default 25). */
  maxRows?: number;
}

/** ASCII stand-ins for the category symbols, for terminals/fonts without emoji. */
export const CATEGORY_ASCII: Readonly<Record<Category, string>> = {
  trigger: '[TRG]',
  abnormal_input: '[ABN]',
  risk_bypass: '[BYP]',
  stress: '[STR]',
  control_failure: '[CTL]',
  risk_acceleration: '[ACC]',
  data_anomaly: '[DAT]',
  final_failure: '[FAIL]',
  alerting: '[ALRT]',
};

// 256-colour foregrounds matching the symbols: 🔴 red, 🟠 orange, 🟡 yellow, 🔥 bright orange-red, 📣 blue.
const CATEGORY_ANSI: Readonly<Record<Category, string>> = {
  trigger: '38;5;196',
  abnormal_input: '38;5;196',
  control_failure: '38;5;196',
  data_anomaly: '38;5;196',
  risk_bypass: '38;5;208',
  stress: '38;5;220',
  risk_acceleration: '38;5;220',
  final_failure: '1;38;5;202',
  alerting: '38;5;39',
};

interface Style {
  bold(s: string): string;
  dim(s: string): string;
  cat(c: Category, s: string): string;
  tag(c: Category): string;
  rule: string;
  ellipsis: string;
  sep: string;
  arrow: string;
}

function style(opts: TimelineFormatOptions): Style {
  const sgr = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return {
    bold: (s) => sgr('1', s),
    dim: (s) => sgr('2', s),
    cat: (c, s) => sgr(CATEGORY_ANSI[c], s),
    tag: (c) => (opts.symbols ? CATEGORY_SYMBOL[c] : CATEGORY_ASCII[c]),
    rule: opts.symbols ? '─' : '-',
    ellipsis: opts.symbols ? '…' : '...',
    sep: opts.symbols ? ' · ' : ', ',
    arrow: opts.symbols ? '→' : '->',
  };
}

const num = (n: number) => n.toLocaleString('en-US');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function breakdown(counts: Record<string, number>, st: Style): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${printable(k)} ${num(n)}`);
  return parts.length ? st.dim(parts.join(st.sep)) : '';
}

/** The summary block: time range, lines, formats, unparsed reasons, incidents and lead times. */
export function formatSummary(data: ReportData, opts: TimelineFormatOptions): string {
  const st = style(opts);
  const s = data.summary;
  const out: string[] = [];
  const range =
    s.firstTimestamp !== null && s.lastTimestamp !== null
      ? `${utcDateTime(s.firstTimestamp)} ${st.arrow} ${utcDateTime(s.lastTimestamp)} UTC (${formatDuration(s.lastTimestamp - s.firstTimestamp)})`
      : 'no timestamped events';
  out.push(`${st.bold('crumbtrail analysis')}  ${range}`);
  const row = (label: string, value: string, rest = '') =>
    out.push(`  ${padEnd(label, 12)}${padEnd(value, 10)}${rest}`);
  const sources = s.sources.map(printable);
  row(
    'lines',
    num(s.lines),
    st.dim(
      `from ${sources.length} source${sources.length === 1 ? '' : 's'}${sources.length ? ` (${truncate(sources.join(', '), 60, st.ellipsis)})` : ''}`,
    ),
  );
  row('events', num(s.events), breakdown({ plain: s.byFormat.plain, json: s.byFormat.json }, st));
  if (s.byFormatName && Object.keys(s.byFormatName).length > 0)
    row('formats', num(Object.keys(s.byFormatName).length), breakdown(s.byFormatName, st));
  const unparsedTotal = s.byFormat.unparsed;
  row('unparsed', num(unparsedTotal), breakdown(s.unparsedByReason, st));
  if (s.continuationLines || s.truncatedLines) {
    row(
      'folded',
      num(s.continuationLines),
      st.dim(`continuation lines${s.truncatedLines ? `; ${num(s.truncatedLines)} truncated` : ''}`),
    );
  }
  const leads = data.incidents.map((i) => i.leadTimeMs);
  row(
    'incidents',
    num(data.incidents.length),
    leads.length
      ? st.dim(
          `lead time min ${formatDuration(Math.min(...leads))}${st.sep}median ${formatDuration(median(leads))}${st.sep}max ${formatDuration(Math.max(...leads))}`,
        )
      : '',
  );
  row(
    'breadcrumbs',
    num(data.breadcrumbsTotal),
    data.openSignals.length ? st.dim(`${num(data.openSignals.length)} open signals`) : '',
  );
  const a = data.anomalies;
  if (a) {
    const sevs = ([1, 2, 3, 4, 5] as const).filter((s) => a.bySev[s] > 0);
    const total = sevs.reduce((n, s) => n + a.bySev[s], 0);
    const base =
      a.baseline === 'store' ? `baseline: store ${printable(a.storePath ?? '')}` : 'baseline: this input';
    const detail =
      a.judged === 0
        ? `too little input for a baseline (needs ${a.minSamples} samples per cell); ${base}`
        : `${sevs.map((s) => `SEV${s} ${num(a.bySev[s])}`).join(st.sep)}${sevs.length ? st.sep : ''}${base}`;
    row('anomalies', num(total), st.dim(detail));
  }
  return out.join('\n');
}

/** Which causal-path rows to print: all when short, else the escalation steps plus the failure. */
function pathRows(inc: Incident, maxRows: number): Breadcrumb[] {
  if (inc.breadcrumbs.length <= maxRows) return inc.breadcrumbs;
  const keep = new Set<Breadcrumb>([inc.firstSignal, ...inc.escalation, inc.failure]);
  const rows = inc.breadcrumbs.filter((b) => keep.has(b));
  return rows.length <= maxRows ? rows : [...rows.slice(0, maxRows - 1), inc.failure];
}

function pathTable(rows: Breadcrumb[], origin: number, opts: TimelineFormatOptions, width: number): string[] {
  const st = style(opts);
  const multiDay = rows.some(
    (b) =>
      b.event.timestamp !== null &&
      utcDateTime(b.event.timestamp).slice(0, 10) !== utcDateTime(origin).slice(0, 10),
  );
  const timeW = multiDay ? 23 : 12;
  const catW = Math.max(
    ...rows.map((b) => displayWidth(st.tag(b.category)) + 1 + CATEGORY_LABEL[b.category].length),
    8,
  );
  const compW = Math.min(18, Math.max(9, ...rows.map((b) => displayWidth(printable(b.event.component)))));
  const offW = 9;
  const msgW = Math.max(16, width - 2 - timeW - offW - catW - compW - 8);
  const out: string[] = [];
  out.push(
    st.dim(
      `  ${padEnd('TIME (UTC)', timeW)}  ${padEnd('OFFSET', offW)}  ${padEnd('CATEGORY', catW)}  ${padEnd('COMPONENT', compW)}  MESSAGE`,
    ),
  );
  for (const b of rows) {
    const t = b.event.timestamp;
    const time =
      t === null
        ? '?'
        : multiDay
          ? utcDateTime(t, true)
          : `${utcClock(t)}.${String(t % 1000).padStart(3, '0')}`;
    const off = t === null ? '' : formatOffset(t - origin);
    const cat = st.cat(b.category, padEnd(`${st.tag(b.category)} ${CATEGORY_LABEL[b.category]}`, catW));
    const comp = padEnd(truncate(printable(b.event.component) || '-', compW, st.ellipsis), compW);
    const msg = truncate(printable(b.event.message), msgW, st.ellipsis);
    const line = `  ${padEnd(time, timeW)}  ${padEnd(off, offW)}  ${cat}  ${comp}  ${msg}`;
    out.push(b.category === 'final_failure' ? st.bold(line) : line);
  }
  return out;
}

function formatIncident(inc: Incident, opts: TimelineFormatOptions, width: number): string {
  const st = style(opts);
  const out: string[] = [];
  const head = ` Incident ${printable(inc.id)} `;
  out.push(
    st.bold(`${st.rule.repeat(2)}${head}${st.rule.repeat(Math.max(2, width - 2 - displayWidth(head)))}`),
  );
  const ft = inc.failure.event.timestamp;
  const first = inc.firstSignal.event.timestamp;
  const failLine = `${printable(inc.failure.event.component) || '-'}: ${printable(inc.failure.event.message)}`;
  out.push(
    `  ${padEnd('failure', 13)}${ft === null ? '?' : `${utcDateTime(ft)} UTC`}  ${st.cat('final_failure', truncate(failLine, Math.max(20, width - 40), st.ellipsis))}`,
  );
  out.push(
    `  ${padEnd('lead time', 13)}${st.bold(formatDuration(inc.leadTimeMs))}${first === null ? '' : st.dim(`  first signal ${utcDateTime(first)} UTC`)}`,
  );
  out.push(`  ${padEnd('responsible', 13)}${st.bold(printable(inc.responsible) || '-')}`);
  out.push(
    `  ${padEnd('components', 13)}${truncate(inc.components.map(printable).join(', '), Math.max(20, width - 15), st.ellipsis)}`,
  );
  const counts = (Object.entries(inc.countsByCategory) as [Category, number][])
    .filter(([, n]) => n > 0)
    .map(([c, n]) => ({ c, text: `${st.tag(c)} ${CATEGORY_LABEL[c]} ${n}` }));
  // Wrap the counts under their label instead of running past the terminal's edge.
  const indent = 15;
  let line = '';
  let lineW = 0;
  let label = 'signals';
  for (const { c, text } of counts) {
    const w = displayWidth(text) + (lineW ? displayWidth(st.sep) : 0);
    if (lineW && indent + lineW + w > width) {
      out.push(`  ${padEnd(label, indent - 2)}${line}`);
      label = '';
      line = '';
      lineW = 0;
    }
    line += (lineW ? st.sep : '') + st.cat(c, text);
    lineW += lineW ? w : displayWidth(text);
  }
  if (line) out.push(`  ${padEnd(label, indent - 2)}${line}`);
  out.push('');
  const rows = pathRows(inc, opts.maxRows ?? 25);
  out.push(...pathTable(rows, first ?? ft ?? 0, opts, width));
  if (rows.length < inc.breadcrumbs.length) {
    out.push(
      st.dim(
        `  ${st.ellipsis} ${num(inc.breadcrumbs.length - rows.length)} more breadcrumbs on this path (escalation steps shown; all in breadcrumbs.csv)`,
      ),
    );
  }
  return out.join('\n');
}

/** Summary, then every incident's timeline and causal path, then open signals. */
export function formatTimeline(data: ReportData, opts: TimelineFormatOptions): string {
  const st = style(opts);
  const width = Math.max(60, Math.floor(opts.width ?? 100));
  const parts: string[] = [formatSummary(data, opts)];
  if (data.incidents.length === 0) {
    parts.push(st.dim('No incidents: no final failure was found in the input.'));
  }
  for (const inc of data.incidents) parts.push(formatIncident(inc, opts, width));
  if (data.openSignals.length > 0) {
    const shown = data.openSignals.slice(0, 10);
    const lines = [
      st.bold(
        `Open signals (not followed by a failure within the look-back window): ${num(data.openSignals.length)}`,
      ),
    ];
    const origin = shown[0]?.event.timestamp ?? 0;
    lines.push(...pathTable(shown, origin, opts, width));
    if (shown.length < data.openSignals.length)
      lines.push(st.dim(`  ${st.ellipsis} ${num(data.openSignals.length - shown.length)} more`));
    parts.push(lines.join('\n'));
  }
  return `${parts.join('\n\n')}\n`;
}
