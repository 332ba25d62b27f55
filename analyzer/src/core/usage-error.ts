// The one type for user errors: bad flags, config values, rule files, globs, a corrupt checkpoint file. Each
// entry point (analyze, serve) prints its message as one line and exits 2; anything else is a bug (exit 1).
export class UsageError extends Error {
  override name = 'UsageError';
}
