// The service's own failure accounting: observer exceptions, quarantined event times, paused outputs, the
// tailer's error counter and refused acks. Kept in one place so /readyz, /stats and /metrics tell the same
// story; the families read these numbers at scrape time (nothing per event but an array write).
import { Counter, Gauge, type Registry } from 'prom-client';

/** A failure that keeps the service not-ready until it is older than this (it clears by itself). */
export const RECENT_FAILURE_MS = 60_000;

interface Failure {
  count: number;
  lastAt: number;
  lastMessage: string;
}

export interface HealthSources {
  tailerErrors: () => number;
  tailerLastError: () => string;
  ackRejected: () => number;
}

export class ServiceHealth {
  readonly observerFailures = new Map<string, Failure>();
  /** Events whose time was outside the accepted window, by reason ('future' | 'past'). */
  readonly quarantined = { future: 0, past: 0 };
  /** Output name → why it is paused (ENOSPC, EROFS, ENOENT …); absent when writing. */
  readonly pausedOutputs = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    private readonly sources: HealthSources,
  ) {}

  observerFailed(name: string, err: unknown): void {
    const f = this.observerFailures.get(name) ?? { count: 0, lastAt: 0, lastMessage: '' };
    f.count++;
    f.lastAt = this.now();
    f.lastMessage = err instanceof Error ? err.message : String(err);
    this.observerFailures.set(name, f);
  }

  /** Readiness checks and reasons contributed by these failures. */
  checks(): { checks: Record<string, boolean>; reasons: string[] } {
    const checks: Record<string, boolean> = {};
    const reasons: string[] = [];
    const now = this.now();
    for (const [name, f] of this.observerFailures) {
      const ok = now - f.lastAt >= RECENT_FAILURE_MS;
      checks[`observer:${name}`] = ok;
      if (!ok) reasons.push(`observer ${name} failed ${f.count} time(s), last: ${f.lastMessage}`);
    }
    for (const [name, why] of this.pausedOutputs) {
      checks[`output:${name}`] = false;
      reasons.push(`output ${name} paused: ${why}`);
    }
    return { checks, reasons };
  }

  stats(): Record<string, unknown> {
    return {
      observerFailures: Object.fromEntries(this.observerFailures),
      quarantined: { ...this.quarantined },
      pausedOutputs: Object.fromEntries(this.pausedOutputs),
      tailerErrors: this.sources.tailerErrors(),
      tailerLastError: this.sources.tailerLastError(),
      ackRejected: this.sources.ackRejected(),
    };
  }

  register(registry: Registry): void {
    const self = this;
    const counterFrom = (name: string, help: string, read: () => number): void => {
      let last = 0;
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          const v = read();
          this.inc(Math.max(0, v - last));
          last = Math.max(last, v);
        },
      });
    };
    const observerSeen = new Map<string, number>();
    new Counter({
      name: 'crumbtrail_observer_errors_total',
      help: 'Exceptions thrown by event observers (the anomaly monitor); the event still shipped.',
      labelNames: ['observer'],
      registers: [registry],
      collect() {
        for (const [name, f] of self.observerFailures) {
          const before = observerSeen.get(name) ?? 0;
          this.inc({ observer: name }, f.count - before);
          observerSeen.set(name, f.count);
        }
      },
    });
    const quarantinedSeen = { future: 0, past: 0 };
    new Counter({
      name: 'crumbtrail_events_quarantined_total',
      help: 'Events whose timestamp was too far ahead of or behind the clock: shipped, but kept out of anomaly series and incident windows.',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        for (const reason of ['future', 'past'] as const) {
          this.inc({ reason }, self.quarantined[reason] - quarantinedSeen[reason]);
          quarantinedSeen[reason] = self.quarantined[reason];
        }
      },
    });
    counterFrom(
      'crumbtrail_tailer_errors_total',
      'Errors the file tailer recorded (reads, scans, failed deliveries).',
      this.sources.tailerErrors,
    );
    counterFrom(
      'crumbtrail_ack_rejected_total',
      'Events not tracked for checkpointing because their offset was at or below the committed one (replays).',
      this.sources.ackRejected,
    );
    new Gauge({
      name: 'crumbtrail_output_paused',
      help: '1 while an output (--output) is paused by a write error (disk full, read-only, vanished dir).',
      labelNames: ['output'],
      registers: [registry],
      collect() {
        this.reset();
        this.set({ output: 'events' }, self.pausedOutputs.has('events') ? 1 : 0);
      },
    });
  }
}
