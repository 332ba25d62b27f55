// (interface fixed; implementation in progress by the lead)
import type { Category, Level } from '../core/types.ts';

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface FieldCondition {
  field: string;
  op: Comparison | 'exists' | 'matches';
  value?: number | string | boolean;
}

export interface Rule {
  id: string;
  category: Category;
  severity: 1 | 2 | 3 | 4 | 5;
  description?: string;
  /** Any of these levels (normalised), or a minimum level. */
  levels?: Level[];
  minLevel?: Level;
  /** Any of these components (exact, case-insensitive) or glob-like `risk-*`. */
  components?: string[];
  /** Case-insensitive regular expression on the message. */
  message?: RegExp;
  /** All must hold. */
  where?: FieldCondition[];
}

export interface RuleSet {
  /** Where the rules came from (file path, or 'built-in defaults'). */
  origin: string;
  rules: Rule[];
}
