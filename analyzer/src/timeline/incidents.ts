// (interface fixed; implementation in progress by the lead)
import type { Breadcrumb, Incident } from '../core/types.ts';

export interface TimelineOptions {
  /** How far before a failure signals still belong to it. Default 15 minutes. */
  lookbackMs?: number;
  /** Failures/alerts within this long after an incident's failure join that incident. Default 2 minutes. */
  mergeMs?: number;
}

/**
 * Streaming incident builder with memory bounded by the look-back window. Breadcrumbs must arrive in
 * (roughly) time order. `onSettled` receives every breadcrumb once its incident membership is final.
 */
export class IncidentBuilder {
  constructor(
    _opts: TimelineOptions = {},
    _onSettled: (b: Breadcrumb) => void = () => {},
  ) {}
  /** Returns an incident when this breadcrumb closes one (a final failure). */
  add(_b: Breadcrumb): Incident | null {
    throw new Error('not implemented yet');
  }
  /** End of input: settle everything still held; returns signals never followed by a failure. */
  finish(): Breadcrumb[] {
    throw new Error('not implemented yet');
  }
  incidents(): Incident[] {
    throw new Error('not implemented yet');
  }
}
