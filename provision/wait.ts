// Waiting for services to become healthy: every service at once, one shared progress line, a hard timeout,
// and no waiting at all where it cannot help (nothing listens on a dry run's first try, or --wait 0).
import { setTimeout as sleep } from 'node:timers/promises';
import { ProvisionError, UnreachableError } from './errors.ts';

export interface Probe {
  ready: boolean;
  /** What the service says now, e.g. "status yellow" or "connection refused". */
  detail: string;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  print: (line: string) => void;
  /** Shared progress line for waits that run together; without one each attempt prints its own line. */
  board?: WaitBoard;
  /** Stop at the first "nothing listens there" (a dry run: the operator wants an answer, not a wait). */
  failFastUnreachable?: boolean;
}

/**
 * One progress line for every wait in flight: "waiting 12s/180s: Elasticsearch cluster status red ·
 * Kibana ready after 3s · …", printed at most every `everyMs` (10 s) instead of a line per service per try.
 */
export class WaitBoard {
  private readonly states = new Map<string, string>();
  private readonly started: number;
  private lastPrinted = 0;
  private finalPrinted = false;

  constructor(
    private readonly print: (line: string) => void,
    private readonly timeoutMs: number,
    private readonly opts: { everyMs?: number; now?: () => number } = {},
  ) {
    this.started = this.now();
    this.lastPrinted = this.started;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** The closing line once every wait has settled (so the last state is always seen). */
  done(): void {
    if (this.finalPrinted || this.states.size === 0) return;
    this.finalPrinted = true;
    this.print(this.line());
  }

  private line(): string {
    return `waiting ${Math.round((this.now() - this.started) / 1000)}s/${Math.round(this.timeoutMs / 1000)}s: ${[
      ...this.states,
    ]
      .map(([l, s]) => `${l} ${s}`)
      .join(' · ')}`;
  }

  update(label: string, state: string): void {
    this.states.set(label, state);
    const now = this.now();
    if (now - this.lastPrinted >= (this.opts.everyMs ?? 10_000)) {
      this.lastPrinted = now;
      this.print(this.line());
    }
  }
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
      // Nothing listens: on a dry run (or --wait 0) waiting cannot help, say so now.
      if (err instanceof UnreachableError && (opts.failFastUnreachable || opts.timeoutMs === 0)) throw err;
      result = { ready: false, detail: err instanceof Error ? err.message : String(err) };
    }
    last = result.detail;
    const secs = Math.round((Date.now() - started) / 1000);
    if (result.ready) {
      if (opts.board) opts.board.update(label, `ready after ${secs}s`);
      else opts.print(`waiting for ${label}: ready after ${secs}s (${result.detail})`);
      return result.detail;
    }
    if (Date.now() - started >= opts.timeoutMs) break;
    if (opts.board) opts.board.update(label, result.detail);
    else
      opts.print(`waiting for ${label}: ${result.detail} [${secs}s/${Math.round(opts.timeoutMs / 1000)}s]`);
    await sleep(interval);
  }
  throw new ProvisionError(
    `${label} not healthy after ${Math.round(opts.timeoutMs / 1000)}s: ${last} (raise --wait, or check the service logs)`,
  );
}

/** The wait options of a provisioning step: its timeout, its shared progress line, fail fast on a dry run. */
export function waitOptions(ctx: {
  timeoutMs: number;
  print: (line: string) => void;
  board?: WaitBoard;
  dryRun: boolean;
}): WaitOptions {
  return {
    timeoutMs: ctx.timeoutMs,
    print: ctx.print,
    ...(ctx.board ? { board: ctx.board } : {}),
    failFastUnreachable: ctx.dryRun,
  };
}
