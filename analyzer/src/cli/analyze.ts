// `npm run analyze -- <file…|-> [--out DIR]`: a log's breadcrumb trail, without Docker.
// Exit codes: 0 ok · 1 nothing parseable · 2 usage or input error (one clear line on stderr).
import { accessSync, constants, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EventsExportWriter } from '../analyze/events.ts';
import { OutputWriter } from '../analyze/outputs.ts';
import { type AnalyzeInput, analyze } from '../analyze/run.ts';
import { AnomalyConfigError, anomalyConfigFromEnv } from '../anomaly/config.ts';
import type { OneShotAnomalyOptions } from '../anomaly/oneshot.ts';
import type { CompiledCatalog } from '../parse/catalog/compiled.ts';
import { catalogWith, FormatFileError } from '../parse/catalog/index.ts';
import { formatTimeline } from '../report/terminal.ts';
import { loadRules, RuleFileError } from '../rules/load.ts';
import { parseDuration } from '../util/duration.ts';
import { UsageError } from './usage-error.ts';

const USAGE = `crumbtrail analyze — turn a log into the breadcrumb trail that preceded its failures

usage: npm run analyze -- <file…> [options]        (use - to read stdin)
  e.g. npm run analyze -- samples/flash-crash.log --out report/

options:
  --out, -o DIR        write breadcrumbs.csv, critical.csv, report.html, critical-per-minute.svg (default: report)
  --rules FILE         breadcrumb rules (YAML/JSON); default analyzer/rules/default.yml
  --format NAME|auto   log format of every input (default auto: detected per source); see --list-formats
  --formats FILE       add your own format definitions (YAML, like analyzer/formats/*.yml); repeatable
  --list-formats       print the format catalog (name, family, what it reads) and exit
  --events FILE        also write every event as one ECS JSON object per line (NDJSON)
  --lookback DURATION  how far before a failure its signals are searched (default 15m)
  --merge DURATION     failures/alerts this soon after a failure join its incident (default 2m)
  --max-line-bytes N   cut longer lines there (default 1048576)
  --png                also render critical-per-minute.png (needs Chromium)
  --no-anomalies       skip the per-minute anomaly pass (anomalies.csv, the report's Anomalies section)
  --anomaly-db FILE    judge against the learned baselines of an anomaly store (the service's
                       <state-dir>/anomalies.sqlite, opened read-only) instead of this input's own
  --json               print the summary and incidents as JSON instead of the table
  --no-color           plain output (also when piped or NO_COLOR is set)
  --help               this text`;

const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o', default: 'report' },
      rules: { type: 'string' },
      format: { type: 'string', default: 'auto' },
      formats: { type: 'string', multiple: true, default: [] },
      'list-formats': { type: 'boolean', default: false },
      events: { type: 'string' },
      lookback: { type: 'string', default: '15m' },
      merge: { type: 'string', default: '2m' },
      'max-line-bytes': { type: 'string', default: String(1024 * 1024) },
      png: { type: 'boolean', default: false },
      'no-anomalies': { type: 'boolean', default: false },
      'anomaly-db': { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-color': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const catalog = catalogWith(values.formats);
  if (values['list-formats']) {
    process.stdout.write(listFormats(catalog));
    return 0;
  }
  if (values.format !== 'auto' && catalog.get(values.format) === undefined)
    throw new UsageError(
      `--format '${values.format}' is not in the catalog; use auto or one of: ${catalog.formats.map((f) => f.name).join(', ')}`,
    );
  if (positionals.length === 0) throw new UsageError(`no input file given\n\n${USAGE}`);

  const lookbackMs = durationFlag('--lookback', values.lookback);
  const mergeMs = durationFlag('--merge', values.merge);
  const maxLineBytes = Number(values['max-line-bytes']);
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1024)
    throw new UsageError(`--max-line-bytes '${values['max-line-bytes']}' must be a whole number ≥ 1024`);
  const inputs = positionals.map(checkInput);
  if (inputs.filter((i) => i.path === '-').length > 1)
    throw new UsageError("stdin ('-') can be given only once");
  const rules = loadRules(values.rules);
  if (values['no-anomalies'] && values['anomaly-db'] !== undefined)
    throw new UsageError('--anomaly-db and --no-anomalies contradict each other; give one');
  const anomalies = values['no-anomalies'] ? undefined : await anomalyOptions(values['anomaly-db']);

  const out = new OutputWriter(values.out);
  if (values.events === '-' || values.events === '')
    throw new UsageError(
      '--events needs a file path (stdout carries the report), e.g. --events events.ndjson',
    );
  const events = values.events === undefined ? null : new EventsExportWriter(values.events);
  const outHooks = out.hooks();
  const onEvent =
    events === null
      ? outHooks.onEvent
      : (c: Parameters<NonNullable<typeof outHooks.onEvent>>[0]) => {
          const a = outHooks.onEvent?.(c);
          const b = events.write(c.event);
          if (a && b) return Promise.all([a, b]).then(() => undefined);
          return a ?? b;
        };
  const totalBytes = inputs.reduce((s, i) => s + (i.size ?? 0), 0);
  const progress =
    totalBytes >= PROGRESS_MIN_BYTES || inputs.some((i) => i.path === '-')
      ? progressPrinter(totalBytes)
      : undefined;
  const data = await analyze(
    inputs,
    { rules, timeline: { lookbackMs, mergeMs }, maxLineBytes, anomalies, catalog, format: values.format },
    { ...outHooks, onEvent, onProgress: progress },
  );
  progress?.(-1, 0);
  await events?.close();
  const files = await out.finish(data, { png: values.png });

  if (values.json) {
    console.log(
      JSON.stringify(
        {
          summary: { ...data.summary, perMinute: undefined },
          incidents: data.incidents,
          anomalies: data.anomalies,
          files,
        },
        null,
        2,
      ),
    );
  } else {
    const color = process.stdout.isTTY === true && !values['no-color'] && !('NO_COLOR' in process.env);
    // Piped output has no width to respect: give messages room rather than cutting them short.
    const opts = { color, symbols: color, width: process.stdout.columns ?? 160 };
    process.stdout.write(`${formatTimeline(data, opts)}\n`);
    const written = [
      events?.path,
      files.breadcrumbsCsv,
      files.criticalCsv,
      files.anomaliesCsv,
      files.html,
      files.svg,
      files.png,
    ].filter(Boolean);
    process.stdout.write(`\nwrote ${written.join(', ')}\n`);
  }
  const parsed = data.summary.byFormat.plain + data.summary.byFormat.json;
  if (parsed === 0) {
    console.error(
      `crumbtrail analyze: nothing parseable in ${inputs.map((i) => i.path).join(', ')} ` +
        `(${data.summary.lines} lines, none in a known format — see --list-formats, or describe yours with --formats my.yml)`,
    );
    return 1;
  }
  return 0;
}

