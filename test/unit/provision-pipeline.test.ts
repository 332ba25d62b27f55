// The ES object definitions: names fixed across the kit, and the grok pattern checked against seed-format lines
// (translated to a JS regex with the same structure, since no Elasticsearch runs here).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  componentTemplate,
  DATA_STREAMS,
  ilmPolicy,
  indexTemplates,
  ingestPipeline,
  PARSE_FAILURE_TAG,
  PLAIN_GROK,
} from '../../elasticsearch/index.ts';

/** The grok building blocks we use, as JS regexes (subset of Elasticsearch's grok library). */
const GROK: Record<string, string> = {
  TIMESTAMP_ISO8601:
    '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:?\\d{2}(?::?\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?',
  WORD: '\\b\\w+\\b',
  DATA: '.*?',
  GREEDYDATA: '.*',
};

function grokToRegex(pattern: string): RegExp {
  const src = pattern.replace(/%\{(\w+):([\w.@]+)\}/g, (_, name: string, field: string) => {
    const body = GROK[name];
    if (!body) throw new Error(`grok pattern ${name} not in the test's table`);
    return `(?<${field.replace(/[.@]/g, '_')}>${body})`;
  });
  return new RegExp(src);
}

describe('elasticsearch definitions', () => {
  test('plain seed format parses with and without milliseconds', () => {
    const re = grokToRegex(PLAIN_GROK);
    const m = re.exec(
      '[2010-05-06 14:32:05.123] CRITICAL - [exchange-gateway] order rejected order_id=42 venue=XNYS',
    );
    assert.ok(m?.groups);
    assert.equal(m.groups._crumb_ts, '2010-05-06 14:32:05.123');
    assert.equal(m.groups.log_level, 'CRITICAL');
    assert.equal(m.groups.service_name, 'exchange-gateway');
    assert.equal(m.groups.message, 'order rejected order_id=42 venue=XNYS');
    const n = re.exec('[2010-05-06 14:32:05] INFO - [risk] ok');
    assert.equal(n?.groups?._crumb_ts, '2010-05-06 14:32:05');
    assert.equal(re.exec('2010-05-06 INFO something else'), null);
  });

  test('names and priorities fixed across the kit', () => {
    assert.deepEqual(
      indexTemplates().map((t) => [t.name, t.index_patterns, t.priority]),
      [
        ['crumbtrail-app', ['logs-crumbtrail.app-*'], 250],
        ['crumbtrail-breadcrumbs', ['logs-crumbtrail.breadcrumbs-*'], 250],
        ['crumbtrail-anomalies', ['logs-crumbtrail.anomalies-*'], 250],
      ],
    );
    assert.ok(
      indexTemplates().every((t) => t.data_stream && t.composed_of?.includes('crumbtrail-ecs-mappings')),
    );
    assert.equal(DATA_STREAMS[0]?.pipeline, 'crumbtrail-app-logs');
    assert.equal(ingestPipeline().id, 'crumbtrail-app-logs');
    assert.equal(componentTemplate().name, 'crumbtrail-ecs-mappings');
  });

  test('retention drives the delete phase; bad retention is refused', () => {
    assert.equal(ilmPolicy(14).policy?.phases.delete?.min_age, '14d');
    assert.throws(() => ilmPolicy(0), /RETENTION_DAYS/);
  });

  test('parse failures keep the event and tag it', () => {
    const onFailure = JSON.stringify(ingestPipeline().on_failure);
    assert.match(onFailure, /error\.message/);
    assert.ok(onFailure.includes(PARSE_FAILURE_TAG));
    assert.ok(!onFailure.includes('"drop"'));
  });

  test('ECS mappings cover the crumbtrail fields the analyzer writes', () => {
    const props = JSON.stringify(componentTemplate().template.mappings);
    for (const f of [
      'incident_id',
      'lead_time_ms',
      'rule_id',
      'symbol',
      'category',
      'severity',
      'trace',
      'span',
      'offset',
    ]) {
      assert.ok(props.includes(`"${f}"`), f);
    }
  });
});
