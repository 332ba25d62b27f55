// Score the analyzer's incidents against each scenario's expected answer: incidents found vs expected, first
// signal and failure (the exact file and line), lead-time error and the responsible component.
import { basename, join } from 'node:path';
import { analyze } from '../../analyze/run.ts';
import type { Breadcrumb, Incident, ReportData } from '../../core/types.ts';
import { formatDuration } from '../../report/time.ts';
import type { RuleSet } from '../../rules/schema.ts';
import type { TimelineOptions } from '../incidents.ts';
import type { ExpectedIncident, LineRef, Scenario } from './scenario.ts';

export interface FoundRef {
  file: string;
  line: number;
  timestamp: string | null;
}

export interface ScenarioResult {
  /** The scenario's name; `name#2` for its second expected incident and so on. */
  name: string;
  domain: string;
  produced: string;
  /** Share of events the parser understood (the rest were unparsed lines). */
  parsedShare: number;
  incidentsFound: number;
  incidentsExpected: number;
  /** The incident compared with the expected one (the one holding the expected failure, else the nearest). */
  matched: boolean;
  firstSignal: FoundRef | null;
  failure: FoundRef | null;
  firstSignalCorrect: boolean;
  failureCorrect: boolean;
  leadTimeMs: number | null;
  expectedLeadTimeMs: number;
  /** |found − expected| lead time; null when no incident was found. */
  leadErrorMs: number | null;
  responsible: string | null;
  expectedResponsible: string;
  responsibleCorrect: boolean;
}

export interface EvaluationTotals {
  scenarios: number;
  /** Expected incidents judged (a scenario with two incidents counts twice). */
  judged: number;
  domains: number;
  incidentCountExact: number;
  incidentsFound: number;
  incidentsExpected: number;
  firstSignalCorrect: number;
  failureCorrect: number;
  responsibleCorrect: number;
  /** Scenarios without any incident where one was expected. */
  missed: number;
  medianLeadErrorMs: number | null;
  meanLeadErrorMs: number | null;
}

export interface Evaluation {
  results: ScenarioResult[];
  totals: EvaluationTotals;
}

export interface EvaluateOptions {
  rules: RuleSet;
  timeline?: TimelineOptions;
}

/** Run the analyzer on every scenario (in-process, anomalies off) and score it. */
export async function evaluateScenarios(scenarios: Scenario[], opts: EvaluateOptions): Promise<Evaluation> {
  const results: ScenarioResult[] = [];
  for (const s of scenarios) {
    const data = await analyze(
      s.files.map((f) => ({ path: join(s.dir, f) })),
      { rules: opts.rules, timeline: opts.timeline },
    );
    results.push(...scoreAll(s, data));
  }
  return { results, totals: totalsOf(results) };
}

/** One row per expected incident (the scenario's incident count is judged on its first row). */
export function scoreAll(s: Scenario, data: ReportData): ScenarioResult[] {
  return s.expectedAll.map((x, i) => {
    const r = score(s, data, x);
    if (i > 0) r.name = `${s.name}#${i + 1}`;
    return r;
  });
}

/** Compare one analysis with one expected incident of its scenario (default: the main one). */
export function score(s: Scenario, data: ReportData, x: ExpectedIncident = s.expected): ScenarioResult {
  const inc = pick(data.incidents, x.failure);
  const events = data.summary.events;
  const result: ScenarioResult = {
    name: s.name,
    domain: s.domain,
    produced: s.produced,
    parsedShare: events === 0 ? 0 : (events - data.summary.byFormat.unparsed) / events,
    incidentsFound: data.incidents.length,
    incidentsExpected: s.expected.incidents,
    matched: inc !== null,
    firstSignal: inc ? ref(inc.firstSignal) : null,
    failure: inc ? ref(inc.failure) : null,
    firstSignalCorrect: inc !== null && same(inc.firstSignal, x.firstSignal),
    failureCorrect: inc !== null && same(inc.failure, x.failure),
    leadTimeMs: inc?.leadTimeMs ?? null,
    expectedLeadTimeMs: x.leadTimeMs,
    leadErrorMs: inc ? Math.abs(inc.leadTimeMs - x.leadTimeMs) : null,
    responsible: inc?.responsible ?? null,
    expectedResponsible: x.responsible,
    responsibleCorrect: inc !== null && inc.responsible.toLowerCase() === x.responsible.toLowerCase(),
  };
  return result;
}

