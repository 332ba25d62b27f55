// The live dashboard: one self-contained page (inline CSS/JS, no CDN) that polls the JSON API every 2 s.
// Everything that came from a log is inserted with textContent (never innerHTML), so log lines cannot inject
// markup or script. Theme, header and time/duration style are shared with /anomalies (page-theme.ts).
import { PAGE_FORMAT_JS, PAGE_THEME_CSS, pageHeader } from './page-theme.ts';

export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crumbtrail analyzer</title>
<style>${PAGE_THEME_CSS}
  main { display:grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap:16px; padding:16px 20px; }
  .big { font-size:28px; font-weight:600; }
  .kpis { display:flex; gap:24px; flex-wrap:wrap; }
  .kpi span { display:block; color:var(--muted); font-size:12px; }
  td.msg { font-family: ui-monospace, monospace; font-size:12px; word-break:break-word; }
  .wide { grid-column: 1 / -1; }
</style>
</head>
<body>
${pageHeader('dashboard', './')}
<main>
  <section>
    <h2>Throughput</h2>
    <div class="kpis">
      <div class="kpi"><div class="big" id="lps">–</div><span>lines/s</span></div>
      <div class="kpi"><div class="big" id="events">–</div><span>events</span></div>
      <div class="kpi"><div class="big" id="epm">–</div><span>log errors/min (ERROR+ lines, last 60 s)</span></div>
      <div class="kpi"><div class="big" id="incidents">–</div><span>incidents</span></div>
      <div class="kpi"><div class="big" id="ready">–</div><span>ready</span></div>
    </div>
  </section>
  <section>
    <h2>Pipeline stages</h2>
    <table><thead><tr><th>stage</th><th>in</th><th>out</th><th>errors</th><th>µs/item</th></tr></thead>
    <tbody id="stages"></tbody></table>
  </section>
  <section class="wide">
    <h2>Recent breadcrumbs</h2>
    <table><thead><tr><th></th><th>sev</th><th>category</th><th>time (UTC)</th><th>component</th><th>message</th></tr></thead>
    <tbody id="crumbs"></tbody></table>
  </section>
  <section>
    <h2>Recent incidents</h2>
    <table><thead><tr><th>failure (UTC)</th><th>responsible</th><th>lead time</th><th>crumbs</th></tr></thead>
    <tbody id="incidentRows"></tbody></table>
  </section>
  <section>
    <h2>Pipeline errors</h2>
    <p class="hint">Lines a pipeline stage could not process (the analyzer's own errors, not the application's
    ERROR lines: those are counted in log errors/min and shown as breadcrumbs).</p>
    <table><thead><tr><th>stage</th><th>where</th><th>message</th></tr></thead>
    <tbody id="errors"></tbody></table>
  </section>
</main>
<script>
'use strict';
function cell(tr, value, cls) {
  const td = document.createElement('td');
  td.textContent = value === null || value === undefined ? '' : String(value);
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}
function fill(id, rows, render) {
  const body = document.getElementById(id);
  const next = document.createDocumentFragment();
  for (const r of rows) { const tr = document.createElement('tr'); render(tr, r); next.appendChild(tr); }
  body.replaceChildren(next);
}
function setText(id, v) { document.getElementById(id).textContent = String(v); }
${PAGE_FORMAT_JS}
async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (!r.ok && r.status !== 503) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}
async function refresh() {
  try {
    const [stats, crumbs, incidents, errors] = await Promise.all([
      getJson('stats'), getJson('api/breadcrumbs?limit=50'), getJson('api/incidents?limit=20'), getJson('errors?limit=20'),
    ]);
    setText('lps', Math.round(stats.linesPerSecond));
    setText('events', stats.totals.events);
    setText('epm', stats.totals.errorsPerMinute);
    setText('incidents', stats.totals.incidents);
    const ready = document.getElementById('ready');
    ready.textContent = stats.ready ? 'yes' : 'no';
    ready.className = 'big ' + (stats.ready ? 'ok' : 'bad');
    fill('stages', stats.stages, (tr, s) => {
      cell(tr, s.name); cell(tr, s.eventsIn); cell(tr, s.eventsOut); cell(tr, s.errors, s.errors ? 'bad' : '');
      cell(tr, s.eventsIn ? (s.seconds * 1e6 / s.eventsIn).toFixed(2) : '–');
    });
    fill('crumbs', crumbs.breadcrumbs, (tr, b) => {
      cell(tr, b.symbol);
      const sev = cell(tr, ''); const badge = document.createElement('span');
      badge.className = 'sev sev' + Number(b.severity); badge.textContent = 'SEV' + Number(b.severity); sev.appendChild(badge);
      cell(tr, b.category); cell(tr, utcTime(b.timestamp || b.seenAt)); cell(tr, b.component); cell(tr, b.message, 'msg');
    });
    fill('incidentRows', incidents.incidents, (tr, i) => {
      cell(tr, utcTime(i.failureAt || i.closedAt)); cell(tr, i.responsible); cell(tr, duration(i.leadTimeSeconds * 1000)); cell(tr, i.breadcrumbCount);
    });
    fill('errors', errors.errors, (tr, e) => {
      cell(tr, e.stage); cell(tr, e.source + ':' + e.offset); cell(tr, e.message + (e.line ? ' — ' + e.line : ''), 'msg');
    });
    setText('status', 'updated ' + utcTime(Date.now()) + ' · uptime ' + duration(stats.uptimeSeconds * 1000));
  } catch (err) {
    setText('status', 'cannot reach the analyzer: ' + err.message);
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
}
