// One error type for everything the operator must act on: what failed, and how to fix it.
export class ProvisionError extends Error {
  constructor(
    message: string,
    /** Retrying cannot help (bad credentials, licence, version): stop waiting at once. */
    readonly fatal = false,
  ) {
    super(message);
  }
}
