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

/** Nothing answers at a service's URL (connection refused, no such host): the stack is not running there. */
export class UnreachableError extends ProvisionError {
  constructor(
    readonly service: string,
    readonly url: string,
    /** The env variable that names the URL, for the hint. */
    readonly urlVar: string,
    readonly reason: string,
  ) {
    super(
      `${service} unreachable at ${url} (${reason}): is it running? set ${urlVar} to provision another host`,
    );
  }
}
