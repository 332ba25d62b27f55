// Server-side SVG charts over the per-minute buckets: critical events per minute (bars + failure markers)
// and the level mix (stacked bars). Self-contained (no fonts, scripts or external refs), so the same string
// goes into report.html, into a standalone .svg file and through Chromium into a PNG.
import type { AnomalyFinding, Level, MinuteBucket } from '../core/types.ts';
import { escapeXml } from './escape.ts';
import { CRITICAL_BAR_COLOR, FAILURE_MARKER_COLOR, LEVEL_COLOR, LEVEL_STACK } from './palette.ts';
import { utcHourMinute, utcMonthDay } from './time.ts';

const MINUTE = 60_000;
/** Bin widths a reader can name ("per 5 minutes", "per hour"); beyond a day, whole days. */
const NICE_BIN_MINUTES = [1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440];
const NICE_TICK_MINUTES = [
  1,
  2,
  5,
  10,
  15,
  30,
  60,
  120,
  180,
  360,
  720,
  1440,
  2880,
  7 * 1440,
  14 * 1440,
  28 * 1440,
];
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export interface ChartMarker {
  /** Epoch ms. */
  time: number;
  label: string;
}

export interface AnomalyMarker {
  /** Epoch ms of the anomalous minute's start. */
  time: number;
  /** Worst severity in that minute. */
  sev: 1 | 2 | 3 | 4 | 5;
  label: string;
}

/** Severity colours shared by the chart bands and the report's SEV badges (SEV1 darkest). */
export const SEV_COLOR: Readonly<Record<1 | 2 | 3 | 4 | 5, string>> = {
  1: '#a3142d',
  2: '#e5484d',
  3: '#f27a1a',
  4: '#d49a00',
  5: '#8fa3bf',
};

/** One marker per anomalous minute at SEV `maxSev` or worse (default SEV1–3): the worst there, series named. */
export function anomalyMarkers(records: readonly AnomalyFinding[], maxSev = 3): AnomalyMarker[] {
  const byMinute = new Map<number, AnomalyFinding[]>();
  for (const a of records) {
    if (a.sev > maxSev) continue;
    const list = byMinute.get(a.at);
    if (list) list.push(a);
    else byMinute.set(a.at, [a]);
  }
  return [...byMinute.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([time, list]) => {
      const sorted = [...list].sort((a, b) => a.sev - b.sev);
      const names = sorted.slice(0, 3).map((a) => `SEV${a.sev} ${a.series}`);
      const more = sorted.length > 3 ? ` +${sorted.length - 3} more` : '';
      return { time, sev: sorted[0]!.sev, label: `anomaly: ${names.join(', ')}${more}` };
    });
}

export interface ChartOptions {
  width?: number;
  height?: number;
  title?: string;
  /** Most bars drawn; longer spans are aggregated into wider bins (default 600). */
  maxBars?: number;
  /** Incident failures, drawn as vertical markers (critical chart only). */
  markers?: ChartMarker[];
  /** Anomalous minutes, drawn as translucent bands behind the bars (critical chart only). */
  anomalies?: AnomalyMarker[];
  /**
   * true (default): white background and dark text, for .svg/.png files. false: transparent, text in
   * `currentColor`, for embedding in a themed page (light/dark).
   */
  standalone?: boolean;
}

export interface TimeBin {
  start: number;
  critical: number;
  breadcrumbs: number;
  total: number;
  levels: Partial<Record<Level, number>>;
}

export interface Binned {
  binMinutes: number;
  start: number;
  end: number;
  bins: TimeBin[];
}

/**
 * Aggregate minute buckets (sparse or dense, any order) into ≤ maxBars contiguous bins aligned to UTC
 * multiples of the bin width. Null when there is no bucket with a usable time.
 */
export function binPerMinute(perMinute: readonly MinuteBucket[], maxBars = 600): Binned | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const b of perMinute) {
    if (!Number.isFinite(b.minute)) continue;
    if (b.minute < min) min = b.minute;
    if (b.minute > max) max = b.minute;
  }
  if (min > max) return null;
  const limit = Math.max(1, Math.floor(maxBars));
  const countFor = (binMs: number) => Math.floor(max / binMs) - Math.floor(min / binMs) + 1;
  let binMinutes = NICE_BIN_MINUTES.find((m) => countFor(m * MINUTE) <= limit);
  if (binMinutes === undefined) {
    let days = Math.max(1, Math.ceil((max - min) / (1440 * MINUTE) / limit));
    while (countFor(days * 1440 * MINUTE) > limit) days++;
    binMinutes = days * 1440;
  }
  const binMs = binMinutes * MINUTE;
  const start = Math.floor(min / binMs) * binMs;
  const n = countFor(binMs);
  const bins: TimeBin[] = Array.from({ length: n }, (_, i) => ({
    start: start + i * binMs,
    critical: 0,
    breadcrumbs: 0,
    total: 0,
    levels: {},
  }));
  for (const b of perMinute) {
    if (!Number.isFinite(b.minute)) continue;
    const bin = bins[Math.floor((b.minute - start) / binMs)]!;
    bin.critical += b.critical;
    bin.breadcrumbs += b.breadcrumbs;
    for (const [level, count] of Object.entries(b.levels) as [Level, number][]) {
      bin.levels[level] = (bin.levels[level] ?? 0) + count;
      bin.total += count;
    }
  }
  return { binMinutes, start, end: start + n * binMs, bins };
}

