// The ingest pipeline is generated from the format catalog. No Elasticsearch with ingest-common runs here, so
// this checks the generated grok forms with JS (same captures as the analyzer's own patterns on every fixture
// line, multi-line messages kept whole) and that kv only ever sees key=value text. The real-engine comparison
// lives with the Elasticsearch harness (test/helpers/grok-engine.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtinCatalog, catalogExamples, jsCaptures } from '../../analyzer/src/parse/catalog/index.ts';
import { grokPrefix, toGrokPattern } from '../../analyzer/src/parse/grok.ts';
import { ingestPipeline } from '../../elasticsearch/ingest-pipeline.ts';

const catalog = builtinCatalog();
const pipeline = ingestPipeline();
type Processor = NonNullable<NonNullable<typeof pipeline.processors>[number]>;
const processors: Processor[] = (pipeline.processors ?? []).filter((p): p is Processor => p !== undefined);
const text = catalog.byPriority.filter((f) => f.spec.decoder === 'regex' || f.spec.decoder === 'seed');

/** A grok form read back as JS: `\A` is `^` there (both: start of input). */
const asJs = (grok: string) => new RegExp(`^${grok.slice(2)}`);

describe('ingest pipeline from the catalog', () => {
  test('one grok holds every text format, in detection order', () => {
    const grok = processors.find((p) => p.grok && p.grok.patterns.length === text.length)?.grok;
    assert.ok(grok, 'no grok with all text formats');
    assert.deepEqual(
      grok.patterns,
      text.map((f) => toGrokPattern(f.spec, f.index)),
    );
  });

  test('each fixture line: the grok form captures what the analyzer captures', () => {
    let checked = 0;
    for (const { format, example } of catalogExamples()) {
      if (format.pattern === undefined) continue;
      const index = catalog.get(format.name)!.index;
      const m = asJs(toGrokPattern(format, index)).exec(example.line);
      assert.ok(m?.groups, `${format.name}: grok form misses ${example.line}`);
      const got: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups))
        if (v !== undefined && k !== `${grokPrefix(index)}fmt`) got[k.slice(grokPrefix(index).length)] = v;
      assert.deepEqual(got, jsCaptures(format, example.line), format.name);
      checked++;
    }
    assert.ok(checked > 40);
  });

  test('a multi-line event keeps its continuation lines in the message (grok `.` stops at \\n)', () => {
    const seed = catalog.get('seed')!;
    const m = asJs(toGrokPattern(seed.spec, seed.index)).exec(
      '[2010-05-06 14:32:05] ERROR - [svc] failed\njava.lang.IllegalStateException: x\n\tat a.B(B.java:1)',
    );
    assert.equal(
      m?.groups?.[`${grokPrefix(seed.index)}msg`],
      'failed\njava.lang.IllegalStateException: x\n\tat a.B(B.java:1)',
    );
  });

  test('kv never runs over a whole message: the prose before the first key is cut, splits only before key=', () => {
    const kvs = processors.filter((p) => p.kv).map((p) => p.kv!);
    assert.ok(kvs.length >= 2);
    for (const kv of kvs)
      assert.notEqual(kv.field === 'message' && kv.target_field === 'crumbtrail.fields', true);
    const gsub = processors.find((p) => p.gsub?.target_field === '_crumb.kv')!.gsub!;
    const kvPart = 'request handled id=1 latency_ms=850 user="a b"'.replace(
      new RegExp(gsub.pattern),
      gsub.replacement,
    );
    assert.equal(kvPart, 'id=1 latency_ms=850 user="a b"');
    const split = kvs.find((k) => k.field === '_crumb.kv')!.field_split;
    const tokens = kvPart.split(new RegExp(split));
    assert.deepEqual(tokens, ['id=1', 'latency_ms=850', 'user="a b"']);
    assert.ok(tokens.every((t) => t.includes('=')));
  });

  test('only documented processors; grok patterns in the shared subset (no lookbehind, plain group names)', () => {
    const allowed = new Set([
      'set',
      'json',
      'gsub',
      'remove',
      'grok',
      'dot_expander',
      'kv',
      'date',
      'script',
      'append',
    ]);
    for (const p of processors) for (const k of Object.keys(p)) assert.ok(allowed.has(k), k);
    for (const p of processors.filter((x) => x.grok))
      for (const pat of p.grok!.patterns) {
        assert.doesNotMatch(pat, /\(\?<[=!]/);
        for (const g of pat.matchAll(/\(\?<([^>=!]+)>/g)) assert.match(g[1]!, /^[a-z][a-z0-9_]*$/);
      }
  });

  test('every JSON and logfmt format is chosen by its keys, every timestamp kind has a date processor', () => {
    const chosen = processors.filter((p) => p.set?.field === '_crumb.fmt').map((p) => String(p.set!.value));
    for (const f of catalog.formats.filter((x) => !x.wrapper)) assert.ok(chosen.includes(f.name), f.name);
    const dateIfs = processors.filter((p) => p.date).map((p) => String(p.date!.if ?? ''));
    for (const f of catalog.formats.filter((x) => x.spec.timestamp))
      assert.ok(
        dateIfs.some((c) => c.includes(`'${f.name}'`)),
        `no date for ${f.name}`,
      );
  });
});
