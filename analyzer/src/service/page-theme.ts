// What the analyzer's two pages (the dashboard at / and /anomalies) share: one dark theme, one header with links
// between them, and one way to show time (UTC, 24 h) and durations ("13m 22s", as the CLI and report.html).
// The page scripts are inline (no CDN, no bundle), so the formatters are a JS source string; a unit test runs
// it against analyzer/src/report/time.ts so the pages and the reports cannot drift apart.

export const PAGE_THEME_CSS = `
  :root { --bg:#101418; --panel:#182028; --text:#e4e8ec; --muted:#8a96a3; --line:#2a3440; --link:#64b5f6; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--text); }
  a { color:var(--link); }
  header { padding:12px 20px; border-bottom:1px solid var(--line); display:flex; gap:16px; align-items:baseline; flex-wrap:wrap; }
  header h1 { font-size:18px; margin:0; }
  header nav { display:flex; gap:12px; }
  header nav a[aria-current] { color:var(--text); text-decoration:none; font-weight:600; }
  #status { color:var(--muted); }
  section { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:12px; overflow:auto; }
  h2 { font-size:14px; margin:0 0 8px; color:var(--muted); text-transform:uppercase; letter-spacing:.05em; }
  table { width:100%; border-collapse:collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align:left; padding:3px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { color:var(--muted); font-weight:normal; }
  .hint { color:var(--muted); font-size:12px; }
  .sev { display:inline-block; min-width:44px; text-align:center; border-radius:3px; padding:0 4px; font-size:12px; font-weight:600; color:#fff; }
  .sev1 { background:#d32f2f; } .sev2 { background:#f57c00; } .sev3 { background:#fbc02d; color:#222; }
  .sev4 { background:#1976d2; } .sev5 { background:#546e7a; }
  .ok { color:#66bb6a; } .bad { color:#ef5350; } .warn { color:#ffb74d; }
`;

/** `utcTime(ms)` → "2026-05-06 14:40:12 UTC"; `duration(ms)` → "850ms", "42s", "13m 22s", "2h 05m", "3d 4h". */
export const PAGE_FORMAT_JS = `
function pad2(n) { return String(n).padStart(2, '0'); }
function utcTime(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  return d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate()) + ' ' +
    pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) + ':' + pad2(d.getUTCSeconds()) + ' UTC';
}
function duration(ms) {
  if (!Number.isFinite(ms)) return '?';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return sign + Math.round(a) + 'ms';
  const s = Math.floor(a / 1000);
  if (s < 60) return sign + s + 's';
  const m = Math.floor(s / 60);
  if (m < 60) return sign + m + 'm ' + pad2(s % 60) + 's';
  const h = Math.floor(m / 60);
  if (h < 24) return sign + h + 'h ' + pad2(m % 60) + 'm';
  return sign + Math.floor(h / 24) + 'd ' + (h % 24) + 'h';
}
`;

/** The header both pages show; `base` is the relative path from the page to the service root. */
export function pageHeader(current: 'dashboard' | 'anomalies', base: string): string {
  const link = (page: typeof current, href: string, label: string) =>
    `<a href="${href}"${page === current ? ' aria-current="page"' : ''}>${label}</a>`;
  return `<header><h1>🍞 crumbtrail analyzer</h1><nav>${link('dashboard', base, 'dashboard')}${link(
    'anomalies',
    `${base}anomalies`,
    'anomalies',
  )}</nav><span id="status">connecting…</span></header>`;
}
