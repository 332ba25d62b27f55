// Templates against a real Elasticsearch: the component and index templates install, read back as we wrote them
// (the provisioner's idempotency compare), `_index_template/_simulate_index` composes each data stream as we mean
// it, and documents the kit sends (the sink's own builders, Filebeat 9.5's filestream events before and after the
// ingest pipeline) index without a mapping conflict and without a field the template does not map: after
// indexing, `<stream>/_mapping` must equal the simulated mapping (a dynamic addition = an unmapped leaf).
// The cluster must end green on one node (number_of_replicas 0), alerts history included.
// Replaces the hand-written template-merge simulation of test/unit/es-template-coverage.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, type estypes } from '@elastic/elasticsearch';
import { ES_DEFAULTS } from '../../analyzer/src/sinks/elasticsearch/config.ts';
import {
  ALERTS_HISTORY_ALIAS,
  ALERTS_HISTORY_FIRST_INDEX,
  alertsHistoryBootstrap,
  alertsHistoryTemplate,
} from '../../elasticsearch/alerts-history.ts';
import {
  componentTemplate,
  DATA_STREAMS,
  INGEST_PIPELINE_NAME,
  indexTemplates,
} from '../../elasticsearch/index.ts';
import { differences } from '../../provision/compare.ts';
import { anomalyDoc, breadcrumbDocs, filebeatParsedDocs, filebeatRawDocs } from '../helpers/es-documents.ts';
import { EsNode, engineOrSkip } from '../helpers/es-node.ts';
import { type Adaptation, adapt, adaptationNotice, missingTypes } from './distribution.ts';

const engine = engineOrSkip('templates');
const skip = typeof engine === 'string' ? engine : false;

type Props = Record<string, estypes.MappingProperty & { properties?: Props }>;

/** Dotted leaf paths → type, of a mapping's properties (objects recurse; multi-fields ignored). */
function leaves(props: Props | undefined, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(props ?? {})) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (v.properties) leaves(v.properties, p, out);
    else out.set(p, v.type ?? 'object');
  }
  return out;
}

/** Leaves ES added while indexing (not in the template), and leaves whose type changed. */
function drift(simulated: Props | undefined, after: Props | undefined): string[] {
  const want = leaves(simulated);
  const got = leaves(after);
  const out: string[] = [];
  for (const [p, t] of got) {
    if (!want.has(p)) out.push(`${p}: not in the template (dynamically mapped as ${t})`);
    else if (want.get(p) !== t) out.push(`${p}: template ${want.get(p)}, index ${t}`);
  }
  return out;
}

