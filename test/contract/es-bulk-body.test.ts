// The _bulk requests the sink really sends (captured by the stand-in) checked against the vendor's own
// descriptions: @elastic/elasticsearch's TypeScript types (compile time, via `satisfies` in document.ts and
// here) and @elastic/request-converter's schema.json (endpoint, media type, query parameters, operation
// properties). The stand-in's answers are checked against the schema's bulk Response too, so the sink is
// tested against the shape Elasticsearch documents.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { estypes } from '@elastic/elasticsearch';
import { Registry } from 'prom-client';
import { AckTracker } from '../../analyzer/src/core/ack.ts';
import { elasticsearchConfig } from '../../analyzer/src/sinks/elasticsearch/config.ts';
import { createElasticsearchSink } from '../../analyzer/src/sinks/elasticsearch/sink.ts';
import { ElasticsearchStandIn, syntheticEvents } from '../helpers/es-standin.ts';

interface SchemaProp {
  name: string;
  required: boolean;
}
interface SchemaType {
  name: { name: string; namespace: string };
  kind: string;
  properties?: SchemaProp[];
  inherits?: { type: { name: string; namespace: string } };
  body?: { kind: string; properties?: SchemaProp[] };
  query?: SchemaProp[];
}
interface Schema {
  endpoints: { name: string; urls: { path: string; methods: string[] }[]; requestMediaType: string[] }[];
  types: SchemaType[];
}

const require = createRequire(import.meta.url);
const schema = JSON.parse(
  readFileSync(require.resolve('@elastic/request-converter/dist/schema.json'), 'utf8'),
) as Schema;
const typeOf = (namespace: string, name: string): SchemaType => {
  const t = schema.types.find((x) => x.name.name === name && x.name.namespace === namespace);
  assert.ok(t, `schema has ${namespace}.${name}`);
  return t;
};
/** Property names of an interface, inherited ones included. */
function propsOf(namespace: string, name: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  let t: SchemaType | undefined = typeOf(namespace, name);
  while (t) {
    for (const p of t.properties ?? []) out.set(p.name, p.required);
    t = t.inherits ? typeOf(t.inherits.type.namespace, t.inherits.type.name) : undefined;
  }
  return out;
}

