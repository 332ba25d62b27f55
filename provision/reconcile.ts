// The idempotency core: read the object, compare it with the desired state, write only when it differs,
// and record created / updated / unchanged. In --dry-run the write is never called.
import { differences } from './compare.ts';
import type { Reporter } from './report.ts';
import type { WaitBoard } from './wait.ts';

export interface StepContext {
  dryRun: boolean;
  report: Reporter;
  print: (line: string) => void;
  timeoutMs: number;
  /** The shared progress line of the waits running together (see wait.ts). */
  board?: WaitBoard;
}

export interface ReconcileSpec<D> {
  service: string;
  kind: string;
  id: string;
  desired: D;
  /** The object as the server has it, or undefined when absent. */
  read: () => Promise<unknown>;
  /** Defaults to `differences` (desired contained in actual). */
  compare?: (desired: D, actual: unknown) => string[];
  write: (exists: boolean, actual: unknown) => Promise<void>;
}

export async function reconcile<D>(
  ctx: StepContext,
  spec: ReconcileSpec<D>,
): Promise<'created' | 'updated' | 'unchanged'> {
  const actual = await spec.read();
  const exists = actual !== undefined;
  let diffs: string[] = [];
  if (exists) diffs = (spec.compare ?? differences)(spec.desired, actual);
  const outcome = !exists ? 'created' : diffs.length > 0 ? 'updated' : 'unchanged';
  if (outcome !== 'unchanged' && !ctx.dryRun) await spec.write(exists, actual);
  ctx.report.record({
    service: spec.service,
    kind: spec.kind,
    id: spec.id,
    outcome,
    ...(outcome === 'updated' ? { detail: `differs at ${diffs.join(', ')}` } : {}),
  });
  return outcome;
}