interface Frame {
  width: number;
  height: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Integer-friendly axis top and step: 1/2/5 × 10^k, about 4 gridlines. */
export function niceScale(maxValue: number): { top: number; step: number } {
  if (!(maxValue > 0)) return { top: 1, step: 1 };
  const raw = maxValue / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag);
  return { top: Math.ceil(maxValue / step) * step, step };
}

function fmtCount(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}

function binLabel(binMinutes: number): string {
  if (binMinutes === 1) return 'per minute';
  if (binMinutes < 60) return `per ${binMinutes} minutes`;
  if (binMinutes === 60) return 'per hour';
  if (binMinutes < 1440) return `per ${binMinutes / 60} hours`;
  return binMinutes === 1440 ? 'per day' : `per ${binMinutes / 1440} days`;
}

function open(testId: string, f: Frame, title: string, opts: ChartOptions, extra: string): string {
  const standalone = opts.standalone !== false;
  const style = standalone ? `color:#1f2328;font-family:${FONT}` : `font-family:${FONT}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" ` +
    `height="${f.height}" role="img" data-testid="${testId}" ${extra} style='${style}'>` +
    `<title>${escapeXml(title)}</title>` +
    (standalone ? `<rect width="100%" height="100%" fill="#ffffff"/>` : '') +
    `<text x="${f.x0}" y="20" font-size="14" font-weight="600" fill="currentColor">${escapeXml(title)}</text>`
  );
}

function frameFor(opts: ChartOptions, rightPad = 16): Frame {
  const width = Math.max(240, Math.round(opts.width ?? 960));
  const height = Math.max(140, Math.round(opts.height ?? 300));
  return { width, height, x0: 52, x1: width - rightPad, y0: height - 44, y1: 34 };
}

function emptyChart(testId: string, opts: ChartOptions, title: string): string {
  const f = frameFor(opts);
  return (
    open(testId, f, title, opts, 'data-bars="0" data-total="0"') +
    `<line x1="${f.x0}" y1="${f.y0}" x2="${f.x1}" y2="${f.y0}" stroke="currentColor" stroke-opacity="0.4"/>` +
    `<text x="${(f.x0 + f.x1) / 2}" y="${(f.y0 + f.y1) / 2}" text-anchor="middle" font-size="13" ` +
    `fill="currentColor" fill-opacity="0.6">no timestamped events</text></svg>`
  );
}

/** Gridlines + y labels, x ticks with UTC labels, axis captions. */
function axes(f: Frame, binned: Binned, top: number, step: number, yCaption: string): string {
  const out: string[] = [];
  const yOf = (v: number) => f.y0 - (v / top) * (f.y0 - f.y1);
  for (let v = 0; v <= top; v += step) {
    const y = yOf(v).toFixed(1);
    out.push(
      `<line x1="${f.x0}" y1="${y}" x2="${f.x1}" y2="${y}" stroke="currentColor" stroke-opacity="${v === 0 ? 0.5 : 0.12}"/>`,
      `<text x="${f.x0 - 6}" y="${y}" dy="0.32em" text-anchor="end" font-size="11" fill="currentColor" fill-opacity="0.7">${fmtCount(v)}</text>`,
    );
  }
  const spanMs = binned.end - binned.start;
  const multiDay = utcMonthDay(binned.start) !== utcMonthDay(binned.end - 1);
  const maxLabels = Math.max(2, Math.floor((f.x1 - f.x0) / (multiDay ? 96 : 64)));
  const tickMin =
    NICE_TICK_MINUTES.find((m) => spanMs / (m * MINUTE) <= maxLabels) ??
    Math.ceil(spanMs / MINUTE / maxLabels / 1440) * 1440;
  const tickMs = tickMin * MINUTE;
  const xOf = (t: number) => f.x0 + ((t - binned.start) / spanMs) * (f.x1 - f.x0);
  for (let t = Math.ceil(binned.start / tickMs) * tickMs; t <= binned.end; t += tickMs) {
    const x = xOf(t).toFixed(1);
    const label =
      tickMin >= 1440
        ? utcMonthDay(t)
        : multiDay
          ? `${utcMonthDay(t)} ${utcHourMinute(t)}`
          : utcHourMinute(t);
    out.push(
      `<line x1="${x}" y1="${f.y0}" x2="${x}" y2="${f.y0 + 4}" stroke="currentColor" stroke-opacity="0.5"/>`,
      `<text x="${x}" y="${f.y0 + 17}" text-anchor="middle" font-size="11" fill="currentColor" fill-opacity="0.7">${label}</text>`,
    );
  }
  out.push(
    `<text x="${f.x1}" y="${f.height - 6}" text-anchor="end" font-size="11" fill="currentColor" fill-opacity="0.6">time (UTC), ${binLabel(binned.binMinutes)}</text>`,
    `<text transform="translate(13 ${(f.y0 + f.y1) / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="currentColor" fill-opacity="0.6">${escapeXml(yCaption)}</text>`,
  );
  return out.join('');
}

