// The pipeline section of the config file: which stages run, in which order, with which options.
//   pipeline:
//     stages: [parse, multiline, reorder, redact, classify, templates, sample]  # parse first; classify, then templates / sample
//     multiline: { enabled: true }
//     classify: { rules: analyzer/rules/default.yml }
//     redact: { defaults: true, patterns: [{ name, regex, flags?, replacement?, precheck? }] }
//     sample: { rate: 0.1, keepFrom: WARN }              # off unless given; env CRUMBTRAIL_SAMPLE_RATE overrides
//     reorder: { windowMs: 2000, maxHeld: 50000 }        # event-time order across files within this window
// The default chain is parse → multiline → reorder → redact → classify → templates (→ sample when set).
import { parseSampleOptions, SampleConfigError, type SampleOptions } from '../sample/index.ts';

export const STAGE_NAMES = [
  'parse',
  'multiline',
  'reorder',
  'redact',
  'classify',
  'templates',
  'sample',
] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface PipelineSpec {
  /** null = the default chain (parse, multiline, redact when available, classify). */
  stages: StageName[] | null;
  multiline: boolean;
  /** Rule file for classify; null = the shipped defaults. */
  rules: string | null;
  redact: Record<string, unknown>;
  /** Sampling after classify (never drops a breadcrumb); null or absent = off. */
  sample?: SampleOptions | null;
  /** The reorder window across files (defaults: 2 s, 50,000 events held at most). */
  reorder?: { windowMs?: number; maxHeld?: number };
}

type Fail = (key: string, reason: string) => Error;

export function parsePipelineSpec(raw: unknown, fail: Fail): PipelineSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('', 'must be a mapping');
  const o = raw as Record<string, unknown>;
  const known = new Set(['stages', 'multiline', 'classify', 'redact', 'sample', 'reorder']);
  for (const k of Object.keys(o))
    if (!known.has(k)) throw fail(k, `unknown key; known: ${[...known].join(', ')}`);
  const spec: PipelineSpec = { stages: null, multiline: true, rules: null, redact: {}, sample: null };

  if (o.stages !== undefined) {
    if (!Array.isArray(o.stages)) throw fail('stages', 'must be a list of stage names');
    const stages: StageName[] = [];
    for (const s of o.stages) {
      if (!(STAGE_NAMES as readonly unknown[]).includes(s)) {
        throw fail('stages', `unknown stage ${JSON.stringify(s)}; known: ${STAGE_NAMES.join(', ')}`);
      }
      if (stages.includes(s as StageName)) throw fail('stages', `stage ${s} listed twice`);
      stages.push(s as StageName);
    }
    if (stages[0] !== 'parse') throw fail('stages', 'must start with parse (lines become events there)');
    let tail = stages.at(-1) === 'sample' ? stages.slice(0, -1) : stages;
    if (stages.includes('sample') && stages.at(-1) !== 'sample')
      throw fail('stages', 'sample must come last, right after classify (so it never drops a breadcrumb)');
    if (tail.at(-1) === 'templates') tail = tail.slice(0, -1);
    else if (tail.includes('templates'))
      throw fail('stages', 'templates must come right after classify (it reads classified events)');
    if (tail.at(-1) !== 'classify')
      throw fail(
        'stages',
        'must end with classify, optionally followed by templates and sample (the service consumes classified events)',
      );
    const at = (n: StageName) => stages.indexOf(n);
    if (at('reorder') !== -1 && at('reorder') < at('multiline'))
      throw fail(
        'stages',
        'reorder must come after multiline (a file’s continuation lines stay with their event)',
      );
    spec.stages = stages;
  }
  if (o.multiline !== undefined) {
    const m = o.multiline;
    const enabled =
      typeof m === 'boolean'
        ? m
        : typeof m === 'object' && m !== null
          ? (m as Record<string, unknown>).enabled
          : undefined;
    if (typeof enabled !== 'boolean') throw fail('multiline.enabled', 'must be true or false');
    spec.multiline = enabled;
  }
  if (o.classify !== undefined) {
    const c = o.classify as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null) throw fail('classify', 'must be a mapping');
    for (const k of Object.keys(c))
      if (k !== 'rules') throw fail(`classify.${k}`, 'unknown key; known: rules');
    if (c.rules !== undefined) {
      if (typeof c.rules !== 'string' || c.rules === '') throw fail('classify.rules', 'must be a file path');
      spec.rules = c.rules;
    }
  }
  if (o.redact !== undefined) {
    if (typeof o.redact !== 'object' || o.redact === null || Array.isArray(o.redact))
      throw fail('redact', 'must be a mapping');
    spec.redact = o.redact as Record<string, unknown>;
  }
  if (o.reorder !== undefined) {
    const r = o.reorder as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw fail('reorder', 'must be a mapping');
    spec.reorder = {};
    for (const [k, v] of Object.entries(r)) {
      if (k !== 'windowMs' && k !== 'maxHeld')
        throw fail(`reorder.${k}`, 'unknown key; known: windowMs, maxHeld');
      if (typeof v !== 'number' || !Number.isInteger(v) || v < (k === 'windowMs' ? 0 : 1) || v > 3_600_000)
        throw fail(`reorder.${k}`, `must be a whole number from ${k === 'windowMs' ? 0 : 1} to 3600000`);
      spec.reorder[k] = v;
    }
  }
  if (o.sample !== undefined) {
    try {
      spec.sample = parseSampleOptions(o.sample, 'sample');
    } catch (err) {
      if (!(err instanceof SampleConfigError)) throw err;
      const [key, ...reason] = err.message.split(': ');
      throw fail(key!, reason.join(': '));
    }
  }
  return spec;
}
