// Exponential backoff with "full jitter": wait a uniform random time in [0, min(cap, base·2^attempt)).
// Jitter spreads retries from many shippers; the cap bounds the wait, never the number of retries.

export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
