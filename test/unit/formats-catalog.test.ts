// Every built-in format's fixture lines (the `examples` in analyzer/formats/*.yml): parsed by the format
// itself with the expected timestamp, level, component, message and ECS fields, and detected as that format.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogEvent, RawLine } from '../../analyzer/src/core/types.ts';
import { builtinCatalog, catalogExamples } from '../../analyzer/src/parse/catalog/index.ts';
import { SourceParser } from '../../analyzer/src/parse/detect.ts';
import { ParseStage } from '../../analyzer/src/parse/index.ts';

const catalog = builtinCatalog();
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

describe('each catalog example parses as its format says', () => {
  for (const { format, example, refMs } of catalogExamples()) {
    test(`${format.name}: ${example.line.slice(0, 70)}`, () => {
      const parser = new SourceParser(catalog, 'fixture', { format: format.name, refMs });
      const p = parser.parse(example.line);
      assert.ok(p !== null && typeof p === 'object', `${format.name} does not read the line`);
      const x = example.expect;
      if (x.timestamp !== undefined) assert.equal(iso(p.timestamp), x.timestamp, 'timestamp');
      if (x.level !== undefined) assert.equal(p.level, x.level, 'level');
      if (x.rawLevel !== undefined) assert.equal(p.rawLevel, x.rawLevel, 'rawLevel');
      if (x.component !== undefined) assert.equal(p.component, x.component, 'component');
      if (x.message !== undefined) assert.equal(p.message, x.message, 'message');
      for (const [k, v] of Object.entries(x.ecs ?? {})) assert.deepEqual(p.ecs?.[k], v, `ecs ${k}`);
    });
  }
});

describe('detection picks each format from its own examples', () => {
  for (const format of catalog.catalog.formats) {
    if (format.examples.length === 0) continue;
    test(format.name, () => {
      const decided: string[] = [];
      const stage = new ParseStage({
        catalog,
        refTime: () => Date.parse('2024-12-31T00:00:00Z'),
        onDecision: (d) => decided.push(d.format),
      });
      const out: LogEvent[] = [];
      format.examples.forEach((e, i) => {
        const line: RawLine = {
          source: format.name,
          offset: i,
          nextOffset: i + 1,
          lineNo: i + 1,
          bytes: Buffer.from(e.line),
        };
        stage.process(line, (ev) => out.push(ev));
      });
      stage.flush();
      const want = format.decoder === 'docker-json' || format.decoder === 'cri' ? format.name : format.name;
      assert.equal(decided[0]?.split('/')[0], want);
      for (const e of out) assert.equal(e.formatName?.split('/')[0], want, `line ${e.lineNo}: ${e.message}`);
    });
  }
});
