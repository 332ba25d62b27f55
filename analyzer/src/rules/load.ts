// (interface fixed; implementation in progress by the lead)
import type { RuleSet } from './schema.ts';

/** The shipped defaults: analyzer/rules/default.yml. */
export const DEFAULT_RULES_PATH = new URL('../../rules/default.yml', import.meta.url).pathname;

/** A rule file that cannot be used: carries the file, line and reason. */
export class RuleFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** Load and validate a rule file (YAML or JSON). Throws RuleFileError. */
export function loadRules(_path: string = DEFAULT_RULES_PATH): RuleSet {
  throw new Error('not implemented yet');
}