/** The incident to judge: its failure is the expected line, or it holds that line, or its failure is nearest. */
function pick(incidents: Incident[], failure: LineRef): Incident | null {
  if (incidents.length === 0) return null;
  const exact = incidents.find((i) => same(i.failure, failure));
  if (exact) return exact;
  const holding = incidents.find((i) => i.breadcrumbs.some((b) => same(b, failure)));
  if (holding) return holding;
  const at = Date.parse(failure.timestamp);
  let best = incidents[0]!;
  for (const i of incidents)
    if (Math.abs((i.failure.event.timestamp ?? 0) - at) < Math.abs((best.failure.event.timestamp ?? 0) - at))
      best = i;
  return best;
}

function same(b: Breadcrumb, r: LineRef): boolean {
  return basename(b.event.source) === r.file && b.event.lineNo === r.line;
}

function ref(b: Breadcrumb): FoundRef {
  const t = b.event.timestamp;
  return {
    file: basename(b.event.source),
    line: b.event.lineNo,
    timestamp: t === null ? null : new Date(t).toISOString(),
  };
}

function totalsOf(results: ScenarioResult[]): EvaluationTotals {
  const errs = results
    .map((r) => r.leadErrorMs)
    .filter((e): e is number => e !== null)
    .sort((a, b) => a - b);
  const count = (f: (r: ScenarioResult) => boolean) => results.filter(f).length;
  const firsts = results.filter((r) => !r.name.includes('#'));
  return {
    scenarios: firsts.length,
    judged: results.length,
    domains: new Set(results.map((r) => r.domain)).size,
    incidentCountExact: firsts.filter((r) => r.incidentsFound === r.incidentsExpected).length,
    incidentsFound: firsts.reduce((n, r) => n + r.incidentsFound, 0),
    incidentsExpected: firsts.reduce((n, r) => n + r.incidentsExpected, 0),
    firstSignalCorrect: count((r) => r.firstSignalCorrect),
    failureCorrect: count((r) => r.failureCorrect),
    responsibleCorrect: count((r) => r.responsibleCorrect),
    missed: count((r) => !r.matched && r.incidentsExpected > 0),
    medianLeadErrorMs: errs.length ? errs[Math.floor((errs.length - 1) / 2)]! : null,
    meanLeadErrorMs: errs.length ? errs.reduce((a, b) => a + b, 0) / errs.length : null,
  };
}

/** The evaluation as a plain-text table: one row per scenario, then the totals. */
export function formatEvaluation(ev: Evaluation): string {
  const mark = (ok: boolean) => (ok ? 'yes' : 'NO ');
  // Container log names run to 150 characters: keep their start and end.
  const short = (f: string) => (f.length > 28 ? `${f.slice(0, 14)}…${f.slice(-13)}` : f);
  const at = (r: FoundRef | null) => (r ? `${short(r.file)}:${r.line}` : '-');
  const dur = (ms: number | null) => (ms === null ? '-' : ms === 0 ? '0s' : formatDuration(ms));
  const rows: string[][] = [
    [
      'scenario',
      'domain',
      'parsed',
      'incidents',
      'first signal',
      'failure',
      'lead',
      'expected',
      'lead error',
      'responsible',
    ],
  ];
  for (const r of ev.results)
    rows.push([
      r.name,
      r.domain,
      `${Math.round(r.parsedShare * 100)}%`,
      r.name.includes('#') ? '' : `${r.incidentsFound}/${r.incidentsExpected}`,
      `${mark(r.firstSignalCorrect)} ${at(r.firstSignal)}`,
      `${mark(r.failureCorrect)} ${at(r.failure)}`,
      dur(r.leadTimeMs),
      dur(r.expectedLeadTimeMs),
      dur(r.leadErrorMs),
      `${mark(r.responsibleCorrect)} ${r.responsible ?? '-'}`,
    ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const t = ev.totals;
  lines.push(
    '',
    `${t.scenarios} scenarios in ${t.domains} domains: incident count exact ${t.incidentCountExact}/${t.scenarios} ` +
      `(found ${t.incidentsFound}, expected ${t.incidentsExpected}); of ${t.judged} expected incidents: first signal ${t.firstSignalCorrect}/${t.judged}, ` +
      `failure ${t.failureCorrect}/${t.judged}, responsible ${t.responsibleCorrect}/${t.judged}, ` +
      `missed ${t.missed}; lead-time error median ${dur(t.medianLeadErrorMs)}, mean ${dur(t.meanLeadErrorMs === null ? null : Math.round(t.meanLeadErrorMs))}`,
  );
  return lines.join('\n');
}
