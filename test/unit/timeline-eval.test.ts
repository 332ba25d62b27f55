// The incident evaluation scores what it claims: exact first-signal / failure lines, lead error, responsible.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadRules } from '../../analyzer/src/rules/load.ts';
import { evaluateScenarios, formatEvaluation } from '../../analyzer/src/timeline/eval/evaluate.ts';
import { loadScenario, loadScenarios, ScenarioError } from '../../analyzer/src/timeline/eval/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-eval-'));
const scenario = (name: string, log: string, expected: object) => {
  const d = join(dir, 'corpus', name);
  writeFileSync(join(mkdirp(d), 'app.log'), log);
  writeFileSync(
    join(d, 'scenario.json'),
    JSON.stringify({ name, domain: 'test', files: ['app.log'], produced: 'written', expected, story: '' }),
  );
  return d;
};
function mkdirp(d: string): string {
  mkdirSync(d, { recursive: true });
  return d;
}

const LOG = [
  '[2024-05-01 10:00:00.000] INFO - [api] request served',
  '[2024-05-01 10:01:00.000] WARN - [db] connection pool nearly exhausted pool=main',
  '[2024-05-01 10:02:00.000] ERROR - [db] could not connect: connection refused pool=main',
  '[2024-05-01 10:03:00.000] CRITICAL - [api] service unavailable: database down',
].join('\n');

describe('eval:incidents scoring', () => {
  test('a right answer scores right, a wrong one wrong', async () => {
    const right = scenario('right', LOG, {
      incidents: 1,
      firstSignal: { file: 'app.log', line: 2, timestamp: '2024-05-01T10:01:00Z' },
      failure: { file: 'app.log', line: 4, timestamp: '2024-05-01T10:03:00Z' },
      leadTimeMs: 120_000,
      responsible: 'db',
    });
    const wrong = scenario('wrong', LOG, {
      incidents: 2,
      firstSignal: { file: 'app.log', line: 1, timestamp: '2024-05-01T10:00:00Z' },
      failure: { file: 'app.log', line: 3, timestamp: '2024-05-01T10:02:00Z' },
      leadTimeMs: 180_000,
      responsible: 'api',
    });
    const ev = await evaluateScenarios([loadScenario(right), loadScenario(wrong)], { rules: loadRules() });
    const [r, w] = ev.results;
    assert.deepEqual(
      [r!.incidentsFound, r!.firstSignalCorrect, r!.failureCorrect, r!.leadErrorMs, r!.responsibleCorrect],
      [1, true, true, 0, true],
    );
    assert.deepEqual(
      [w!.firstSignalCorrect, w!.failureCorrect, w!.leadErrorMs, w!.responsibleCorrect],
      [false, false, 60_000, false],
    );
    assert.equal(ev.totals.incidentCountExact, 1);
    assert.equal(ev.totals.firstSignalCorrect, 1);
    assert.match(formatEvaluation(ev), /2 scenarios in 1 domains: incident count exact 1\/2/);
    assert.equal(loadScenarios(join(dir, 'corpus')).length, 2);
  });

  test('a broken scenario file names the file and the key', () => {
    const d = mkdirp(join(dir, 'bad'));
    writeFileSync(
      join(d, 'scenario.json'),
      JSON.stringify({ name: 'bad', domain: 'x', files: ['nope.log'] }),
    );
    assert.throws(
      () => loadScenario(d),
      (e: unknown) => e instanceof ScenarioError && /expected/.test(String(e)),
    );
  });
});
