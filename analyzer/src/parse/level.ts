import type { Level } from '../core/types.ts';

// Names seen in the wild (syslog, log4j, Python, Go, pino) folded onto our eight levels.
const BY_NAME: Record<string, Level> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  fine: 'DEBUG',
  info: 'INFO',
  information: 'INFO',
  notice: 'INFO',
  warn: 'WARN',
  warning: 'WARN',
  error: 'ERROR',
  err: 'ERROR',
  critical: 'CRITICAL',
  crit: 'CRITICAL',
  severe: 'CRITICAL',
  fatal: 'FATAL',
  alert: 'FATAL',
  emerg: 'FATAL',
  emergency: 'FATAL',
  panic: 'FATAL',
};

/** Normalise a level name or pino-style number; UNKNOWN when unrecognised. */
export function normaliseLevel(value: unknown): Level {
  if (typeof value === 'string') return BY_NAME[value.toLowerCase()] ?? 'UNKNOWN';
  if (typeof value === 'number') {
    if (value >= 60) return 'FATAL';
    if (value >= 50) return 'ERROR';
    if (value >= 40) return 'WARN';
    if (value >= 30) return 'INFO';
    if (value >= 20) return 'DEBUG';
    return 'TRACE';
  }
  return 'UNKNOWN';
}
