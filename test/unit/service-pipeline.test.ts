// The live pipeline's chain with the real stages: parse → multiline → redact → classify (→ sample). Redaction is
// on by default and configured from pipeline.redact; sampling is off unless configured, runs after classify and
// never drops a breadcrumb (of any level) nor a WARN+ event. The service counts redactions on its own registry.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ClassifiedEvent, RawLine } from '../../analyzer/src/core/types.ts';
import { ClassifiedSampleStage } from '../../analyzer/src/sample/index.ts';
import { AnalyzerService } from '../../analyzer/src/service/app.ts';
import { ConfigError, loadConfig } from '../../analyzer/src/service/config.ts';
import type { PipelineSpec } from '../../analyzer/src/service/pipeline-spec.ts';
import {
  buildPipeline,
  createStageFactories,
  resolveStageNames,
  StageSpecError,
} from '../../analyzer/src/service/stages.ts';
import { TailerStandIn } from '../helpers/tailer-standin.ts';
import { waitFor } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-pipe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configWith(yaml: string, env: Record<string, string> = {}) {
  const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, `globs: [/x.log]\n${yaml}`);
  return loadConfig({ argv: ['--config', file], env, cwd: dir });
}

function lines(texts: string[]): RawLine[] {
  let offset = 0;
  return texts.map((t, i) => {
    const bytes = Buffer.from(t);
    const l = {
      source: '/x.log',
      fileId: 'f',
      offset,
      nextOffset: offset + bytes.length + 1,
      lineNo: i + 1,
      bytes,
    };
    offset = l.nextOffset;
    return l;
  });
}

function run(spec: PipelineSpec, texts: string[]): ClassifiedEvent[] {
  const p = buildPipeline(spec, createStageFactories(), { trace: false });
  return [...p.run(lines(texts)), ...p.flush()];
}

const SECRET_LINE = '[2026-05-06 14:32:05] ERROR - [auth] login failed password=hunter22 for bob@example.com';

