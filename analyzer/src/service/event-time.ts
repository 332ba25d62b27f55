// Event time is data, not a clock: a line may claim any date. Where event time drives state (incident
// windows, anomaly series and their retention) the service first checks it against its own clock.

export type Timeliness = 'ok' | 'future' | 'past';
export type TimeBound = (timestampMs: number | null) => Timeliness;

/** 'future' beyond now + maxFutureMs, 'past' before now − maxPastMs, else 'ok' (no timestamp: read time, ok). */
export function eventTimeBound(now: () => number, maxFutureMs: number, maxPastMs: number): TimeBound {
  return (ts) => {
    if (ts === null) return 'ok';
    if (!Number.isFinite(ts)) return 'past';
    const t = now();
    if (ts > t + maxFutureMs) return 'future';
    if (ts < t - maxPastMs) return 'past';
    return 'ok';
  };
}
