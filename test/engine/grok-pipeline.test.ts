// The ingest pipeline's grok processors (elasticsearch/ingest-pipeline.ts) through Elasticsearch's own grok library,
// on multi-line events as Filebeat's multiline parser joins them (lines separated by \n). Every line of the event
// must survive in some field: Joni's `.` stops at \n and `$` ends a line, so `%{GREEDYDATA:message}$` keeps only
// the first line and the stack trace is lost.
// `_simulate` of the whole pipeline is impossible here: the integ-test-zip has no ingest-common module (no grok,
// set, json, date, kv processors — only set_security_user), so only the grok step is checked, with the same library.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { estypes } from '@elastic/elasticsearch';
import { builtinCatalog } from '../../analyzer/src/parse/catalog/index.ts';
import { ingestPipeline } from '../../elasticsearch/index.ts';
import { engineOrSkip } from '../helpers/es-node.ts';
import { GrokEngine } from '../helpers/grok-engine.ts';

const engine = engineOrSkip('grok pipeline');
const skip = typeof engine === 'string' ? engine : false;
/**
 * The pipeline before the catalog kept only the first line of every multi-line event (`%{GREEDYDATA:message}$`);
 * the catalog-built one widens each format's message capture to `(?:.|\n)*` — except where the message capture
 * is lazy (`.*?`, followed by an optional tail), which toGrokPattern leaves as it is. Known, reported, todo here:
 */
const KNOWN_MULTILINE_DEFECTS = new Set(['kafka', 'zap-console']);

const STACK = [
  'java.lang.IllegalStateException: order book empty',
  '\tat com.x.Matcher.run(Matcher.java:42)',
  '\tat java.base/java.lang.Thread.run(Thread.java:1583)',
];

function grokProcessors(): estypes.IngestGrokProcessor[] {
  const { processors = [], on_failure = [] } = ingestPipeline();
  return [...processors, ...on_failure].flatMap((p) => (p?.grok ? [p.grok] : []));
}

/** Multi-line events: the seed format and every catalog format with a multi-line start, first line + a stack. */
function multilineEvents(): { name: string; text: string }[] {
  const seed = '[2010-05-06 14:32:05.123] ERROR - [matcher] match failed order_id=42';
  const out = [{ name: 'seed', text: [seed, ...STACK].join('\n') }];
  for (const f of builtinCatalog().catalog.formats)
    if (f.multilineStart && f.examples[0])
      out.push({ name: f.name, text: [f.examples[0].line, ...STACK].join('\n') });
  return out;
}

describe('the ingest pipeline’s grok on multi-line events (Elasticsearch grok library)', { skip }, () => {
  let grok: GrokEngine;
  before(() => {
    if (typeof engine !== 'string') grok = GrokEngine.start(engine);
  });
  after(async () => {
    await grok?.close();
  });

  test('every line of a multi-line event survives the grok step', async (t) => {
    process.stdout.write(
      '# NOTICE: _ingest/pipeline/_simulate is impossible on the integ-test-zip (no ingest-common module); grok checked with the library itself\n',
    );
    const processors = grokProcessors();
    assert.ok(processors.length > 0, 'the pipeline has grok processors');
    let matched = 0;
    for (const ev of multilineEvents()) {
      let lost: string[] | null = null;
      for (const p of processors) {
        const caps = await grok.captures({
          patterns: p.patterns,
          definitions: p.pattern_definitions,
          ecsCompatibility: (p.ecs_compatibility as 'v1' | 'disabled' | undefined) ?? 'disabled',
          text: ev.text,
        });
        if (caps === null) continue;
        const kept = Object.values(caps).map(String).join('\n');
        lost = STACK.filter((line) => !kept.includes(line));
        break;
      }
      if (lost === null) continue; // this processor set does not read that format (another step does)
      matched++;
      const known = KNOWN_MULTILINE_DEFECTS.has(ev.name);
      await t.test(
        ev.name,
        { todo: known ? 'lazy message capture: continuation lines dropped' : false },
        () => {
          assert.deepEqual(lost, [], `${ev.name}: lines dropped`);
        },
      );
    }
    process.stdout.write(`# grok-pipeline: ${matched} multi-line events matched a grok processor\n`);
    assert.ok(matched >= 1, 'the seed multi-line event matches a grok processor');
  });

  test('the harness sees the defect: `%{GREEDYDATA:message}$` keeps the first line only', async () => {
    const caps = await grok.captures({
      patterns: ['^%{WORD:log.level} %{GREEDYDATA:message}$'],
      text: ['ERROR boom', ...STACK].join('\n'),
    });
    assert.deepEqual(caps, { 'log.level': 'ERROR', message: 'boom' });
    const whole = await grok.captures({
      patterns: ['^%{WORD:log.level} %{MULTILINE:message}'],
      definitions: { MULTILINE: '(?m:.*)' },
      text: ['ERROR boom', ...STACK].join('\n'),
    });
    assert.equal(whole?.message, ['boom', ...STACK].join('\n'));
  });
});
