// User errors and the one handler every entry point uses for them.
import { UsageError } from '../core/usage-error.ts';

export { UsageError };

/**
 * The message and exit code for an error that escaped an entry point: a UsageError (or a port in use) is one
 * line and exit 2; anything else is a bug, printed with its stack, exit 1.
 */
export function exitFor(err: unknown): { message: string; code: 1 | 2 } {
  if (err instanceof UsageError) return { message: err.message, code: 2 };
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE')
    return { message: `port in use: ${e.message} (choose another with --port)`, code: 2 };
  return {
    message: `cannot start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    code: 1,
  };
}
