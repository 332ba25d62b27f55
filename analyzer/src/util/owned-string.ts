/**
 * A copy of `s` that shares no memory with it. V8 keeps slices and regex captures pointing into their parent
 * string, so a captured component name kept as a Map key would pin its whole line (or decoded chunk) for as
 * long as the map lives. Use it for keys of long-lived maps; it is too slow for per-event use.
 */
export function ownedString(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
