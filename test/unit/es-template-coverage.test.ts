// Template and documents cannot drift: documents built with the sink's real builders (breadcrumbDocument,
// anomalyDocument) are walked leaf by leaf, and every leaf must have a mapping of a fitting type in the mappings
// Elasticsearch would compose for that document's data stream (matching index template by pattern and priority,
// its component templates, then its own template.mappings).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { estypes } from '@elastic/elasticsearch';
import type { AnomalyRecord } from '../../analyzer/src/anomaly/types.ts';
import type { ClassifiedEvent, LogEvent } from '../../analyzer/src/core/types.ts';
import { anomalyDocument } from '../../analyzer/src/sinks/elasticsearch/anomaly.ts';
import { ES_DEFAULTS } from '../../analyzer/src/sinks/elasticsearch/config.ts';
import {
  breadcrumbDocument,
  datasetOf,
  type ShippableEvent,
} from '../../analyzer/src/sinks/elasticsearch/document.ts';
import { componentTemplate, indexTemplates } from '../../elasticsearch/index.ts';

type Mapping = estypes.MappingProperty & { properties?: Record<string, Mapping>; enabled?: boolean };
type Props = Record<string, Mapping>;

/** Deep merge of `properties` trees, later wins per leaf (how ES composes component + index templates). */
function mergeProps(into: Props, from: Props): Props {
  for (const [k, v] of Object.entries(from)) {
    const have = into[k];
    if (have?.properties && v.properties) {
      into[k] = { ...have, ...v, properties: mergeProps({ ...have.properties }, v.properties) } as Mapping;
    } else into[k] = v;
  }
  return into;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** The composed mapping properties for a data stream name. */
function mappingFor(dataStream: string): Props {
  const candidates = indexTemplates()
    .filter((t) => [t.index_patterns ?? []].flat().some((p) => globToRegExp(p).test(dataStream)))
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0));
  const tpl = candidates[0];
  assert.ok(tpl, `an index template covers ${dataStream}`);
  const components = new Map([[componentTemplate().name, componentTemplate()]]);
  let props: Props = {};
  for (const name of tpl.composed_of ?? []) {
    const ct = components.get(name);
    assert.ok(ct, `component template ${name} is one we provision`);
    props = mergeProps(props, (ct.template.mappings?.properties ?? {}) as Props);
  }
  return mergeProps(props, (tpl.template?.mappings?.properties ?? {}) as Props);
}

const NUMERIC = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
]);
const STRINGY = new Set(['keyword', 'wildcard', 'match_only_text', 'text', 'constant_keyword']);

/** Problems for each leaf of `doc` without a fitting mapping ([] = fully covered). */
function unmappedLeaves(doc: unknown, props: Props, path = ''): string[] {
  const out: string[] = [];
  if (Array.isArray(doc)) {
    for (const v of doc) out.push(...unmappedLeaves(v, props, path));
    return [...new Set(out)];
  }
  if (typeof doc !== 'object' || doc === null) return out;
  for (const [k, v] of Object.entries(doc)) {
    const where = path ? `${path}.${k}` : k;
    const m = props[k];
    if (!m) {
      out.push(`${where}: no mapping`);
      continue;
    }
    // Subtrees stored whole: a flattened field or an object that is not indexed.
    if (m.type === 'flattened' || m.enabled === false) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) {
      if (typeof x === 'object' && x !== null) {
        if (!m.properties) out.push(`${where}: object, mapped as ${m.type}`);
        else out.push(...unmappedLeaves(x, m.properties, where));
      } else if (!fits(x, m, where)) {
        out.push(`${where}: ${typeof x} ${JSON.stringify(x)} does not fit ${m.type ?? 'object'}`);
      }
    }
  }
  return [...new Set(out)];
}

function fits(value: unknown, m: Mapping, where: string): boolean {
  const type = m.type ?? 'object';
  if (typeof value === 'number') return NUMERIC.has(type);
  if (typeof value === 'boolean') return type === 'boolean';
  if (typeof value === 'string') {
    if (type === 'date') return !Number.isNaN(Date.parse(value));
    return STRINGY.has(type);
  }
  assert.fail(`${where}: unexpected ${typeof value}`);
}

function leafType(props: Props, dotted: string): string | undefined {
  let cur: Mapping | undefined;
  let level: Props | undefined = props;
  for (const part of dotted.split('.')) {
    cur = level?.[part];
    level = cur?.properties;
  }
  return cur?.type;
}

// ---- documents exercising every branch of the builders ----

function logEvent(over: Partial<LogEvent>): LogEvent {
  return {
    source: '/var/log/app/app.log',
    fileId: 'fp-1:2049:77',
    offset: 4096,
    nextOffset: 4200,
    lineNo: 42,
    format: 'plain',
    timestamp: Date.UTC(2026, 10, 21, 10, 0, 0),
    level: 'ERROR',
    component: 'exchange-gateway',
    message: 'order rejected order_id=42 venue=XNYS',
    traceId: 'trace-1',
    spanId: 'span-1',
    fields: { order_id: 42, venue: 'XNYS', retried: true, note: null },
    ...over,
  };
}

function crumb(e: LogEvent): ClassifiedEvent {
  return {
    event: e,
    breadcrumb: {
      event: e,
      category: 'final_failure',
      symbol: '🔥',
      ruleId: 'final-failure',
      severity: 1,
      incidentId: 'inc-1',
    },
  };
}

