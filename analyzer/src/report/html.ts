// report.html: one self-contained offline page (inline CSS, one inline script, server-side SVG charts, the
// breadcrumb sample as escaped JSON). Opens from file:// with no network. Log text is attacker-controlled:
// markup goes through the escaping `html` builder, the JSON through jsonForScript, the script only uses
// textContent, and a CSP admits only our script (by hash) as defence in depth.
import { createHash } from 'node:crypto';
import {
  type AnomalyFindings,
  type Breadcrumb,
  CATEGORIES,
  CATEGORY_LABEL,
  CATEGORY_SYMBOL,
  type Category,
  type Incident,
  LEVELS,
  type ReportData,
} from '../core/types.ts';
import { jsonForScript } from './escape.ts';
import { CLIENT_SCRIPT } from './html-client.ts';
import { html, type Markup, raw } from './markup.ts';
import { CATEGORY_COLOR, LEVEL_COLOR } from './palette.ts';
import { anomalyMarkers, renderCriticalPerMinuteSvg, renderLevelMixSvg, SEV_COLOR } from './svg.ts';
import { templateSection } from './templates-html.ts';
import { formatDuration, formatOffset, utcClock, utcDateTime } from './time.ts';

export interface HtmlReportOptions {
  title?: string;
  /** Name of the full breadcrumb export, quoted when the table holds a capped sample. */
  breadcrumbsCsvName?: string;
  /** Incidents drawn as full cards (the rest are in the overview table). Default 50. */
  maxIncidentCards?: number;
  /** Causal-path rows per incident card. Default 200. */
  maxPathRows?: number;
  /** Rows of the anomaly table (worst first; all are in anomalies.csv). Default 200. */
  maxAnomalyRows?: number;
}

/** One table row as the page script reads it (short keys: this JSON can hold tens of thousands of rows). */
interface RowJson {
  i: number;
  t: number | null;
  c: Category;
  s: number;
  l: string;
  comp: string;
  msg: string;
  inc: string;
  rule: string;
  trace: string;
  src: string;
  off: number;
}

// One formatter each: toLocaleString builds a new Intl.NumberFormat on every call (thousands of cells).
const INTEGER = new Intl.NumberFormat('en-US');
const TWO_DECIMALS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const num = (n: number) => INTEGER.format(n);

