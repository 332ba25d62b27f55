// `npm run eval:formats`: how well the catalog reads (a) each format's documentation-written examples and
// (b) real logs produced here by real programs (test/fixtures/real, listed in its manifest.json). Per file:
// lines, events, the share of events with a timestamp, a level and a message, the detection decision and
// whether it is the expected format; and the parse throughput per family (measured, never asserted).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectionDecision, LogEvent, RawLine } from '../core/types.ts';
import { LineSplitter } from '../decode/lines.ts';
import type { CompiledCatalog } from './catalog/compiled.ts';
import { catalogExamples, EXAMPLE_REF } from './catalog/index.ts';
import { MultilineStage, ParseStage } from './index.ts';

export interface ManifestEntry {
  file: string;
  program?: string;
  expectedFormat: string;
  lines?: number;
  notes?: string;
}

export interface FileResult {
  corpus: 'examples' | 'real';
  file: string;
  program: string;
  expected: string;
  lines: number;
  events: number;
  /** Shares of events (0…1). */
  timestamp: number;
  level: number;
  message: number;
  /** Events parsed by some format (not `unparsed`). */
  parsed: number;
  /** First detection decision (the source's format), '' when none was made. */
  detected: string;
  /** Formats that parsed events, most first. */
  formats: string;
  ok: boolean;
}

export interface FamilyThroughput {
  family: string;
  lines: number;
  /** Events the parse stage gave (fewer than lines where CRI pieces were joined). */
  events: number;
  linesPerSecond: number;
}

/** Is the detected format the expected one? A family name or a wrapper's name matches its members. */
export function formatMatches(catalog: CompiledCatalog, expected: string, detected: string): boolean {
  if (expected === detected) return true;
  const [outer, inner] = detected.split('/');
  if (expected === outer && (inner !== undefined || catalog.get(outer!)?.wrapper)) return true;
  const [eo, ei] = expected.split('/');
  if (ei !== undefined && eo === outer && inner !== undefined) return formatMatches(catalog, ei, inner);
  const spec = catalog.get(inner ?? outer!)?.spec;
  return spec?.family === expected;
}

/** Run one source's lines through parse + multiline, as `npm run analyze` does. */
export function runSource(
  catalog: CompiledCatalog,
  source: string,
  bytes: Buffer,
  refMs: number,
): { events: LogEvent[]; lines: number; decisions: DetectionDecision[] } {
  const decisions: DetectionDecision[] = [];
  const parse = new ParseStage({ catalog, refTime: () => refMs, onDecision: (d) => decisions.push(d) });
  const multiline = new MultilineStage();
  const events: LogEvent[] = [];
  const splitter = new LineSplitter(source, 0, {});
  const lines = [...splitter.push(bytes), ...splitter.end()];
  const toMultiline = (e: LogEvent) => multiline.process(e, (x) => events.push(x));
  for (const l of lines) parse.process(l, toMultiline);
  parse.flush();
  multiline.flush((x) => events.push(x));
  return { events, lines: lines.length, decisions };
}

