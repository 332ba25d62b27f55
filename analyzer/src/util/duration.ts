// Durations as people write them in flags and config: 500ms, 90s, 15m, 1h, 7d (or a bare number of ms).
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or null when `text` is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!);
}
