// The cluster licence decides whether Watcher and the Kibana webhook connector can be used.
import type { Client } from '@elastic/elasticsearch';
import type { Target } from './config.ts';
import { esCall } from './es-client.ts';

export interface License {
  type: string;
  status: string;
}

const RANK: Record<string, number> = { basic: 0, standard: 0, gold: 1, platinum: 2, enterprise: 3, trial: 3 };

export type MinimumLicense = 'basic' | 'gold' | 'platinum' | 'enterprise';

/** True when the licence is active and at least `minimum` (the trial counts as enterprise). */
export function licenseAllows(license: License, minimum: MinimumLicense): boolean {
  if (minimum === 'basic') return true;
  if (license.status !== 'active') return false;
  return (RANK[license.type] ?? -1) >= (RANK[minimum] ?? 99);
}

export async function readLicense(client: Client, target: Target): Promise<License> {
  const res = await esCall(target, 'GET _license', () => client.license.get());
  return { type: res.license.type, status: res.license.status };
}
