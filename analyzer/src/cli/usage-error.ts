/** A problem with how the command was called or with its inputs: one clear line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
