// A circuit breaker: after `failures` consecutive failed calls it opens and fails fast for `cooldownMs`; then
// one trial call is let through (half-open): success closes it, failure opens it again.

export type BreakerState = 'closed' | 'open' | 'half-open';

export class BreakerOpenError extends Error {
  constructor(readonly retryAt: number) {
    super(`circuit open until ${new Date(retryAt).toISOString()}: the AI endpoint failed repeatedly`);
  }
}

export class CircuitBreaker {
  private consecutive = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  async call<T>(fn: () => Promise<T>): Promise<T> {
    const st = this.state;
    if (st === 'open' || (st === 'half-open' && this.trialInFlight)) {
      throw new BreakerOpenError((this.openedAt ?? this.now()) + this.cooldownMs);
    }
    const trial = st === 'half-open';
    if (trial) this.trialInFlight = true;
    try {
      const out = await fn();
      this.consecutive = 0;
      this.openedAt = null;
      return out;
    } catch (err) {
      this.consecutive++;
      if (trial || this.consecutive >= this.failures) this.openedAt = this.now();
      throw err;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }
}