describe('index templates on a real Elasticsearch', { skip, concurrency: false }, () => {
  let node: EsNode;
  let es: Client;
  const note: Adaptation = { substituted: {}, stripped: [] };
  const simulated = new Map<string, Props>();

  before(async () => {
    if (typeof engine === 'string') return;
    node = await EsNode.start(engine);
    es = new Client({ node: node.url });
  });
  after(async () => {
    await es?.close();
    await node?.destroy();
  });

  test('component + index templates install, and read back as written (the idempotency compare)', async () => {
    const subs = await missingTypes(es);
    const { name: ctName, ...ct } = adapt(componentTemplate(), subs, note);
    await es.cluster.putComponentTemplate({ name: ctName, ...ct });
    // The pipeline the app template names as default_pipeline: installed empty (see distribution.ts).
    await es.ingest.putPipeline({ id: INGEST_PIPELINE_NAME, processors: [] });
    for (const tpl of indexTemplates()) await es.indices.putIndexTemplate(adapt(tpl, subs, note));
    process.stdout.write(adaptationNotice(note));
    assert.deepEqual(note.stripped.sort(), ['template.settings.index.lifecycle'], 'only ILM keys stripped');

    const gotCt = await es.cluster.getComponentTemplate({ name: ctName });
    assert.deepEqual(differences(ct, gotCt.component_templates[0]?.component_template), []);
    for (const tpl of indexTemplates()) {
      const { name, ...body } = adapt(tpl, subs, { substituted: {}, stripped: [] });
      const got = await es.indices.getIndexTemplate({ name });
      assert.deepEqual(differences(body, got.index_templates[0]?.index_template), [], name);
    }
  });

  test('_simulate_index: each data stream gets our template, our mappings and no replicas', async () => {
    const sims = new Map<string, estypes.IndicesSimulateIndexTemplateResponse>();
    for (const spec of DATA_STREAMS) {
      const sim = await es.indices.simulateIndexTemplate({ name: spec.dataStream });
      sims.set(spec.dataStream, sim);
      simulated.set(spec.dataStream, sim.template.mappings.properties as Props);
    }
    for (const spec of DATA_STREAMS) {
      const sim = sims.get(spec.dataStream)!;
      const settings = sim.template.settings as { index?: Record<string, unknown> };
      assert.equal(String(settings.index?.number_of_replicas), '0', `${spec.dataStream}: replicas`);
      if (spec.pipeline) assert.equal(settings.index?.default_pipeline, spec.pipeline);
      assert.deepEqual(
        (sim.overlapping ?? []).map((o) => o.name),
        [],
        `${spec.dataStream}: no other template competes`,
      );
    }
    const crumbs = leaves(simulated.get(ES_DEFAULTS.dataStream));
    const anomalies = leaves(simulated.get(ES_DEFAULTS.anomalyDataStream));
    // The types the earlier brief fixed, now as Elasticsearch composed them.
    assert.equal(crumbs.get('crumbtrail.fields'), 'flattened');
    assert.equal(crumbs.get('crumbtrail.lead_time_ms'), 'long');
    assert.equal(crumbs.get('event.severity'), 'long');
    assert.equal(crumbs.get('crumbtrail.event_id'), 'keyword');
    for (const f of ['category', 'symbol', 'rule_id', 'incident_id', 'file_id', 'format', 'unparsed_reason'])
      assert.equal(crumbs.get(`crumbtrail.${f}`), 'keyword', f);
    assert.equal(anomalies.get('crumbtrail.anomaly.series'), 'keyword');
    assert.equal(anomalies.get('crumbtrail.anomaly.fallback'), 'boolean');
    assert.equal(anomalies.get('crumbtrail.anomaly.context'), 'object');
    // The anomaly fields live only in the anomalies stream.
    assert.equal(crumbs.get('crumbtrail.anomaly.sev'), undefined);
  });

  test('the kit’s documents index with no conflict and no unmapped leaf', async () => {
    const sets: [string, Record<string, unknown>[]][] = [
      [ES_DEFAULTS.dataStream, breadcrumbDocs()],
      [ES_DEFAULTS.anomalyDataStream, [anomalyDoc()]],
      ['logs-crumbtrail.app-default', [...filebeatRawDocs(), ...filebeatParsedDocs()]],
    ];
    const problems: string[] = [];
    for (const [ds, docs] of sets) {
      const res = await es.bulk({
        refresh: true,
        operations: docs.flatMap((d) => [{ create: { _index: ds } }, d]),
      });
      for (const i of res.items)
        if ((i.create?.status ?? 0) >= 300) problems.push(`${ds}: ${JSON.stringify(i.create?.error)}`);
      const mapping = await es.indices.getMapping({ index: ds });
      for (const m of Object.values(mapping))
        problems.push(...drift(simulated.get(ds), m.mappings.properties as Props).map((d) => `${ds}: ${d}`));
    }
    assert.deepEqual(problems, [], 'mapping conflicts or unmapped leaves');
  });

  test('the drift check fails on an unmapped field and on a type conflict', async () => {
    const probe = 'logs-crumbtrail.breadcrumbs-probe';
    const doc = breadcrumbDocs()[0]!;
    const drifted = { ...doc, crumbtrail: { ...(doc.crumbtrail as object), brand_new: 'x' } };
    const wrongType = { ...doc, event: { ...(doc.event as object), severity: 'high' } };
    const res = await es.bulk({
      refresh: true,
      operations: [{ create: { _index: probe } }, drifted, { create: { _index: probe } }, wrongType],
    });
    assert.equal(res.items[0]?.create?.status, 201);
    assert.equal(res.items[1]?.create?.status, 400);
    assert.equal(res.items[1]?.create?.error?.type, 'document_parsing_exception');
    const sim = await es.indices.simulateIndexTemplate({ name: probe });
    const mapping = await es.indices.getMapping({ index: probe });
    const found = Object.values(mapping).flatMap((m) =>
      drift(sim.template.mappings.properties as Props, m.mappings.properties as Props),
    );
    assert.deepEqual(found, ['crumbtrail.brand_new: not in the template (dynamically mapped as text)']);
  });

  test('alerts history: template, write alias, `index` writes as Kibana and Watcher send them, rollover', async () => {
    const subs = await missingTypes(es);
    await es.indices.putIndexTemplate(adapt(alertsHistoryTemplate(), subs, note));
    await es.indices.create(alertsHistoryBootstrap());
    // Kibana's index connector and the watchers' index action: plain `index` on the alias name.
    await es.index({
      index: ALERTS_HISTORY_ALIAS,
      refresh: true,
      document: {
        '@timestamp': '2026-11-21T10:00:00Z',
        rule_id: 'r1',
        rule_name: 'Error spike',
        alert_id: 'a1',
        context_message: 'matched 12 documents',
        hits: '12',
        crumbtrail_rule: 'error-spike',
      },
    });
    await es.index({
      index: ALERTS_HISTORY_ALIAS,
      refresh: true,
      document: {
        '@timestamp': '2026-11-21T10:00:00Z',
        watch_id: 'w',
        watch_name: 'W',
        hits: 3,
        source: 'watcher',
      },
    });
    const sim = await es.indices.simulateIndexTemplate({ name: ALERTS_HISTORY_FIRST_INDEX });
    const mapping = await es.indices.getMapping({ index: ALERTS_HISTORY_FIRST_INDEX });
    assert.deepEqual(
      drift(
        sim.template.mappings.properties as Props,
        mapping[ALERTS_HISTORY_FIRST_INDEX]?.mappings.properties as Props,
      ),
      [],
    );
    const rolled = await es.indices.rollover({ alias: ALERTS_HISTORY_ALIAS });
    assert.equal(rolled.new_index, 'crumbtrail-alerts-history-000002');
    const settings = await es.indices.getSettings({ index: `${ALERTS_HISTORY_ALIAS}-*` });
    for (const [i, s] of Object.entries(settings))
      assert.equal(String(s.settings?.index?.number_of_replicas), '0', `${i}: replicas`);
  });

  test('the single-node cluster is green with every crumbtrail index on it', async () => {
    const h = await es.cluster.health({ wait_for_status: 'green', timeout: '10s' }).catch((e) => e);
    assert.equal((h as estypes.ClusterHealthResponse).status, 'green', JSON.stringify(h).slice(0, 300));
    assert.equal((h as estypes.ClusterHealthResponse).unassigned_shards, 0);
  });
});
