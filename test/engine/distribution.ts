// What the integ-test-zip lacks, and the smallest change that lets our templates install on it — said loudly.
//
// Elastic's integ-test-zip (Maven Central) holds the server and the modules apm, transport-netty4, x-pack-core
// and x-pack-security only. Measured on 9.5.0:
//   - no ILM: `index.lifecycle.*` is an "unknown setting"            → stripped from settings here;
//   - no mapper-extras / wildcard / constant-keyword modules:
//       `match_only_text`, `wildcard`, `constant_keyword` "do not exist" → mapped as their core family
//       (text, keyword, keyword) here, so the rest of the template is checked by the engine;
//   - no ingest-common: the only processor is set_security_user, so `_ingest/pipeline/_simulate` of our
//     pipeline (set, json, grok, date, kv, …) is impossible; the pipeline's default_pipeline target is
//     installed as an EMPTY pipeline of the same name so templates install unchanged (grok is checked against
//     Elasticsearch's own grok library instead: test/engine/grok-*.test.ts).
import type { Client } from '@elastic/elasticsearch';
import { componentTemplate, INGEST_PIPELINE_NAME, indexTemplates } from '../../elasticsearch/index.ts';

/** Core type standing in for a module-provided field type the distribution lacks. */
const FAMILY: Record<string, string> = {
  match_only_text: 'text',
  wildcard: 'keyword',
  constant_keyword: 'keyword',
};

export interface Adaptation {
  /** Mapping types that are missing here, each with the type used instead. */
  substituted: Record<string, string>;
  /** Setting keys removed (dotted). */
  stripped: string[];
}

/** Ask the node which of the module types exist (a throwaway index per type). */
export async function missingTypes(client: Client): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [type, core] of Object.entries(FAMILY)) {
    const index = `crumbtrail-probe-${type.replace(/_/g, '-')}`;
    try {
      await client.indices.create({ index, mappings: { properties: { a: { type } } } } as never);
      await client.indices.delete({ index });
    } catch (err) {
      if (/does not exist/.test(String((err as Error).message))) out[type] = core;
      else throw err;
    }
  }
  return out;
}

/** A deep copy of a template body fit for this distribution, and what was changed. */
export function adapt<T>(body: T, substituted: Record<string, string>, note: Adaptation): T {
  const walk = (v: unknown, path: string[]): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, path));
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const here = [...path, k];
      // settings.index.lifecycle (nested form) — ILM is absent.
      if (k === 'lifecycle' && path[path.length - 1] === 'index' && path.includes('settings')) {
        note.stripped.push(here.join('.'));
        continue;
      }
      if (k === 'type' && typeof x === 'string' && substituted[x]) {
        note.substituted[x] = substituted[x]!;
        out[k] = substituted[x];
        continue;
      }
      out[k] = walk(x, here);
    }
    return out;
  };
  return walk(body, []) as T;
}

export function adaptationNotice(note: Adaptation): string {
  const subs = Object.entries(note.substituted).map(([a, b]) => `${a}→${b}`);
  return (
    `# NOTICE (integ-test-zip): stripped ${[...new Set(note.stripped)].join(', ') || 'nothing'} (no ILM module); ` +
    `mapped ${subs.join(', ') || 'nothing'} (modules absent); ingest pipeline installed EMPTY under its name ` +
    `(no ingest-common: _simulate of the real pipeline is impossible here)\n`
  );
}

/** Install the kit's component + index templates (adapted) and the empty pipeline stand-in; returns the notice. */
export async function installTemplates(client: Client): Promise<string> {
  const subs = await missingTypes(client);
  const note: Adaptation = { substituted: {}, stripped: [] };
  await client.cluster.putComponentTemplate(adapt(componentTemplate(), subs, note));
  await client.ingest.putPipeline({ id: INGEST_PIPELINE_NAME, processors: [] });
  for (const tpl of indexTemplates()) await client.indices.putIndexTemplate(adapt(tpl, subs, note));
  return adaptationNotice(note);
}

export interface Census {
  /** Documents in the data stream (all backing indices). */
  total: number;
  /** Distinct crumbtrail.event_id values. */
  distinct: number;
  /** event_id → copies, for ids stored more than once. */
  duplicates: Map<string, number>;
  backingIndices: number;
}

/**
 * The oracle: count documents by their stored id across every backing index (a terms aggregation, so a second
 * copy in another backing index shows; `_id` lookups would not see it).
 */
export async function census(client: Client, dataStream: string): Promise<Census> {
  await client.indices.refresh({ index: dataStream, ignore_unavailable: true, allow_no_indices: true });
  const res = await client.search({
    index: dataStream,
    size: 0,
    track_total_hits: true,
    ignore_unavailable: true,
    allow_no_indices: true,
    aggs: {
      distinct: { cardinality: { field: 'crumbtrail.event_id', precision_threshold: 40_000 } },
      dups: { terms: { field: 'crumbtrail.event_id', min_doc_count: 2, size: 10_000 } },
      indices: { terms: { field: '_index', size: 1000 } },
    },
  });
  const aggs = res.aggregations as {
    distinct: { value: number };
    dups: { buckets: { key: string; doc_count: number }[] };
    indices: { buckets: unknown[] };
  };
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return {
    total,
    distinct: aggs.distinct.value,
    duplicates: new Map(aggs.dups.buckets.map((b) => [b.key, b.doc_count])),
    backingIndices: aggs.indices.buckets.length,
  };
}