describe('live pipeline chain', () => {
  test('default chain: parse, multiline, reorder, redact, classify, templates; sample only when configured', () => {
    const f = createStageFactories();
    assert.deepEqual(resolveStageNames(configWith('').pipeline, f), [
      'parse',
      'multiline',
      'reorder',
      'redact',
      'classify',
      'templates',
    ]);
    const sampled = configWith('pipeline:\n  sample: { rate: 0.5 }\n').pipeline;
    assert.deepEqual(sampled.sample, { rate: 0.5, keepFrom: 'WARN' });
    assert.deepEqual(resolveStageNames(sampled, f), [
      'parse',
      'multiline',
      'reorder',
      'redact',
      'classify',
      'templates',
      'sample',
    ]);
    // rate 1 is "off".
    assert.equal(configWith('pipeline:\n  sample: { rate: 1 }\n').pipeline.sample, null);
  });

  test('secrets are gone before classify and every later consumer', () => {
    const [out] = run(configWith('').pipeline, [SECRET_LINE]);
    assert.ok(out);
    assert.doesNotMatch(out.event.message, /hunter22|bob@/);
    assert.match(out.event.message, /password=\[REDACTED\]/);
    assert.ok(out.breadcrumb, 'still classified (error-unclassified) after redaction');
  });

  test('pipeline.redact from the config file: own patterns, defaults off, bad options name the key', () => {
    const spec = configWith(
      'pipeline:\n  redact:\n    defaults: false\n    patterns:\n      - { name: account, regex: "acct-\\\\d+" }\n',
    ).pipeline;
    const [out] = run(spec, [`${SECRET_LINE} acct-778899`]);
    assert.ok(out);
    assert.match(out.event.message, /password=hunter22/, 'defaults switched off');
    assert.doesNotMatch(out.event.message, /acct-778899/);
    const bad = configWith('pipeline:\n  redact: { patterns: [{ name: Bad-Name, regex: x }] }\n').pipeline;
    assert.throws(
      () => run(bad, []),
      (e: unknown) => e instanceof StageSpecError && /pipeline\.redact/.test(e.message),
    );
    const unknown = configWith('pipeline:\n  redact: { enable: true }\n').pipeline;
    assert.throws(() => run(unknown, []), /pipeline\.redact\.enable/);
  });

  test('sampling keeps every breadcrumb (an INFO one too) and WARN+, drops plain lines at a tiny rate', () => {
    const spec = configWith('pipeline:\n  sample: { rate: 0.000001 }\n').pipeline;
    const texts = [
      '[2026-05-06 14:32:05] INFO - [risk] pre-trade limit check skipped for order 7', // INFO breadcrumb
      '[2026-05-06 14:32:06] WARN - [api] slow-ish but fine',
      ...Array.from({ length: 50 }, (_, i) => `[2026-05-06 14:32:07] INFO - [api] request ${i} served`),
    ];
    const out = run(spec, texts);
    assert.equal(out[0]?.breadcrumb?.ruleId, 'control-bypassed');
    assert.equal(out[0]?.event.level, 'INFO');
    assert.equal(out[1]?.event.level, 'WARN');
    assert.ok(out.length < 10, `plain INFO lines sampled away (${out.length} kept)`);
    // Without sampling the same input keeps every line: the drop above is the stage's doing.
    assert.equal(run(configWith('').pipeline, texts).length, texts.length);
  });

  test('ClassifiedSampleStage: breadcrumb kept whatever the level; keepFrom honoured', () => {
    const s = new ClassifiedSampleStage({ rate: 0.000001, keepFrom: 'ERROR' });
    const ev = (level: 'DEBUG' | 'WARN' | 'ERROR', crumb: boolean): ClassifiedEvent => {
      const e = {
        source: 'a',
        offset: 0,
        nextOffset: 1,
        lineNo: 1,
        format: 'plain' as const,
        timestamp: 0,
        level,
        component: 'x',
        message: 'm',
        fields: {},
      };
      return {
        event: e,
        breadcrumb: crumb ? { event: e, category: 'stress', symbol: '🟡', ruleId: 'r', severity: 4 } : null,
      };
    };
    assert.equal(s.keeps(ev('DEBUG', true)), true);
    assert.equal(s.keeps(ev('ERROR', false)), true);
    assert.equal(s.keeps(ev('WARN', false)), false, 'below keepFrom and no breadcrumb');
  });

  test('sample config errors: one ConfigError naming the key; stage order enforced', () => {
    const key = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.key;
      }
      return assert.fail('no error');
    };
    assert.equal(
      key(() => configWith('pipeline:\n  sample: { rate: 2 }\n')),
      'pipeline.sample.rate',
    );
    assert.equal(
      key(() => configWith('pipeline:\n  sample: { rate: 0.1, keepFrom: LOUD }\n')),
      'pipeline.sample.keepFrom',
    );
    assert.equal(
      key(() => configWith('pipeline:\n  sample: { rte: 0.1 }\n')),
      'pipeline.sample.rte',
    );
    assert.equal(
      key(() => configWith('pipeline:\n  stages: [parse, sample, classify]\n')),
      'pipeline.stages',
    );
    assert.equal(
      key(() => configWith('', { CRUMBTRAIL_SAMPLE_RATE: '5%' })),
      'CRUMBTRAIL_SAMPLE_RATE',
    );
    const fromEnv = configWith('pipeline:\n  sample: { rate: 0.5 }\n', { CRUMBTRAIL_SAMPLE_RATE: '0.2' });
    assert.deepEqual(fromEnv.pipeline.sample, { rate: 0.2, keepFrom: 'WARN' }, 'env wins over the file');
    const listed = configWith('pipeline:\n  stages: [parse, classify, sample]\n  sample: { rate: 0.3 }\n');
    assert.deepEqual(resolveStageNames(listed.pipeline, createStageFactories()), [
      'parse',
      'classify',
      'sample',
    ]);
    const missing = configWith('pipeline:\n  stages: [parse, classify]\n  sample: { rate: 0.3 }\n');
    assert.throws(() => resolveStageNames(missing.pipeline, createStageFactories()), StageSpecError);
  });
});

describe('service with the real stages', () => {
  test('redactions are counted on the service registry; --output holds no secret', async () => {
    const out = join(dir, 'events.jsonl');
    const config = loadConfig({
      argv: ['--glob', '/x.log', '--port', '0', '--state-dir', dir, '--output', out, '--no-anomalies'],
      env: {},
      cwd: dir,
    });
    let tailer!: TailerStandIn;
    const svc = new AnalyzerService(config, {
      createTailer: (_o, onLines) => {
        tailer = new TailerStandIn(onLines);
        return tailer;
      },
      log: () => {},
    });
    const addr = await svc.start();
    try {
      await tailer.feed([SECRET_LINE, '[2026-05-06 14:32:06] INFO - [api] fine']);
      const scrape = async () => (await fetch(`http://127.0.0.1:${addr.port}/metrics`)).text();
      // The reorder window holds the first event until it is due (its wall-clock wait), then redact sees it.
      await waitFor(
        async () => /crumbtrail_stage_events_in_total\{stage="redact"\} 1/.test(await scrape()),
        'the first event through redact',
      );
      const metrics = await scrape();
      // password=… twice: in the message and in the parsed field `password`.
      assert.match(metrics, /crumbtrail_redactions_total\{pattern="secret_kv"\} 2/);
      assert.match(metrics, /crumbtrail_redactions_total\{pattern="email"\} 1/);
      // The second line is still held (multiline may get continuation lines, then the reorder window).
      assert.match(metrics, /crumbtrail_stage_events_in_total\{stage="redact"\} 1/);
    } finally {
      await svc.stop();
    }
    const { readFileSync } = await import('node:fs');
    const written = readFileSync(out, 'utf8');
    assert.doesNotMatch(written, /hunter22|bob@example/);
    assert.match(written, /REDACTED/);
  });
});
