// Wait for a service to become healthy, with a visible progress line and a hard timeout.
import { setTimeout as sleep } from 'node:timers/promises';
import { ProvisionError } from './errors.ts';

export interface Probe {
  ready: boolean;
  /** What the service says now, e.g. "status yellow" or "connection refused". */
  detail: string;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  print: (line: string) => void;
}

export async function waitForHealthy(
  label: string,
  probe: () => Promise<Probe>,
  opts: WaitOptions,
): Promise<string> {
  const started = Date.now();
  const interval = opts.intervalMs ?? 2000;
  const maxAttempts = Math.max(1, Math.ceil(opts.timeoutMs / interval) + 1);
  let last = 'no answer yet';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let result: Probe;
    try {
      result = await probe();
    } catch (err) {
      if (err instanceof ProvisionError && err.fatal) throw err;
      result = { ready: false, detail: err instanceof Error ? err.message : String(err) };
    }
    last = result.detail;
    const secs = Math.round((Date.now() - started) / 1000);
    if (result.ready) {
      opts.print(`waiting for ${label}: ready after ${secs}s (${result.detail})`);
      return result.detail;
    }
    if (Date.now() - started >= opts.timeoutMs) break;
    opts.print(`waiting for ${label}: ${result.detail} [${secs}s/${Math.round(opts.timeoutMs / 1000)}s]`);
    await sleep(interval);
  }
  throw new ProvisionError(
    `${label} not healthy after ${Math.round(opts.timeoutMs / 1000)}s: ${last} (raise --timeout, or check the service logs)`,
  );
}
