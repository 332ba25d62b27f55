// Receiver for Alertmanager's webhook (payload version 4): keeps the most recent alerts for /api/alerts and the
// dashboard. Validates the shape so a wrong sender gets a clear 400 instead of silently stored garbage.
import { Ring } from '../pipeline/ring.ts';

export interface ReceivedAlert {
  receivedAt: number;
  receiver: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  generatorURL: string;
}

export class AlertStore {
  private readonly ring: Ring<ReceivedAlert>;
  private total = 0;

  constructor(capacity = 500) {
    this.ring = new Ring(capacity);
  }

  /** Accept a webhook body; returns the number of alerts stored, or an error message. */
  receive(body: unknown, now = Date.now()): number | string {
    if (typeof body !== 'object' || body === null)
      return 'body must be a JSON object (Alertmanager webhook payload)';
    const p = body as Record<string, unknown>;
    if (!Array.isArray(p.alerts)) return 'missing "alerts" array (is this an Alertmanager webhook payload?)';
    const receiver = typeof p.receiver === 'string' ? p.receiver : '';
    let n = 0;
    for (const a of p.alerts) {
      if (typeof a !== 'object' || a === null) return `alerts[${n}] must be an object`;
      const alert = a as Record<string, unknown>;
      const labels = stringMap(alert.labels);
      if (!labels) return `alerts[${n}].labels must be an object of strings`;
      this.ring.push({
        receivedAt: now,
        receiver,
        status: typeof alert.status === 'string' ? alert.status : String(p.status ?? ''),
        labels,
        annotations: stringMap(alert.annotations) ?? {},
        startsAt: String(alert.startsAt ?? ''),
        endsAt: String(alert.endsAt ?? ''),
        fingerprint: String(alert.fingerprint ?? ''),
        generatorURL: String(alert.generatorURL ?? ''),
      });
      n++;
    }
    this.total += n;
    return n;
  }

  /** Newest first. */
  recent(limit: number): ReceivedAlert[] {
    return this.ring.recent(limit).reverse();
  }

  get count(): number {
    return this.total;
  }
}

function stringMap(v: unknown): Record<string, string> | null {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}
