// The pipeline section of the config file: which stages run, in which order, with which options.
//   pipeline:
//     stages: [parse, multiline, redact, classify]   # parse first, classify last; multiline/redact optional
//     multiline: { enabled: true }
//     classify: { rules: analyzer/rules/default.yml }
//     redact: { ... }                                  # handed as-is to the redact stage's factory
export const STAGE_NAMES = ['parse', 'multiline', 'redact', 'classify'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface PipelineSpec {
  /** null = the default chain (parse, multiline, redact when available, classify). */
  stages: StageName[] | null;
  multiline: boolean;
  /** Rule file for classify; null = the shipped defaults. */
  rules: string | null;
  redact: Record<string, unknown>;
}

type Fail = (key: string, reason: string) => Error;

export function parsePipelineSpec(raw: unknown, fail: Fail): PipelineSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('', 'must be a mapping');
  const o = raw as Record<string, unknown>;
  const known = new Set(['stages', 'multiline', 'classify', 'redact']);
  for (const k of Object.keys(o))
    if (!known.has(k)) throw fail(k, `unknown key; known: ${[...known].join(', ')}`);
  const spec: PipelineSpec = { stages: null, multiline: true, rules: null, redact: {} };

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
    if (stages[stages.length - 1] !== 'classify')
      throw fail('stages', 'must end with classify (the service consumes classified events)');
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
  return spec;
}
