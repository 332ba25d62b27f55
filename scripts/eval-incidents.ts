// `npm run eval:incidents [-- --dir DIR] [--only NAME] [--json]`: the analyzer's incidents against the incident
// corpus (test/fixtures/incidents/<scenario>/scenario.json): incidents found vs expected, first signal, failure,
// lead-time error and responsible component, per scenario and in total.
import { parseArgs } from 'node:util';
import { loadRules, RuleFileError } from '../analyzer/src/rules/load.ts';
import { evaluateScenarios, formatEvaluation } from '../analyzer/src/timeline/eval/evaluate.ts';
import { loadScenarios, ScenarioError } from '../analyzer/src/timeline/eval/scenario.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: new URL('../test/fixtures/incidents', import.meta.url).pathname },
    only: { type: 'string', multiple: true },
    rules: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

try {
  let scenarios = loadScenarios(values.dir);
  if (values.only?.length) {
    const unknown = values.only.filter((n) => !scenarios.some((s) => s.name === n));
    if (unknown.length) throw new ScenarioError(values.dir, `no scenario named ${unknown.join(', ')}`);
    scenarios = scenarios.filter((s) => values.only!.includes(s.name));
  }
  if (scenarios.length === 0)
    throw new ScenarioError(values.dir, 'no scenarios (expected <name>/scenario.json)');
  const ev = await evaluateScenarios(scenarios, { rules: loadRules(values.rules) });
  console.log(values.json ? JSON.stringify(ev, null, 2) : formatEvaluation(ev));
} catch (err) {
  if (err instanceof ScenarioError || err instanceof RuleFileError) {
    console.error(`eval:incidents: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
