// What happened to each object: created / updated / unchanged / skipped, printed as it happens and summed up.
export type Outcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'skipped'
  | 'managed-elsewhere'
  | 'checked'
  | 'failed';

export interface ObjectResult {
  service: string;
  kind: string;
  id: string;
  outcome: Outcome;
  detail?: string;
}

const CHANGES: readonly Outcome[] = ['created', 'updated'];

export class Reporter {
  readonly results: ObjectResult[] = [];

  constructor(
    private readonly dryRun: boolean,
    private readonly print: (line: string) => void,
  ) {}

  record(result: ObjectResult): void {
    this.results.push(result);
    const verb =
      this.dryRun && result.outcome === 'created'
        ? 'would create'
        : this.dryRun && result.outcome === 'updated'
          ? 'would update'
          : result.outcome;
    const detail = result.detail ? `  (${result.detail})` : '';
    this.print(
      `${result.service.padEnd(13)} ${result.kind.padEnd(18)} ${result.id.padEnd(40)} ${verb}${detail}`,
    );
  }

  note(line: string): void {
    this.print(line);
  }

  get changes(): number {
    return this.results.filter((r) => CHANGES.includes(r.outcome)).length;
  }

  get failures(): number {
    return this.results.filter((r) => r.outcome === 'failed').length;
  }

  summary(): string {
    const count = (o: Outcome) => this.results.filter((r) => r.outcome === o).length;
    const parts = (
      ['created', 'updated', 'unchanged', 'skipped', 'managed-elsewhere', 'checked', 'failed'] as const
    )
      .filter((o) => count(o) > 0)
      .map((o) => `${count(o)} ${o}`);
    const head = this.dryRun
      ? `dry run: ${this.changes} changes planned, no writes sent`
      : `${this.changes} changes`;
    return `provision: ${head} (${this.results.length} objects: ${parts.join(', ') || 'none'})`;
  }
}
