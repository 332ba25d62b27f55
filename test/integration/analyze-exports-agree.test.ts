// critical.csv and breadcrumbs.csv describe the same events: a critical line that is a breadcrumb carries the
// same incident_id in both, including the errors that led up to the failure (read before the incident existed).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { parseCsvObjects } from '../helpers/csv-read.ts';

const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-exports-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Row = Record<string, string>;
const csv = (file: string): Row[] => parseCsvObjects(readFileSync(file, 'utf8'));

describe('analyze exports agree', () => {
  test('every critical breadcrumb has the same incident_id in critical.csv and breadcrumbs.csv', async () => {
    const out = join(dir, 'r');
    const r = await runCli('analyzer/src/cli/analyze.ts', [
      'samples/flash-crash.log',
      '--out',
      out,
      '--no-anomalies',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const crumbs = new Map(csv(join(out, 'breadcrumbs.csv')).map((b) => [`${b.source}:${b.offset}`, b]));
    const critical = csv(join(out, 'critical.csv'));
    let compared = 0;
    let inIncident = 0;
    for (const c of critical) {
      const b = crumbs.get(`${c.source}:${c.offset}`);
      if (!b) {
        assert.equal(c.category, '', `offset ${c.offset}: a category but no breadcrumbs.csv row`);
        continue;
      }
      compared++;
      assert.equal(c.incident_id, b.incident_id, `offset ${c.offset} (${c.level} ${c.message})`);
      if (c.incident_id) inIncident++;
    }
    assert.ok(compared > 0, 'no critical breadcrumbs compared');
    // The sample's escalation has ERROR breadcrumbs before the final failure: they must carry its id.
    assert.ok(inIncident >= 2, `only ${inIncident} critical rows carry an incident id`);
    // Rows stay in input order.
    const offsets = critical.map((c) => Number(c.offset));
    assert.deepEqual(
      offsets,
      [...offsets].sort((a, b) => a - b),
    );
  });
});