function when(ms: number | null, withMs = false): string {
  return ms === null ? '—' : `${utcDateTime(ms, withMs)} UTC`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function chip(c: Category, suffix?: string | number): Markup {
  return html`<span class="chip cat-${c}">${CATEGORY_SYMBOL[c]} ${CATEGORY_LABEL[c]}${suffix === undefined ? '' : html` <b>${suffix}</b>`}</span>`;
}

function oneLine(s: string, max = 160): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function stat(label: string, value: string | Markup, detail: Markup | string, testId: string): Markup {
  return html`<div class="stat" data-testid="${testId}"><div class="stat-label">${label}</div><div class="stat-value">${value}</div><div class="stat-detail">${detail}</div></div>`;
}

function breakdown(counts: Record<string, number>): Markup {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  if (parts.length === 0) return html`<span class="muted">none</span>`;
  return html`${parts.map(([k, n], i) => html`${i ? ' · ' : ''}${k} <b>${num(n)}</b>`)}`;
}

function header(data: ReportData, title: string): Markup {
  const s = data.summary;
  const range =
    s.firstTimestamp !== null && s.lastTimestamp !== null
      ? `${when(s.firstTimestamp)} → ${when(s.lastTimestamp)} (${formatDuration(s.lastTimestamp - s.firstTimestamp)})`
      : 'no timestamped events';
  const leads = data.incidents.map((i) => i.leadTimeMs);
  return html`<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true">🍞</span> ${title}</div>
  <div class="meta">${range}</div>
  <div class="meta muted">${s.sources.length === 1 ? 'source' : 'sources'}: ${s.sources.join(', ') || '—'} · generated ${when(data.generatedAt)}</div>
</header>
<section class="stats" aria-label="Totals">
  ${stat('Lines read', num(s.lines), html`${num(s.bytes)} bytes${s.continuationLines ? html` · ${num(s.continuationLines)} continuation` : ''}${s.truncatedLines ? html` · ${num(s.truncatedLines)} truncated` : ''}`, 'stat-lines')}
  ${stat('Parsed events', num(s.events), breakdown({ plain: s.byFormat.plain, json: s.byFormat.json }), 'stat-events')}
  ${stat('Unparsed lines', num(s.byFormat.unparsed), breakdown(s.unparsedByReason), 'stat-unparsed')}
  ${capped(s)}
  ${stat('Incidents', num(data.incidents.length), data.incidents.length ? html`${num(data.openSignals.length)} open signals` : 'no final failure found', 'stat-incidents')}
  ${stat(
    'Lead time (median)',
    leads.length ? formatDuration(median(leads)) : '—',
    leads.length
      ? html`min ${formatDuration(Math.min(...leads))} · max ${formatDuration(Math.max(...leads))}`
      : 'first signal → failure',
    'stat-lead',
  )}
  ${stat('Breadcrumbs', num(data.breadcrumbsTotal), html`${num(data.incidents.reduce((n, i) => n + i.breadcrumbs.length, 0))} on incident paths`, 'stat-breadcrumbs')}
  ${data.anomalies ? stat('Anomalies', num(anomalyTotal(data.anomalies)), sevCounts(data.anomalies), 'stat-anomalies') : ''}
</section>
<div class="counts by-category" aria-label="Breadcrumbs by category">${CATEGORIES.filter((c) => (s.byCategory[c] ?? 0) > 0).map((c) => chip(c, num(s.byCategory[c] ?? 0)))}</div>`;
}

function incidentOverview(incidents: Incident[]): Markup {
  return html`<table class="grid overview" data-testid="incident-overview">
<thead><tr><th>Incident</th><th>Failure (UTC)</th><th>Lead time</th><th>Responsible</th><th>Failure</th><th class="num">Breadcrumbs</th></tr></thead>
<tbody>${incidents.map(
    (i) =>
      html`<tr><td class="mono nowrap"><a href="#${anchor(i.id)}">${i.id}</a></td><td class="mono nowrap">${i.failure.event.timestamp === null ? '—' : utcDateTime(i.failure.event.timestamp)}</td><td class="nowrap"><b>${formatDuration(i.leadTimeMs)}</b></td><td>${i.responsible || '—'}</td><td class="msg">${i.failure.event.component}: ${oneLine(i.failure.event.message, 120)}</td><td class="num">${num(i.breadcrumbs.length)}</td></tr>`,
  )}</tbody></table>`;
}

/** Anchor ids from incident ids: only safe characters, so they are valid in href="#…". */
function anchor(id: string): string {
  return `inc-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Dots for every breadcrumb on a time track from the first signal to the last breadcrumb. */
function track(inc: Incident): Markup {
  const times = inc.breadcrumbs.map((b) => b.event.timestamp).filter((t): t is number => t !== null);
  const t0 = inc.firstSignal.event.timestamp ?? Math.min(...times);
  const t1 = Math.max(...times, inc.failure.event.timestamp ?? t0);
  const span = Math.max(1, t1 - t0);
  const pos = (t: number | null) => (t === null ? 0 : Math.min(100, Math.max(0, ((t - t0) / span) * 100)));
  const failX = pos(inc.failure.event.timestamp);
  return html`<div class="track" data-testid="incident-track" aria-hidden="true">
  <div class="track-line"></div><div class="track-lead" style="width:${failX.toFixed(2)}%"></div>
  ${inc.breadcrumbs.map(
    (b) =>
      html`<span class="dot cat-${b.category}${b === inc.failure ? ' dot-failure' : ''}" style="left:${pos(b.event.timestamp).toFixed(2)}%" title="${b.event.timestamp === null ? '' : utcClock(b.event.timestamp)} ${CATEGORY_SYMBOL[b.category]} ${CATEGORY_LABEL[b.category]} — ${b.event.component}: ${oneLine(b.event.message, 200)}"></span>`,
  )}
</div>
<div class="track-axis"><span>${inc.firstSignal.event.timestamp === null ? '' : utcClock(inc.firstSignal.event.timestamp)} first signal</span><span class="lead-label">lead time ${formatDuration(inc.leadTimeMs)}</span><span>${inc.failure.event.timestamp === null ? '' : utcClock(inc.failure.event.timestamp)} failure${t1 > (inc.failure.event.timestamp ?? t1) ? ` · +${formatDuration(t1 - (inc.failure.event.timestamp ?? t1))} after` : ''}</span></div>`;
}

function steps(inc: Incident, origin: number | null): Markup {
  const list = inc.escalation.includes(inc.failure) ? inc.escalation : [...inc.escalation, inc.failure];
  return html`<ol class="steps" data-testid="escalation">${list.map((b) => {
    const role = b === inc.firstSignal ? 'first signal' : b === inc.failure ? 'failure' : 'escalation';
    const t = b.event.timestamp;
    return html`<li class="step cat-${b.category} step-${role.replace(' ', '-')}"><span class="step-dot"></span><div class="step-head"><span class="chip cat-${b.category}">${CATEGORY_SYMBOL[b.category]} ${CATEGORY_LABEL[b.category]}</span> <span class="mono">${t === null ? '' : utcClock(t)}</span> <span class="muted mono">${t === null || origin === null ? '' : formatOffset(t - origin)}</span> <span class="comp">${b.event.component || '—'}</span> <span class="role">${role}</span></div><div class="step-msg">${oneLine(b.event.message, 240)}</div></li>`;
  })}</ol>`;
}

function pathTable(inc: Incident, origin: number | null, maxRows: number): Markup {
  const rows = inc.breadcrumbs.slice(0, maxRows);
  const escalation = new Set<Breadcrumb>(inc.escalation);
  return html`<details class="path"${inc.breadcrumbs.length <= 40 ? ' open' : ''}><summary>Causal path: ${num(inc.breadcrumbs.length)} breadcrumbs</summary>
<table class="grid" data-testid="causal-path"><thead><tr><th>Time (UTC)</th><th>Offset</th><th>Category</th><th class="num">Sev</th><th>Level</th><th>Component</th><th>Message</th></tr></thead><tbody>
${rows.map((b) => {
  const t = b.event.timestamp;
  return html`<tr class="cat-${b.category}${escalation.has(b) ? ' escalation' : ''}${b === inc.failure ? ' failure' : ''}"><td class="mono nowrap">${t === null ? '' : utcDateTime(t, true).slice(11)}</td><td class="mono nowrap muted">${t === null || origin === null ? '' : formatOffset(t - origin)}</td><td class="nowrap">${chip(b.category)}</td><td class="num">${b.severity}</td><td class="lvl lvl-${b.event.level}">${b.event.level}</td><td class="comp-cell">${b.event.component}</td><td class="msg">${b.event.message}</td></tr>`;
})}</tbody></table>${rows.length < inc.breadcrumbs.length ? html`<p class="note">first ${num(rows.length)} of ${num(inc.breadcrumbs.length)} shown; filter the breadcrumb table by <code>${inc.id}</code> or see breadcrumbs.csv</p>` : ''}</details>`;
}

function incidentCard(inc: Incident, maxPathRows: number): Markup {
  const origin = inc.firstSignal.event.timestamp;
  const counts = CATEGORIES.filter((c) => (inc.countsByCategory[c] ?? 0) > 0);
  return html`<article class="incident" id="${anchor(inc.id)}" data-testid="incident" data-incident-id="${inc.id}">
<div class="inc-head">
  <div><h3>🔥 ${inc.id}</h3><div class="muted">failure ${when(inc.failure.event.timestamp)} in <b>${inc.failure.event.component || '—'}</b></div></div>
  <div class="lead" data-testid="lead-time"><div class="lead-value">${formatDuration(inc.leadTimeMs)}</div><div class="muted">lead time</div></div>
</div>
<p class="inc-facts">Responsible (first signal): <b>${inc.responsible || '—'}</b> · components: ${inc.components.join(', ')} · <button type="button" class="linkish" data-filter-incident="${inc.id}">show in table ↓</button></p>
<div class="counts">${counts.map((c) => chip(c, inc.countsByCategory[c] ?? 0))}</div>
${track(inc)}
${steps(inc, origin)}
${pathTable(inc, origin, maxPathRows)}
</article>`;
}

function openSignals(signals: Breadcrumb[]): Markup {
  if (signals.length === 0) return html``;
  const shown = signals.slice(0, 100);
  return html`<section><h2>Open signals <span class="muted">(${num(signals.length)}, not followed by a failure)</span></h2>
<table class="grid" data-testid="open-signals"><thead><tr><th>Time (UTC)</th><th>Category</th><th>Component</th><th>Message</th></tr></thead><tbody>
${shown.map((b) => html`<tr><td class="mono nowrap">${when(b.event.timestamp)}</td><td class="nowrap">${chip(b.category)}</td><td class="nowrap">${b.event.component}</td><td class="msg">${b.event.message}</td></tr>`)}
</tbody></table>${shown.length < signals.length ? html`<p class="note">first ${num(shown.length)} shown</p>` : ''}</section>`;
}

const SEVS = [1, 2, 3, 4, 5] as const;

/** What the summary's caps left out (nothing shown when no cap was reached). */
function capped(s: ReportData['summary']): Markup | '' {
  const l = s.limits;
  if (!l || (l.componentsFolded === 0 && l.minutesDropped === 0)) return '';
  return stat(
    'Capped',
    num(l.componentsFolded + l.minutesDropped),
    html`${l.componentsFolded ? html`${num(l.componentsFolded)} events of components past ${num(l.componentCap)} as (other)` : ''}${l.componentsFolded && l.minutesDropped ? ' · ' : ''}${l.minutesDropped ? html`${num(l.minutesDropped)} events in minutes past ${num(l.minuteCap)} not charted` : ''}`,
    'stat-capped',
  );
}

function anomalyTotal(a: AnomalyFindings): number {
  return SEVS.reduce((n, s) => n + a.bySev[s], 0);
}

function sevBadge(sev: 1 | 2 | 3 | 4 | 5): Markup {
  return html`<span class="sev sev-${sev}">SEV${sev}</span>`;
}

function sevCounts(a: AnomalyFindings): Markup {
  const parts = SEVS.filter((s) => a.bySev[s] > 0);
  if (parts.length === 0) return html`<span class="muted">none at SEV1–5</span>`;
  return html`${parts.map((s, i) => html`${i ? ' · ' : ''}SEV${s} <b>${num(a.bySev[s])}</b>`)}`;
}

/** 2 decimals at most, trailing zeros dropped: counts stay integers, σ and z stay readable. */
function dec(x: number, signed = false): string {
  const r = Math.round(x * 100) / 100;
  return `${signed && r > 0 ? '+' : ''}${TWO_DECIMALS.format(r)}`;
}

function baselineNote(a: AnomalyFindings): Markup {
  const ladder = html`each series' per-minute values against the weekday×hour bucket, else the same hour of day, else the series' global baseline, the first with at least <b>${num(a.minSamples)}</b> samples`;
  return a.baseline === 'store'
    ? html`Baseline: the anomaly store <code>${a.storePath ?? ''}</code> (its learned history, read-only): ${ladder}.`
    : html`Baseline: <b>this input</b> (no stored history): ${ladder}, learned from the same input, each value left out of the baseline it is judged against.`;
}

function anomalySection(a: AnomalyFindings, maxRows: number): Markup {
  const total = anomalyTotal(a);
  const rows = a.records.slice(0, maxRows);
  const scope = (r: (typeof rows)[number]) =>
    r.fellBack ? html`${r.scope} <span class="muted">(fallback)</span>` : html`${r.scope}`;
  return html`<section id="anomalies"><h2>Anomalies <span class="muted">(${num(total)})</span></h2>
<p class="note" data-testid="anomaly-baseline">${baselineNote(a)} ${num(a.series)} series, ${num(a.samples)} per-minute samples, ${num(a.judged)} judged${a.samplesDropped ? html`; <b>${num(a.samplesDropped)}</b> samples past the memory cap were not judged` : ''}.</p>
${
  a.judged === 0
    ? html`<p class="card muted" data-testid="anomaly-none">No series had ${num(a.minSamples)} per-minute samples in any baseline cell: too little input to learn a baseline from.</p>`
    : total === 0
      ? html`<p class="card muted" data-testid="anomaly-none">No anomalies: every judged value stayed inside its baseline's thresholds.</p>`
      : html`<div class="counts" data-testid="anomaly-counts">${SEVS.filter((s) => a.bySev[s] > 0).map((s) => html`<span class="chip">${sevBadge(s)} <b>${num(a.bySev[s])}</b></span>`)}</div>
<div class="table-wrap"><table class="grid" data-testid="anomaly-table"><thead><tr><th>Sev</th><th>Time (UTC)</th><th>Series</th><th class="num">Value</th><th class="num greek">μ</th><th class="num greek">σ</th><th class="num">z</th><th>Baseline</th></tr></thead><tbody>
${rows.map((r) => html`<tr class="sev-row-${r.sev}" data-sev="${r.sev}"><td>${sevBadge(r.sev)}</td><td class="mono nowrap">${utcDateTime(r.at).slice(0, 16)}</td><td class="mono">${r.series}</td><td class="num">${dec(r.value)}</td><td class="num">${dec(r.mean)}</td><td class="num">${dec(r.sd)}</td><td class="num"><b>${dec(r.z, true)}</b></td><td class="nowrap" title="|z| ≥ ${dec(r.threshold)} (p${r.percentile} of the baseline's |z|)">${scope(r)} <span class="muted">n=${num(r.baselineN)}</span></td></tr>`)}
</tbody></table></div>${rows.length < total ? html`<p class="note" data-testid="anomaly-cap">Worst ${num(rows.length)} of ${num(total)} shown; ${a.records.length < total ? html`the worst ${num(a.records.length)} are` : 'all are'} in <code>anomalies.csv</code>.</p>` : ''}`
}
</section>`;
}

function tableRows(data: ReportData): RowJson[] {
  return data.breadcrumbs.map((b, i) => ({
    i,
    t: b.event.timestamp,
    c: b.category,
    s: b.severity,
    l: b.event.level,
    comp: b.event.component,
    msg: b.event.message,
    inc: b.incidentId ?? '',
    rule: b.ruleId,
    trace: b.event.traceId ?? '',
    src: b.event.source,
    off: b.event.offset,
  }));
}

function breadcrumbTable(data: ReportData, csvName: string): Markup {
  const capped = data.breadcrumbs.length < data.breadcrumbsTotal;
  const th = (key: string, label: string, cls = '') =>
    html`<th data-sort="${key}"${cls ? raw(` class="${cls}"`) : ''}${key === 'time' ? raw(' aria-sort="ascending"') : ''}><button type="button">${label}</button></th>`;
  return html`<section id="breadcrumbs"><h2>Breadcrumbs</h2>
<p class="note" data-testid="breadcrumb-cap">${
    capped
      ? html`Showing <b>${num(data.breadcrumbs.length)}</b> of <b>${num(data.breadcrumbsTotal)}</b> breadcrumbs; all in <code>${csvName}</code>.`
      : html`All <b>${num(data.breadcrumbsTotal)}</b> breadcrumbs (also in <code>${csvName}</code>).`
  }</p>
<div class="filters">
  <input id="f-text" type="search" placeholder="Filter text: message, component, rule, incident, trace…" aria-label="Filter text">
  <select id="f-category" aria-label="Category"><option value="">All categories</option></select>
  <select id="f-level" aria-label="Level"><option value="">All levels</option></select>
  <select id="f-component" aria-label="Component"><option value="*">All components</option></select>
  <span id="bc-count" class="muted" data-testid="breadcrumb-count" aria-live="polite"></span>
</div>
<div class="table-wrap"><table class="grid sortable" data-testid="breadcrumb-table"><thead><tr>
${th('time', 'Time (UTC)')}${th('category', 'Category')}${th('severity', 'Sev', 'num')}${th('level', 'Level')}${th('component', 'Component')}${th('message', 'Message')}${th('incident', 'Incident')}${th('source', 'Source:offset')}
</tr></thead><tbody></tbody></table></div>
<noscript><p class="note">The table needs JavaScript; the same rows are in ${csvName}.</p></noscript>
<button type="button" id="bc-more" class="more" hidden>show more</button>
</section>`;
}

function css(): string {
  const cats = CATEGORIES.map((c) => `.cat-${c}{--c:${CATEGORY_COLOR[c]}}`).join('');
  const lvls = LEVELS.map((l) => `.lvl-${l}{--l:${LEVEL_COLOR[l]}}`).join('');
  const sevs = SEVS.map((s) => `.sev-${s}{--s:${SEV_COLOR[s]}}`).join('');
  return `
:root{--bg:#f7f7f5;--card:#fff;--fg:#1f2328;--muted:#6a737d;--line:#e4e4e0;--accent:#ff4d00;--row:#fafaf8;--hl:#fff6e5;
color-scheme:light dark;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#111315;--card:#1a1d21;--fg:#e6e6e3;--muted:#9aa3ad;--line:#2c3036;--row:#1e2126;--hl:#2d2416}
:root .lvl{color:color-mix(in srgb,var(--l) 62%,#fff)}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg)}
main{max-width:1280px;margin:0 auto;padding:24px 28px 64px}
h2{font-size:1.15rem;margin:36px 0 12px;letter-spacing:-.01em}h3{margin:0;font-size:1.1rem}
a{color:inherit}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}
.muted{color:var(--muted)}.nowrap{white-space:nowrap}.num{text-align:right;font-variant-numeric:tabular-nums}
.top{padding:8px 0 4px}.brand{font-size:1.5rem;font-weight:700;letter-spacing:-.02em}.logo{font-size:1.3rem}.meta{margin-top:2px}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px;margin-top:18px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.stat-label{font-size:.78rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.stat-value{font-size:1.6rem;font-weight:700;font-variant-numeric:tabular-nums;margin:2px 0}
.stat-detail{font-size:.82rem;color:var(--muted)}.stat-detail b{color:var(--fg);font-weight:600}
.card,.incident{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 18px;margin:14px 0}
.chart{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:12px 12px 4px;margin:14px 0}
.chart svg{width:100%;height:auto;display:block}
.chip{display:inline-block;border-radius:999px;padding:1px 9px;font-size:.8rem;white-space:nowrap;
background:color-mix(in srgb,var(--c,#888) 16%,transparent);border:1px solid color-mix(in srgb,var(--c,#888) 45%,transparent)}
.counts{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0 4px}
.inc-head{display:flex;justify-content:space-between;align-items:flex-start;gap:16px}
.lead{text-align:right}.lead-value{font-size:1.7rem;font-weight:700;color:var(--accent);line-height:1.1}
.inc-facts{margin:8px 0}.linkish{background:none;border:0;padding:0;color:var(--accent);cursor:pointer;font:inherit}
.track{position:relative;height:26px;margin:18px 6px 2px}
.track-line{position:absolute;left:0;right:0;top:12px;height:2px;background:var(--line)}
.track-lead{position:absolute;left:0;top:11px;height:4px;border-radius:2px;background:linear-gradient(90deg,#e8b10c,var(--accent))}
.dot{position:absolute;top:6px;width:14px;height:14px;margin-left:-7px;border-radius:50%;background:var(--c);border:2px solid var(--card)}
.dot-failure{top:2px;width:22px;height:22px;margin-left:-11px;box-shadow:0 0 0 3px color-mix(in srgb,var(--c) 35%,transparent)}
.track-axis{display:flex;justify-content:space-between;font-size:.8rem;color:var(--muted);margin:0 0 6px}.lead-label{color:var(--accent);font-weight:600}
.steps{list-style:none;margin:12px 0 6px;padding:0 0 0 6px}
.step{position:relative;padding:2px 0 10px 22px;border-left:2px solid var(--line)}.step:last-child{border-left-color:transparent}
.step-dot{position:absolute;left:-7px;top:6px;width:12px;height:12px;border-radius:50%;background:var(--c)}
.step-failure .step-dot{box-shadow:0 0 0 3px color-mix(in srgb,var(--c) 35%,transparent)}
.step-head{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline}.comp{font-weight:600}
.role{font-size:.72rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.step-failure .role{color:var(--accent);font-weight:700}.step-msg{margin-top:2px;overflow-wrap:anywhere}
details.path{margin-top:8px}details.path summary{cursor:pointer;color:var(--muted);font-size:.9rem}
.table-wrap{overflow:auto;max-height:75vh;border:1px solid var(--line);border-radius:10px;background:var(--card)}
table.grid{border-collapse:collapse;width:100%;font-size:.86rem;background:var(--card)}
.grid th,.grid td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.grid th{background:var(--card);font-size:.76rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.table-wrap .grid th{position:sticky;top:0;z-index:1}
.grid th.num,.grid td.num{text-align:right}.grid tbody tr:nth-child(even){background:var(--row)}
.grid tr.escalation td:first-child{box-shadow:inset 3px 0 var(--c)}.grid tr.failure td{font-weight:600;background:var(--hl)}
.grid td.comp-cell{max-width:14rem;overflow-wrap:anywhere}.by-category{margin-top:12px}
.grid td.msg{overflow-wrap:anywhere;white-space:pre-wrap;min-width:260px}
.lvl{font-weight:600;font-size:.78rem;color:var(--l)}.src{font-size:.78rem}
.sortable th button{all:unset;cursor:pointer}.sortable th button:focus-visible{outline:2px solid var(--accent)}
.sortable th[aria-sort=ascending] button::after{content:" ▲"}.sortable th[aria-sort=descending] button::after{content:" ▼"}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0 10px}
.filters input,.filters select,.more{font:inherit;font-size:.88rem;padding:6px 9px;border-radius:8px;border:1px solid var(--line);background:var(--card);color:var(--fg)}
.filters input{flex:1 1 280px}.filters select{max-width:16rem}.more{margin-top:10px;cursor:pointer}
.note{color:var(--muted);font-size:.88rem}.overview td.msg{min-width:200px}.overview th{white-space:nowrap}
footer{margin-top:40px;color:var(--muted);font-size:.8rem}
.grid th.greek{text-transform:none;font-size:.9rem}.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:.74rem;font-weight:700;letter-spacing:.03em;color:#fff;background:var(--s)}
${cats}${lvls}${sevs}`;
}

/** The whole page as one string. */
export function renderHtmlReport(data: ReportData, opts: HtmlReportOptions = {}): string {
  const title = opts.title ?? 'crumbtrail report';
  const csvName = opts.breadcrumbsCsvName ?? 'breadcrumbs.csv';
  const maxCards = opts.maxIncidentCards ?? 50;
  const incidents = [...data.incidents].sort(
    (a, b) => (a.failure.event.timestamp ?? 0) - (b.failure.event.timestamp ?? 0),
  );
  const markers = incidents.flatMap((i) =>
    i.failure.event.timestamp === null ? [] : [{ time: i.failure.event.timestamp, label: i.id }],
  );
  const perMinute = data.summary.perMinute;
  const payload = jsonForScript({
    categories: CATEGORIES.map((c) => ({ id: c, label: CATEGORY_LABEL[c], symbol: CATEGORY_SYMBOL[c] })),
    levels: LEVELS,
    rows: tableRows(data),
  });
  // CSP: no network at all; only our own inline script (by hash) may run.
  const scriptHash = createHash('sha256').update(CLIENT_SCRIPT).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${raw(csp)}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} — ${num(data.incidents.length)} incident${data.incidents.length === 1 ? '' : 's'}</title>
<style>${raw(css())}</style></head>
<body><main>
${header(data, title)}
<section><h2>Incidents</h2>
${incidents.length === 0 ? html`<p class="card muted">No incidents: no final failure was found in the input.</p>` : incidentOverview(incidents)}
${incidents.slice(0, maxCards).map((i) => incidentCard(i, opts.maxPathRows ?? 200))}
${incidents.length > maxCards ? html`<p class="note">${num(incidents.length - maxCards)} more incidents are listed in the overview above (cards for the first ${num(maxCards)}).</p>` : ''}
</section>
<section><h2>Over time</h2>
<div class="chart">${raw(renderCriticalPerMinuteSvg(perMinute, { markers, anomalies: anomalyMarkers(data.anomalies?.records ?? []), standalone: false }))}</div>
<div class="chart">${raw(renderLevelMixSvg(perMinute, { standalone: false }))}</div>
</section>
${data.anomalies ? anomalySection(data.anomalies, opts.maxAnomalyRows ?? 200) : ''}
${openSignals(data.openSignals)}
${data.templates ? templateSection(data.templates) : ''}
${breadcrumbTable(data, csvName)}
<footer>crumbtrail · all times UTC · analysed ${num(data.summary.lines)} lines in ${formatDuration(data.summary.durationMs)} · generated ${when(data.generatedAt)}</footer>
</main>
<script type="application/json" id="crumbtrail-data">${raw(payload)}</script>
<script>${raw(CLIENT_SCRIPT)}</script>
</body></html>
`;
  return page.html;
}