/** Bar geometry for bin i: a 1px gap between bars once they are wide enough to afford it. */
function barX(f: Frame, n: number, i: number): { x: string; w: string } {
  const slot = (f.x1 - f.x0) / n;
  const gap = slot >= 4 ? Math.min(2, slot * 0.15) : 0;
  return { x: (f.x0 + i * slot + gap / 2).toFixed(2), w: Math.max(0.5, slot - gap).toFixed(2) };
}

function binTitle(bin: TimeBin, binMinutes: number, what: string): string {
  const end = bin.start + binMinutes * MINUTE;
  const range =
    binMinutes === 1 ? utcHourMinute(bin.start) : `${utcHourMinute(bin.start)}–${utcHourMinute(end)}`;
  const day = binMinutes >= 1440 ? `${utcMonthDay(bin.start)} ` : '';
  return `${day}${range} UTC: ${what}`;
}

/**
 * Critical (ERROR+CRITICAL+FATAL) events per minute as bars, one `<rect class="bar" data-count>` per
 * non-empty bin, plus a dashed marker per incident failure inside the time range.
 */
export function renderCriticalPerMinuteSvg(
  perMinute: readonly MinuteBucket[],
  opts: ChartOptions = {},
): string {
  const title = opts.title ?? 'Critical events (ERROR, CRITICAL, FATAL) per minute';
  const binned = binPerMinute(perMinute, opts.maxBars);
  if (!binned) return emptyChart('critical-per-minute', opts, title);
  const f = frameFor(opts);
  const max = binned.bins.reduce((m, b) => Math.max(m, b.critical), 0);
  const total = binned.bins.reduce((s, b) => s + b.critical, 0);
  const { top, step } = niceScale(max);
  const bars: string[] = [];
  binned.bins.forEach((bin, i) => {
    if (bin.critical <= 0) return;
    const { x, w } = barX(f, binned.bins.length, i);
    const h = (bin.critical / top) * (f.y0 - f.y1);
    bars.push(
      `<rect class="bar" data-count="${bin.critical}" data-start="${new Date(bin.start).toISOString()}" x="${x}" ` +
        `y="${(f.y0 - h).toFixed(2)}" width="${w}" height="${h.toFixed(2)}" fill="${CRITICAL_BAR_COLOR}" rx="1">` +
        `<title>${escapeXml(binTitle(bin, binned.binMinutes, `${bin.critical} critical`))}</title></rect>`,
    );
  });
  const bands: string[] = [];
  const spanMs = binned.end - binned.start;
  const minuteW = Math.max(3, ((f.x1 - f.x0) * MINUTE) / spanMs);
  for (const a of opts.anomalies ?? []) {
    if (!(a.time >= binned.start && a.time < binned.end)) continue;
    const x = f.x0 + ((a.time - binned.start) / spanMs) * (f.x1 - f.x0);
    bands.push(
      `<rect class="anomaly" data-testid="anomaly-marker" data-sev="${a.sev}" data-time="${new Date(a.time).toISOString()}" ` +
        `x="${x.toFixed(2)}" y="${f.y1}" width="${minuteW.toFixed(2)}" height="${(f.y0 - f.y1).toFixed(2)}" ` +
        `fill="${SEV_COLOR[a.sev]}" fill-opacity="0.22"><title>${escapeXml(`${utcHourMinute(a.time)} UTC ${a.label}`)}</title></rect>`,
    );
  }
  const markers: string[] = [];
  for (const m of opts.markers ?? []) {
    if (!(m.time >= binned.start && m.time <= binned.end)) continue;
    const x = (f.x0 + ((m.time - binned.start) / (binned.end - binned.start)) * (f.x1 - f.x0)).toFixed(1);
    const anchor = Number(x) + 14 + m.label.length * 6.8 > f.x1 ? 'end' : 'start';
    const dx = anchor === 'end' ? -4 : 4;
    markers.push(
      `<g class="marker" data-testid="failure-marker" data-time="${new Date(m.time).toISOString()}">` +
        `<line x1="${x}" y1="${f.y1 - 4}" x2="${x}" y2="${f.y0}" stroke="${FAILURE_MARKER_COLOR}" stroke-width="1.5" stroke-dasharray="4 3"/>` +
        `<path d="M${x} ${f.y1 + 2} l-5 -8 h10 z" fill="${FAILURE_MARKER_COLOR}"/>` +
        `<text x="${x}" dx="${dx + (dx > 0 ? 4 : -4)}" y="${f.y1 + 2}" text-anchor="${anchor}" font-size="11" font-weight="600" fill="${FAILURE_MARKER_COLOR}">${escapeXml(m.label)}</text>` +
        `<title>${escapeXml(m.label)}</title></g>`,
    );
  }
  return (
    open(
      'critical-per-minute',
      f,
      title,
      opts,
      `data-bars="${bars.length}" data-total="${total}" data-bin-minutes="${binned.binMinutes}"`,
    ) +
    axes(f, binned, top, step, 'critical events') +
    (bands.length ? `<g class="anomalies">${bands.join('')}</g>` : '') +
    `<g class="bars">${bars.join('')}</g>${markers.join('')}</svg>`
  );
}

