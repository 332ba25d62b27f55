// The time an event sorts by. An event without a timestamp takes the time of the last timed event of its
// source (so it stays right after its neighbour); before any timed event it sorts first (-Infinity).

export interface Timed {
  timestamp: number | null;
}

export class CarryForwardClock {
  private last = Number.NEGATIVE_INFINITY;

  key(e: Timed): number {
    const t = e.timestamp;
    if (t !== null && Number.isFinite(t)) this.last = t;
    return this.last;
  }
}
