// Label values must come from bounded sets, or one chatty log can create millions of series. A BoundedLabel
// maps a raw value to a small integer id: allowlisted values always get their own id, others are admitted
// first-come until the cap, and everything after folds into `other`. Ids are numeric so hot-path caches can
// index arrays instead of hashing strings.

import { ownedString } from '../util/owned-string.ts';

export const OTHER = 'other';

export interface BoundedLabelOptions {
  /** Values that always get their own series (they count toward the cap). */
  allow?: readonly string[];
  /** Most distinct values kept (not counting `other`). */
  cap: number;
  /** Value used for '' (unknown). Default 'unknown'. */
  empty?: string;
}

export class BoundedLabel {
  readonly cap: number;
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly emptyName: string;
  /** Id of `other` (fixed: 0), so a folded value never allocates. */
  readonly otherId = 0;
  private folded = 0;

  constructor(
    readonly label: string,
    opts: BoundedLabelOptions,
  ) {
    if (!Number.isInteger(opts.cap) || opts.cap < 1) throw new Error(`label cap for ${label} must be ≥ 1`);
    this.cap = opts.cap;
    this.emptyName = opts.empty ?? 'unknown';
    this.names.push(OTHER);
    for (const v of opts.allow ?? []) this.admit(v);
  }

  /** Id for a raw value; admits it if there is room, else `other`'s id. */
  id(value: string): number {
    const known = this.ids.get(value);
    if (known !== undefined) return known;
    if (this.names.length - 1 >= this.cap) {
      this.folded++;
      return this.otherId;
    }
    return this.admit(value);
  }

  /** The label value for an id. */
  name(id: number): string {
    return this.names[id] ?? OTHER;
  }

  /** Distinct values admitted (excluding `other`). */
  get size(): number {
    return this.names.length - 1;
  }

  /** How many lookups were folded into `other` (a sign the cap or allowlist needs a look). */
  get foldedCount(): number {
    return this.folded;
  }

  /** Largest id handed out so far + 1 (for sizing arrays). */
  get idCount(): number {
    return this.names.length;
  }

  private admit(value: string): number {
    if (value === OTHER) return this.otherId;
    const existing = this.ids.get(value);
    if (existing !== undefined) return existing;
    // `value` is often a slice of a line: keep our own copy as the long-lived key.
    const owned = ownedString(value);
    const shown = owned === '' ? this.emptyName : owned;
    const id = this.names.length;
    this.names.push(shown);
    this.ids.set(owned, id);
    return id;
  }
}