function breadcrumbDocs(): Record<string, unknown>[] {
  const opts = { maxMessageChars: 20, dataset: datasetOf(ES_DEFAULTS.dataStream) };
  const errorWithStack: ShippableEvent = {
    ...crumb(logEvent({ continuation: ['  at a.b(c.ts:1)', '  at d.e(f.ts:2)'], truncated: true })),
    incident: { id: 'inc-1', leadTimeMs: 93_000 },
  };
  const infoWithContinuation = crumb(
    logEvent({ level: 'INFO', continuation: ['wrapped line'], traceId: undefined }),
  );
  const unparsed: ClassifiedEvent = {
    event: logEvent({ format: 'unparsed', unparsedReason: 'invalid-utf8', component: '', fields: {} }),
    breadcrumb: null,
  };
  return [errorWithStack, infoWithContinuation, unparsed].map((i) => breadcrumbDocument(i, opts));
}

function anomalyRecord(): AnomalyRecord {
  const at = Date.UTC(2026, 10, 22, 3, 0, 0);
  return {
    id: `api:errors@${at}`,
    series: 'api:errors',
    at,
    timestamp: new Date(at).toISOString(),
    value: 25,
    mean: 1.2,
    sd: 1.1,
    z: 21.6,
    sev: 1,
    percentile: 99.9,
    threshold: 9.5,
    bucket: { dayOfWeek: 0, hour: 3, hourOfWeek: 3 },
    scope: 'bucket',
    fellBack: false,
    baselineN: 21,
    breadcrumbs: [
      { at, component: 'api', category: 'stress', level: 'ERROR', message: 'pool exhausted', traceId: 't1' },
    ],
    traceIds: ['t1', 't2'],
  };
}

describe('index templates cover what the sink writes', () => {
  test('every leaf of a breadcrumb document is mapped, in the template of its data stream', () => {
    const props = mappingFor(ES_DEFAULTS.dataStream);
    const docs = breadcrumbDocs();
    // The fixtures do reach the branches the brief names (else the walk proves less than it seems).
    assert.ok(docs.some((d) => (d.error as { stack_trace?: string } | undefined)?.stack_trace));
    assert.ok(docs.some((d) => (d.crumbtrail as { continuation?: string }).continuation));
    assert.ok(docs.some((d) => (d.crumbtrail as { lead_time_ms?: number }).lead_time_ms));
    assert.ok(docs.some((d) => (d.crumbtrail as { unparsed_reason?: string }).unparsed_reason));
    for (const d of docs) assert.deepEqual(unmappedLeaves(d, props), [], JSON.stringify(d));
  });

  test('every leaf of an anomaly document is mapped, in the anomalies template', () => {
    const props = mappingFor(ES_DEFAULTS.anomalyDataStream);
    const doc = anomalyDocument(anomalyRecord(), datasetOf(ES_DEFAULTS.anomalyDataStream));
    assert.deepEqual(unmappedLeaves(doc, props), []);
    // The anomaly fields live only in the anomalies template, not in every stream.
    assert.equal(leafType(mappingFor(ES_DEFAULTS.dataStream), 'crumbtrail.anomaly.sev'), undefined);
  });

  test('the types the brief fixes', () => {
    const crumbs = mappingFor(ES_DEFAULTS.dataStream);
    assert.equal(crumbs.crumbtrail?.properties?.fields?.type, 'flattened');
    assert.equal(leafType(crumbs, 'crumbtrail.lead_time_ms'), 'long');
    assert.equal(leafType(crumbs, 'event.severity'), 'long');
    for (const f of ['crumbtrail.continuation', 'error.stack_trace'])
      assert.ok(['wildcard', 'match_only_text', 'text'].includes(leafType(crumbs, f) ?? ''), f);
    for (const f of ['category', 'symbol', 'rule_id', 'incident_id', 'file_id', 'format', 'unparsed_reason'])
      assert.equal(leafType(crumbs, `crumbtrail.${f}`), 'keyword', f);
    const anomalies = mappingFor(ES_DEFAULTS.anomalyDataStream);
    for (const f of ['series', 'sev', 'value', 'mean', 'stddev', 'z', 'percentile', 'bucket', 'fallback'])
      assert.ok(anomalies.crumbtrail?.properties?.anomaly?.properties?.[f], `crumbtrail.anomaly.${f}`);
    assert.equal(leafType(anomalies, 'crumbtrail.anomaly.series'), 'keyword');
    assert.equal(leafType(anomalies, 'crumbtrail.anomaly.fallback'), 'boolean');
  });

  test('the walk fails on a field the template does not know, or a type that does not fit', () => {
    const props = mappingFor(ES_DEFAULTS.dataStream);
    const doc = breadcrumbDocs()[0]!;
    const drifted = { ...doc, crumbtrail: { ...(doc.crumbtrail as object), brand_new: 'x' } };
    assert.deepEqual(unmappedLeaves(drifted, props), ['crumbtrail.brand_new: no mapping']);
    const wrongType = { ...doc, event: { ...(doc.event as object), severity: 'high' } };
    assert.match(unmappedLeaves(wrongType, props).join(), /event\.severity: string "high" does not fit long/);
  });
});