function summarise(
  catalog: CompiledCatalog,
  corpus: FileResult['corpus'],
  file: string,
  program: string,
  expected: string,
  run: ReturnType<typeof runSource>,
): FileResult {
  const { events } = run;
  const n = Math.max(events.length, 1);
  const count = (f: (e: LogEvent) => boolean) => events.filter(f).length / n;
  const by = new Map<string, number>();
  for (const e of events) by.set(e.formatName ?? 'unparsed', (by.get(e.formatName ?? 'unparsed') ?? 0) + 1);
  // A wrapper's own decision comes first; the inner line's (`cri/zap`) says more.
  const first = run.decisions[0]?.format ?? '';
  const inner = run.decisions.find((d) => d.format.startsWith(`${first}/`));
  const detected = inner?.format ?? first;
  return {
    corpus,
    file,
    program,
    expected,
    lines: run.lines,
    events: events.length,
    timestamp: count((e) => e.timestamp !== null),
    level: count((e) => e.level !== 'UNKNOWN'),
    message: count((e) => e.format !== 'unparsed' && e.message !== ''),
    parsed: count((e) => e.format !== 'unparsed'),
    detected,
    formats: [...by.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
    ok: formatMatches(catalog, expected, detected),
  };
}

/** Each format's examples, as one source per format. */
export function evalExamples(catalog: CompiledCatalog): FileResult[] {
  const out: FileResult[] = [];
  for (const f of catalog.formats) {
    const examples = catalogExamples([f.spec]);
    if (examples.length === 0) continue;
    const text = examples.map((e) => e.example.line).join('\n');
    const refMs = examples[0]?.refMs ?? Date.parse(EXAMPLE_REF);
    const run = runSource(catalog, `examples:${f.name}`, Buffer.from(`${text}\n`), refMs);
    out.push(
      summarise(catalog, 'examples', `${f.spec.file.split('/').pop()}#${f.name}`, 'docs', f.name, run),
    );
  }
  return out;
}

/** Every file of a real-log manifest (paths relative to the manifest's folder). */
export function evalReal(catalog: CompiledCatalog, manifestPath: string): FileResult[] {
  const dir = manifestPath.slice(0, manifestPath.lastIndexOf('/'));
  const entries = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestEntry[];
  return entries.map((m) => {
    const path = join(dir, m.file);
    const run = runSource(catalog, path, readFileSync(path), statSync(path).mtimeMs);
    return summarise(catalog, 'real', m.file, m.program ?? '', m.expectedFormat, run);
  });
}

/** Parse-stage throughput per family: the family's lines (examples + real) cycled to ~`target` lines. */
export function familyThroughput(
  catalog: CompiledCatalog,
  samples: Map<string, string[]>,
  target = 200_000,
): FamilyThroughput[] {
  const out: FamilyThroughput[] = [];
  for (const [family, lines] of samples) {
    if (lines.length === 0) continue;
    const raw: RawLine[] = [];
    for (let i = 0, off = 0; i < target; i++) {
      const bytes = Buffer.from(lines[i % lines.length]!);
      raw.push({ source: family, offset: off, nextOffset: off + bytes.length + 1, lineNo: i + 1, bytes });
      off += bytes.length + 1;
    }
    const parse = new ParseStage({ catalog, refTime: () => Date.now() });
    let events = 0;
    const emit = () => {
      events++;
    };
    const t0 = performance.now();
    for (const l of raw) parse.process(l, emit);
    const secs = (performance.now() - t0) / 1000;
    out.push({
      family,
      lines: raw.length,
      events,
      linesPerSecond: Math.round(raw.length / Math.max(secs, 1e-6)),
    });
  }
  return out;
}

/** Lines per family for the throughput run, from the examples and the real files. */
export function familySamples(catalog: CompiledCatalog, manifestPath: string | null): Map<string, string[]> {
  const by = new Map<string, string[]>();
  const add = (family: string, lines: string[]) => by.set(family, [...(by.get(family) ?? []), ...lines]);
  for (const f of catalog.formats)
    add(
      f.spec.family,
      f.spec.examples.map((e) => e.line),
    );
  if (manifestPath !== null) {
    const dir = manifestPath.slice(0, manifestPath.lastIndexOf('/'));
    for (const m of JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestEntry[]) {
      const name = m.expectedFormat.split('/')[0]!;
      const family = catalog.get(name)?.spec.family ?? name;
      add(
        family,
        readFileSync(join(dir, m.file), 'utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
    }
  }
  return by;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function formatTable(rows: FileResult[]): string {
  const head = [
    'corpus',
    'file',
    'expected',
    'detected',
    'ok',
    'lines',
    'events',
    'ts',
    'level',
    'msg',
    'formats',
  ];
  const body = rows.map((r) => [
    r.corpus,
    r.file,
    r.expected,
    r.detected || '—',
    r.ok ? 'yes' : 'NO',
    String(r.lines),
    String(r.events),
    pct(r.timestamp),
    pct(r.level),
    pct(r.message),
    r.formats,
  ]);
  return [head, head.map(() => '---'), ...body].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
