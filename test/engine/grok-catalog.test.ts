// One format catalog, two engines: every catalog pattern × every fixture line through the analyzer's JS RegExp
// and through Elasticsearch's own grok library (Joni, test/helpers/grok-engine.ts), captures compared field by
// field. A pattern outside the subset both engines read the same way fails here, naming format and line.
// (The integ-test-zip has no ingest-common module: the pipeline's processors other than grok cannot run here.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { builtinCatalog, catalogExamples, jsCaptures } from '../../analyzer/src/parse/catalog/index.ts';
import { grokMarker, grokPrefix, toGrokPattern } from '../../analyzer/src/parse/grok.ts';
import { engineOrSkip } from '../helpers/es-node.ts';
import { GrokEngine } from '../helpers/grok-engine.ts';

const engine = engineOrSkip('grok catalog comparison');
const skip = typeof engine === 'string' ? engine : false;

describe('catalog patterns: JS RegExp and Elasticsearch grok agree', { skip }, () => {
  let grok: GrokEngine;
  before(() => {
    if (typeof engine !== 'string') grok = GrokEngine.start(engine);
  });
  after(async () => {
    await grok?.close();
  });

  test('every fixture line of every pattern format gives the same captures', async () => {
    const cases = catalogExamples().filter((c) => c.format.pattern !== undefined);
    assert.ok(cases.length >= 40, `catalog fixtures with a pattern: ${cases.length}`);
    const disagreements: string[] = [];
    for (const { format, example } of cases) {
      const js = jsCaptures(format, example.line);
      const es = await grok.captures({ patterns: [format.pattern!], text: example.line });
      // Grok reports unmatched optional groups as absent too; compare as plain string maps.
      const esStrings =
        es === null
          ? null
          : Object.fromEntries(
              Object.entries(es)
                .filter(([, v]) => v !== null)
                .map(([k, v]) => [k, String(v)]),
            );
      try {
        assert.deepEqual(esStrings, js);
      } catch {
        disagreements.push(
          `${format.file}:${format.line} ${format.name}: ${JSON.stringify(example.line)}\n    js   ${JSON.stringify(js)}\n    grok ${JSON.stringify(esStrings)}`,
        );
      }
    }
    process.stdout.write(`# grok-catalog: ${cases.length} fixture lines compared with ${grok.library}\n`);
    assert.deepEqual(disagreements, [], `engines disagree:\n${disagreements.join('\n')}`);
  });

  test('the pipeline’s grok form of every pattern (parse/grok.ts) captures what JS captures, line by line', async () => {
    const formats = builtinCatalog().catalog.formats;
    const disagreements: string[] = [];
    let n = 0;
    for (const { format, example } of catalogExamples().filter((c) => c.format.pattern !== undefined)) {
      const i = formats.indexOf(format);
      const js = jsCaptures(format, example.line);
      const raw = await grok.captures({ patterns: [toGrokPattern(format, i)], text: example.line });
      n++;
      const es =
        raw === null
          ? null
          : Object.fromEntries(
              Object.entries(raw)
                .filter(([k, v]) => v !== null && k !== grokMarker(i))
                .map(([k, v]) => [k.slice(grokPrefix(i).length), String(v)]),
            );
      try {
        assert.deepEqual(es, js);
      } catch {
        disagreements.push(
          `${format.name}: ${JSON.stringify(example.line)}\n    js   ${JSON.stringify(js)}\n    grok ${JSON.stringify(es)}`,
        );
      }
    }
    process.stdout.write(`# grok-catalog: ${n} fixture lines through the pipeline's grok form\n`);
    assert.deepEqual(disagreements, [], `engines disagree:\n${disagreements.join('\n')}`);
  });

  test('the comparison can fail: a pattern the engines read differently is caught', async () => {
    // `\h` is a hex digit in Joni (Ruby syntax) but a plain `h` in JS RegExp without the u flag.
    const pattern = '^(?<x>\\h+)$';
    const js = new RegExp(pattern).exec('beef')?.groups ?? null;
    const es = await grok.captures({ patterns: [pattern], text: 'beef' });
    assert.notDeepEqual(es, js === null ? null : { ...js });
  });
});
