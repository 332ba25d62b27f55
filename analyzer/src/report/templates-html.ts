// The report's Templates section: the largest mined templates, when new templates appeared (a small bar
// chart per minute) and every novel / burst signal with the reason it was flagged. Escaped by `html`.
import type { TemplateSummary } from '../core/types.ts';
import { html, type Markup, raw } from './markup.ts';
import { utcDateTime } from './time.ts';

const num = (n: number) => n.toLocaleString('en-US');
const when = (t: number | null) => (t === null ? '—' : utcDateTime(t).slice(0, 19));

/** Bars of new templates per minute across the input's time range (our own numbers: trusted SVG). */
function newTemplatesSvg(points: TemplateSummary['newPerMinute']): string {
  if (points.length === 0) return '';
  const w = 900;
  const h = 90;
  const t0 = points[0]!.minute;
  const t1 = points.at(-1)!.minute;
  const span = Math.max(60_000, t1 - t0);
  const max = Math.max(...points.map((p) => p.count));
  const bars = points
    .map((p) => {
      const x = 30 + ((p.minute - t0) / span) * (w - 40);
      const bh = Math.max(1, (p.count / max) * (h - 25));
      return `<rect x="${x.toFixed(1)}" y="${(h - 15 - bh).toFixed(1)}" width="3" height="${bh.toFixed(1)}" fill="#7a5cff"><title>${utcDateTime(p.minute).slice(0, 16)} · ${p.count} new</title></rect>`;
    })
    .join('');
  const axis = `<text x="30" y="${h - 2}" font-size="10" fill="currentColor">${utcDateTime(t0).slice(0, 16)}</text><text x="${w - 10}" y="${h - 2}" font-size="10" text-anchor="end" fill="currentColor">${utcDateTime(t1).slice(0, 16)}</text><text x="2" y="12" font-size="10" fill="currentColor">${max}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="New templates per minute" data-testid="new-templates-chart">${bars}${axis}</svg>`;
}

export function templateSection(t: TemplateSummary, maxRows = 20): Markup {
  const top = t.top.slice(0, maxRows);
  const caps = Object.entries(t.caps).filter(([, n]) => n > 0);
  const why = {
    novel:
      '🔴 novel: a template first seen after the warm-up, in a component that had been logging for a while without any new template — something it never said before (abnormal input candidate).',
    burst: "🟡 burst: a template's count within one minute far above its own per-minute baseline (stress).",
  };
  return html`<section id="templates"><h2>Log templates <span class="muted">(${num(t.templates)})</span></h2>
<p class="note">${num(t.events)} events mined into ${num(t.templates)} templates (variables masked: numbers, ids, IPs, hex, paths, UUIDs, durations).${caps.length ? html` Caps reached: ${caps.map(([k, n], i) => html`${i ? ', ' : ''}${k} <b>${num(n)}</b>`)}.` : ''}</p>
<div class="table-wrap"><table class="grid" data-testid="template-table"><thead><tr><th class="num">Events</th><th>Template</th><th>Id</th><th>Component</th><th>First seen (UTC)</th></tr></thead><tbody>
${top.map((r) => html`<tr><td class="num">${num(r.count)}</td><td class="msg mono">${r.template}</td><td class="mono">${r.id}</td><td>${r.component}</td><td class="mono nowrap">${when(r.firstSeen)}</td></tr>`)}
</tbody></table></div>${t.templates > top.length ? html`<p class="note">largest ${num(top.length)} of ${num(t.templates)} shown</p>` : ''}
<h3>New templates over time</h3>
<div class="chart">${raw(newTemplatesSvg(t.newPerMinute))}</div>
<h3>Template signals <span class="muted">(novel ${num(t.signalCounts.novel)}, burst ${num(t.signalCounts.burst)})</span></h3>
<p class="note">${why.novel}<br>${why.burst}<br>A rule's breadcrumb on the same event wins; the signal is still listed here.</p>
${
  t.signals.length === 0
    ? html`<p class="card muted" data-testid="template-signals-none">No template signals.</p>`
    : html`<div class="table-wrap"><table class="grid" data-testid="template-signals"><thead><tr><th>Time (UTC)</th><th>Signal</th><th>Component</th><th>Template</th><th>Why flagged</th></tr></thead><tbody>
${t.signals.map((s) => html`<tr><td class="mono nowrap">${when(s.at)}</td><td class="nowrap">${s.kind === 'novel' ? '🔴 novel' : '🟡 burst'}</td><td>${s.component}</td><td class="msg mono">${s.template}</td><td class="msg">${s.reason}</td></tr>`)}
</tbody></table></div>${t.signals.length < t.signalCounts.novel + t.signalCounts.burst ? html`<p class="note">first ${num(t.signals.length)} shown</p>` : ''}`
}
</section>`;
}
