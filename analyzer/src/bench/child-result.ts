// What a benchmark child process reports on its last stdout line (JSON), so the parent can measure peak RSS
// per run (process.resourceUsage().maxRSS is the child's own high-water mark; /usr/bin/time is not required).
export interface ChildResult {
  name: string;
  lines: number;
  bytes: number;
  seconds: number;
  /** Peak resident set size, bytes. */
  maxRssBytes: number;
  /** Something the run counted, to prove it did the work (e.g. events, breadcrumbs). */
  check: Record<string, number>;
}

export function report(r: ChildResult): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

export function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
