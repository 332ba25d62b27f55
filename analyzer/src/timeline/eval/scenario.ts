// An incident scenario: log files produced by real programs (or written from their documented messages) and the
// answer an operator would give: how many incidents, which line was the first signal, which the failure, the lead
// time and the responsible component. Read from test/fixtures/incidents/<name>/scenario.json.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface LineRef {
  file: string;
  /** 1-based line number in that file. */
  line: number;
  /** ISO 8601 time of the event. */
  timestamp: string;
}

/** One incident as the operator draws it. */
export interface ExpectedIncident {
  firstSignal: LineRef;
  failure: LineRef;
  leadTimeMs: number;
  responsible: string;
}

export interface Scenario {
  name: string;
  domain: string;
  /** File names inside the scenario directory, in the order the analyzer is given them. */
  files: string[];
  /** 'real' (programs run here), 'mixed' or 'written' (from documented messages). */
  produced: string;
  expected: ExpectedIncident & { incidents: number };
  /** Every incident, in time order, when there is more than one (else just `expected`). */
  expectedAll: ExpectedIncident[];
  story: string;
  /** Where the scenario lives. */
  dir: string;
}

/** A scenario file that cannot be used: names the file and what to fix. */
export class ScenarioError extends Error {
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'ScenarioError';
  }
}

/** Every `<dir>/<name>/scenario.json`, sorted by name. */
export function loadScenarios(root: string): Scenario[] {
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch (err) {
    throw new ScenarioError(
      root,
      `cannot read the corpus directory (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  return names.filter((n) => statSync(join(root, n)).isDirectory()).map((n) => loadScenario(join(root, n)));
}

export function loadScenario(dir: string): Scenario {
  const file = join(dir, 'scenario.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ScenarioError(file, `not readable JSON (${(err as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new ScenarioError(file, what);
  };
  const o = raw as Record<string, unknown>;
  const str = (v: unknown, key: string): string =>
    typeof v === 'string' && v !== '' ? v : fail(`'${key}' must be a non-empty string`);
  const num = (v: unknown, key: string): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(`'${key}' must be a number ≥ 0`);
  const ref = (v: unknown, key: string): LineRef => {
    const r = (v ?? {}) as Record<string, unknown>;
    const ts = str(r.timestamp, `${key}.timestamp`);
    if (Number.isNaN(Date.parse(ts))) fail(`'${key}.timestamp' is not an ISO 8601 time: ${ts}`);
    return { file: str(r.file, `${key}.file`), line: num(r.line, `${key}.line`), timestamp: ts };
  };
  if (!Array.isArray(o.files) || o.files.length === 0) fail("'files' must list the scenario's log files");
  const e = (o.expected ?? fail("'expected' is missing")) as Record<string, unknown>;
  const incident = (v: unknown, key: string): ExpectedIncident => {
    const x = (v ?? {}) as Record<string, unknown>;
    return {
      firstSignal: ref(x.firstSignal, `${key}.firstSignal`),
      failure: ref(x.failure, `${key}.failure`),
      leadTimeMs: num(x.leadTimeMs, `${key}.leadTimeMs`),
      responsible: str(x.responsible, `${key}.responsible`),
    };
  };
  if (o.expectedAll !== undefined && !Array.isArray(o.expectedAll))
    fail("'expectedAll' must be a list of incidents like 'expected'");
  const s: Scenario = {
    name: str(o.name, 'name'),
    domain: str(o.domain, 'domain'),
    files: (o.files as unknown[]).map((f, i) => str(f, `files[${i}]`)),
    produced: str(o.produced, 'produced'),
    expected: { incidents: num(e.incidents, 'expected.incidents'), ...incident(e, 'expected') },
    expectedAll: [],
    story: typeof o.story === 'string' ? o.story : '',
    dir,
  };
  s.expectedAll = Array.isArray(o.expectedAll)
    ? o.expectedAll.map((x, i) => incident(x, `expectedAll[${i}]`))
    : [s.expected];
  for (const f of s.files) {
    try {
      statSync(join(dir, f));
    } catch {
      fail(`listed file '${f}' does not exist in ${dir}`);
    }
  }
  return s;
}