test('captured _bulk requests match the bulk endpoint of the Elasticsearch schema', async () => {
  const es = await ElasticsearchStandIn.start();
  es.recordBodies = true;
  es.faults.rejectDoc = (d) => ((d.log as { offset?: number } | undefined)?.offset === 0 ? 'mapping' : null);
  const acks = new AckTracker();
  const sink = createElasticsearchSink(
    elasticsearchConfig({
      url: es.url,
      deadLetterPath: join(tmpdir(), `es-contract-${process.pid}.ndjson`),
      batchSize: 7,
      flushIntervalMs: 10,
    }),
    { acks, registry: new Registry(), log: { info() {}, warn() {}, error() {} } },
  );
  try {
    const events = syntheticEvents(20);
    for (const ev of events) {
      acks.track(ev.event.fileId!, ev.event.nextOffset);
      sink.write(ev);
    }
    sink.writeDocument('logs-crumbtrail.anomalies-default', 'anomaly-1', {
      '@timestamp': new Date(0).toISOString(),
      message: 'x',
    });
    await sink.flush(5000);
    const bulks = es.requests.filter((r) => r.path === '/_bulk');
    assert.ok(bulks.length >= 3, 'several batches captured');

    const endpoint = schema.endpoints.find((e) => e.name === 'bulk');
    assert.ok(endpoint, 'bulk endpoint in schema');
    const common = new Set(propsOf('_spec_utils', 'CommonQueryParameters').keys());
    const bulkQuery = new Set((typeOf('_global.bulk', 'Request').query ?? []).map((q) => q.name));
    const containerProps = propsOf('_global.bulk', 'OperationContainer');
    const createProps = propsOf('_global.bulk', 'CreateOperation');
    const responseItem = propsOf('_global.bulk', 'ResponseItem');
    const responseProps = new Map(
      (typeOf('_global.bulk', 'Response').body?.properties ?? []).map((p) => [p.name, p.required]),
    );

    for (const r of bulks) {
      assert.ok(
        endpoint.urls.some((u) => u.path === r.path && u.methods.includes(r.method)),
        `${r.method} ${r.path} is a bulk URL`,
      );
      assert.ok(
        endpoint.requestMediaType.some((m) => r.contentType.includes(m.split('/')[1]!)),
        `content-type ${r.contentType} is ndjson`,
      );
      for (const q of new URLSearchParams(r.query).keys()) {
        assert.ok(common.has(q) || bulkQuery.has(q), `query parameter ${q} is in the schema`);
      }
      const body = r.body!;
      assert.ok(body.endsWith('\n'), 'the final line ends with a newline, as the spec requires');
      const lines = body.slice(0, -1).split('\n');
      for (let i = 0; i < lines.length; i += 2) {
        const action = JSON.parse(lines[i]!) as Record<string, Record<string, unknown>>;
        for (const k of Object.keys(action))
          assert.ok(containerProps.has(k), `operation ${k} in OperationContainer`);
        assert.deepEqual(Object.keys(action), ['create'], 'data streams accept only create');
        for (const k of Object.keys(action.create!))
          assert.ok(createProps.has(k), `create.${k} in CreateOperation`);
        assert.equal(typeof action.create!._index, 'string');
        if (action.create!._index === 'logs-crumbtrail.breadcrumbs-default') {
          assert.match(String(action.create!._id), /^[A-Za-z0-9_-]{20}$/, 'sha1 base64url, 20 chars');
        }
        // Compile-time too: the parsed action is assignable to the client's type.
        const typed = {
          create: { _index: String(action.create!._index), _id: String(action.create!._id) },
        } satisfies estypes.BulkOperationContainer;
        assert.deepEqual(typed, action, 'nothing beyond the typed create fields');
        const doc = JSON.parse(lines[i + 1]!) as Record<string, unknown>;
        assert.equal(typeof doc['@timestamp'], 'string');
        assert.ok(!Number.isNaN(Date.parse(String(doc['@timestamp']))), '@timestamp parses');
      }
      // The stand-in's answer has the documented shape (required properties present, items per operation).
      const resp = r.response as Record<string, unknown>;
      for (const [name, required] of responseProps) if (required) assert.ok(name in resp, `response.${name}`);
      for (const item of resp.items as Record<string, Record<string, unknown>>[]) {
        const [op] = Object.keys(item);
        const body2 = item[op!]!;
        for (const [name, required] of responseItem) if (required) assert.ok(name in body2, `item.${name}`);
        for (const k of Object.keys(body2)) assert.ok(responseItem.has(k), `item.${k} in ResponseItem`);
      }
    }
    const idx = bulks.flatMap((r) => r.body!.split('\n').filter((_, i) => i % 2 === 0 && _ !== ''));
    assert.ok(
      idx.some((l) => l.includes('logs-crumbtrail.breadcrumbs-default')),
      'breadcrumb stream',
    );
    assert.ok(
      idx.some((l) => l.includes('logs-crumbtrail.anomalies-default')),
      'anomaly stream via writeDocument',
    );
  } finally {
    await sink.close();
    await es.stop();
  }
});

test('the ECS document fields are the ones the brief fixes', async () => {
  const { breadcrumbDocument } = await import('../../analyzer/src/sinks/elasticsearch/document.ts');
  const [ev] = syntheticEvents(1);
  const doc = breadcrumbDocument(
    { ...ev!, event: { ...ev!.event, spanId: 's1' }, incident: { id: 'inc-1', leadTimeMs: 420 } },
    { maxMessageChars: 10 },
  ) as Record<string, Record<string, unknown>>;
  assert.equal(doc.log!.level, 'error');
  assert.deepEqual(doc.log!.file, { path: '/var/log/app/app.log' });
  assert.equal(doc.log!.offset, 0);
  assert.deepEqual(doc.service, { name: 'checkout' });
  assert.deepEqual(doc.trace, { id: 't0' });
  assert.deepEqual(doc.span, { id: 's1' });
  assert.equal(doc.event!.kind, 'alert');
  assert.equal(doc.event!.severity, 47);
  assert.equal(doc.event!.action, 'stress');
  assert.equal(doc.crumbtrail!.category, 'stress');
  assert.equal(doc.crumbtrail!.rule_id, 'stress-latency');
  assert.equal(doc.crumbtrail!.severity, 3);
  assert.equal(doc.crumbtrail!.symbol, '🟡');
  assert.equal(doc.crumbtrail!.incident_id, 'inc-1');
  assert.equal(doc.crumbtrail!.lead_time_ms, 420);
  assert.equal(doc.crumbtrail!.truncated, true, 'message cut at maxMessageChars');
  assert.equal(String(doc.message).length, 10);
  assert.deepEqual(doc.crumbtrail!.fields, { order: 0, attempt: 0, trace_id: 't0' });
});