/**
 * Level mix over time: one stacked `<g class="stack" data-count>` per non-empty bin, one
 * `<rect data-level data-count>` per level in it, severe levels at the bottom; legend on top.
 */
export function renderLevelMixSvg(perMinute: readonly MinuteBucket[], opts: ChartOptions = {}): string {
  const title = opts.title ?? 'Level mix over time';
  const binned = binPerMinute(perMinute, opts.maxBars);
  if (!binned) return emptyChart('level-mix', opts, title);
  const f = frameFor(opts);
  const present = LEVEL_STACK.filter((l) => binned.bins.some((b) => (b.levels[l] ?? 0) > 0));
  const max = binned.bins.reduce((m, b) => Math.max(m, b.total), 0);
  const total = binned.bins.reduce((s, b) => s + b.total, 0);
  const { top, step } = niceScale(max);
  const stacks: string[] = [];
  binned.bins.forEach((bin, i) => {
    if (bin.total <= 0) return;
    const { x, w } = barX(f, binned.bins.length, i);
    let y = f.y0;
    const segs: string[] = [];
    const parts: string[] = [];
    for (const level of present) {
      const c = bin.levels[level] ?? 0;
      if (c <= 0) continue;
      const h = (c / top) * (f.y0 - f.y1);
      y -= h;
      segs.push(
        `<rect data-level="${level}" data-count="${c}" x="${x}" y="${y.toFixed(2)}" width="${w}" height="${h.toFixed(2)}" fill="${LEVEL_COLOR[level]}"/>`,
      );
      parts.push(`${level} ${c}`);
    }
    stacks.push(
      `<g class="stack" data-count="${bin.total}" data-start="${new Date(bin.start).toISOString()}">` +
        `<title>${escapeXml(binTitle(bin, binned.binMinutes, parts.join(', ')))}</title>${segs.join('')}</g>`,
    );
  });
  // Legend right-aligned on the title row, in stacking order read left → right. Text width is estimated
  // (no font metrics server-side): ~7.6px per upper-case character at 11px.
  const legend: string[] = [];
  const itemW = (level: Level) => 14 + Math.ceil(level.length * 7.6) + 12;
  let lx = f.x1 - present.reduce((w, l) => w + itemW(l), 0) + 12;
  for (const level of present) {
    legend.push(
      `<rect x="${lx}" y="11" width="10" height="10" rx="2" fill="${LEVEL_COLOR[level]}"/>` +
        `<text x="${lx + 14}" y="20" font-size="11" fill="currentColor" fill-opacity="0.8">${level}</text>`,
    );
    lx += itemW(level);
  }
  return (
    open(
      'level-mix',
      f,
      title,
      opts,
      `data-bars="${stacks.length}" data-total="${total}" data-bin-minutes="${binned.binMinutes}"`,
    ) +
    axes(f, binned, top, step, 'events') +
    `<g class="legend">${legend.join('')}</g><g class="stacks">${stacks.join('')}</g></svg>`
  );
}
