// Prometheus families of the monitor, on a registry the service passes in. The `series` label is bounded:
// the first `maxSeries` series keep their name, the rest share `other` (showing the worst current severity).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Severity } from './types.ts';

export class AnomalyMetrics {
  private readonly total: Counter<'sev'>;
  private readonly severity: Gauge<'series'>;
  private readonly labelled = new Set<string>();
  /** Current severity (0 = normal) of series folded into `other`. */
  private readonly folded = new Map<string, number>();

  constructor(
    registry: Registry,
    private readonly maxSeries: number,
  ) {
    this.total = new Counter({
      name: 'crumbtrail_anomalies_total',
      help: 'Anomalies detected by the time-aware monitor, by severity (SEV1 worst … SEV5)',
      labelNames: ['sev'],
      registers: [registry],
    });
    this.severity = new Gauge({
      name: 'crumbtrail_anomaly_severity',
      help: 'Severity of the latest sample of a series: 1 (SEV1, worst) … 5 while anomalous, 0 when normal',
      labelNames: ['series'],
      registers: [registry],
    });
    for (const s of [1, 2, 3, 4, 5]) this.total.inc({ sev: `SEV${s}` }, 0);
  }

  anomaly(sev: Severity): void {
    this.total.inc({ sev: `SEV${sev}` });
  }

  /** Record the state of the latest sample: sev, or 0 when normal. */
  state(series: string, sev: Severity | 0): void {
    if (this.labelled.has(series) || this.labelled.size < this.maxSeries) {
      this.labelled.add(series);
      this.severity.set({ series }, sev);
      return;
    }
    this.folded.set(series, sev);
    let worst = 0;
    for (const v of this.folded.values()) if (v > 0 && (worst === 0 || v < worst)) worst = v;
    this.severity.set({ series: 'other' }, worst);
  }
}
