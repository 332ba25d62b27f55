// UTC time and duration formatting shared by the reports (all reports speak UTC: logs come from many zones).

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2024-05-06 14:40:12` (UTC); with ms: `…12.345`. */
export function utcDateTime(ms: number, withMs = false): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${utcClock(ms)}`;
  return withMs ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

/** `14:40:12` (UTC). */
export function utcClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `14:40` (UTC). */
export function utcHourMinute(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** `05-06` (UTC month-day). */
export function utcMonthDay(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Human duration: `850ms`, `42s`, `4m 58s`, `2h 05m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)}ms`;
  const s = Math.floor(a / 1000);
  if (s < 60) return `${sign}${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m}m ${pad(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${sign}${h}h ${pad(m % 60)}m`;
  return `${sign}${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Compact offset from a reference: `+0s`, `+1m 18s`. */
export function formatOffset(ms: number): string {
  if (ms === 0) return '+0s';
  return `${ms < 0 ? '' : '+'}${formatDuration(ms)}`;
}
