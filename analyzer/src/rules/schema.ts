// Breadcrumb rules as data. A rule file (YAML/JSON) is validated into these types by load.ts.
import type { Category, Level } from '../core/types.ts';

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface FieldCondition {
  field: string;
  op: Comparison | 'exists' | 'matches';
  value?: number | string | boolean;
  /** Compiled once for `matches`. */
  regex?: RegExp;
}

export interface Rule {
  id: string;
  category: Category;
  severity: 1 | 2 | 3 | 4 | 5;
  description?: string;
  /** Any of these levels (normalised). */
  levels?: Level[];
  /** At least this level. */
  minLevel?: Level;
  /** Any of these components (case-insensitive; `*` wildcards allowed, e.g. `risk-*`). */
  components?: string[];
  /** Compiled matcher for `components`. */
  componentMatcher?: RegExp;
  /** Case-insensitive regular expression on the message. */
  message?: RegExp;
  /** The rule does not apply when the message matches this (negations, benign contexts: "no change required"). */
  unless?: RegExp;
  /** All must hold. */
  where?: FieldCondition[];
  /**
   * Only after `count` breadcrumbs of `category` sharing an entity value with this line (an IP, a user…) within
   * `withinMs`: a login accepted from an address that was just guessing passwords.
   */
  after?: { category: Category; count: number; withinMs: number };
  /** Log lines the rule is meant to match (documentation, checked by the tests). */
  examples?: string[];
}

export interface RuleSet {
  /** Where the rules came from (file path). */
  origin: string;
  rules: Rule[];
}