/** `--list-formats`: one line per format, from the catalog itself. */
function listFormats(catalog: CompiledCatalog): string {
  const rows = catalog.formats.map((f) => [f.name, f.spec.family, f.spec.title]);
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.max(...rows.map((r) => r[1]!.length));
  const lines = rows.map(([n, fam, t]) => `${n!.padEnd(w0)}  ${fam!.padEnd(w1)}  ${t}`);
  return `${lines.join('\n')}\n\n${catalog.formats.length} formats from ${catalog.catalog.files.length} files; --format NAME forces one, auto (default) detects per source\n`;
}

function durationFlag(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new UsageError(`${flag} '${text}' is not a duration (e.g. 90s, 15m, 1h)`);
  return ms;
}

/** Anomaly settings from CRUMBTRAIL_ANOMALY_* (same series keys as the service), plus the store if given. */
async function anomalyOptions(dbPath: string | undefined): Promise<OneShotAnomalyOptions> {
  let config: OneShotAnomalyOptions['config'];
  try {
    config = anomalyConfigFromEnv(process.env);
  } catch (err) {
    if (err instanceof AnomalyConfigError) throw new UsageError(err.message);
    throw err;
  }
  if (dbPath === undefined) return { config };
  // Loaded on demand: the native SQLite module is only needed here.
  const { AnomalyDbError, loadStoredBaselines } = await import('../anomaly/oneshot-store.ts');
  try {
    return { config, stored: { models: loadStoredBaselines(dbPath), path: dbPath } };
  } catch (err) {
    if (err instanceof AnomalyDbError) throw new UsageError(err.message);
    throw err;
  }
}

function checkInput(path: string): AnalyzeInput {
  if (path === '-') return { path };
  let size: number;
  let mtimeMs: number;
  try {
    const st = statSync(path);
    mtimeMs = st.mtimeMs;
    if (st.isDirectory())
      throw new UsageError(`'${path}' is a directory; give log files (e.g. ${path}/*.log)`);
    size = st.size;
    accessSync(path, constants.R_OK);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new UsageError(`cannot read '${path}': ${why}; check the path and permissions`);
  }
  return { path, size, mtimeMs };
}

/** Progress on stderr: redrawn in place on a TTY, a line every few seconds otherwise. */
function progressPrinter(totalBytes: number): (bytes: number, lines: number) => void {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let last = 0;
  return (bytes, lines) => {
    const now = performance.now();
    if (bytes === -1) {
      if (tty) process.stderr.write('\n');
      return;
    }
    if (now - last < (tty ? 250 : 3000)) return;
    last = now;
    const secs = (now - started) / 1000;
    const pct = totalBytes > 0 ? `${Math.min(100, (bytes / totalBytes) * 100).toFixed(0)}% ` : '';
    const msg = `analyze: ${pct}${(bytes / 1048576).toFixed(0)} MiB, ${lines.toLocaleString('en')} lines, ${Math.round(lines / Math.max(secs, 0.001)).toLocaleString('en')} lines/s`;
    process.stderr.write(tty ? `\r${msg}` : `${msg}\n`);
  };
}

// `npm run analyze … | head`: the reader leaving early is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// Peak memory for the tests' and bench's RSS bound, measured where it happens (in this process).
if (process.env.CRUMBTRAIL_REPORT_RSS === '1')
  process.on('exit', () => console.error(`crumbtrail-max-rss-kib=${process.resourceUsage().maxRSS}`));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof RuleFileError || err instanceof FormatFileError) {
      console.error(`crumbtrail analyze: ${err.message}`);
      process.exitCode = 2;
    } else if (
      err instanceof TypeError &&
      (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`crumbtrail analyze: ${err.message}; see --help`);
      process.exitCode = 2;
    } else {
      console.error(
        `crumbtrail analyze: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      process.exitCode = 3;
    }
  },
);
