// The literal gate may only skip rules that cannot match: every line a rule's regex matches passes its gate.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadRules } from '../../analyzer/src/rules/load.ts';
import { LiteralGate, requiredLiterals } from '../../analyzer/src/rules/prefilter.ts';

describe('literal pre-filter', () => {
  test('literals of alternations, groups and optional parts', () => {
    assert.deepEqual(requiredLiterals('\\bconnection refused\\b|\\bECONNREFUSED\\b'), [
      'connection refused',
      'econnrefused',
    ]);
    assert.deepEqual(requiredLiterals('\\bdeploy(ed|ing)? (started|of)\\b'), ['deploy']);
    assert.deepEqual(requiredLiterals('\\b(halted|crash(ed)?)\\b'), ['halted', 'crash']);
    assert.deepEqual(requiredLiterals('file ?system (is )?full'), ['system']);
    assert.equal(requiredLiterals('"\\s+5\\d\\d\\s'), null, 'no literal of three characters: always run');
    assert.equal(requiredLiterals('\\x41BCDEF'), null, 'escapes standing for other characters: always run');
    assert.equal(requiredLiterals('abc|\\d+'), null, 'one branch without a literal: always run');
  });

  test('a prefix-free scan finds every literal, overlapping ones too', () => {
    const gate = new LiteralGate([['out of memory'], ['memory'], ['time'], ['timed out'], null]);
    const hits = new Uint8Array(5);
    gate.scan('Worker timed OUT OF MEMORY', hits);
    assert.deepEqual([...hits], [1, 1, 1, 1, 0]);
    gate.scan('all good', hits);
    assert.deepEqual([...hits], [0, 0, 0, 0, 0]);
  });

  test('every default rule example passes its own gate', () => {
    for (const r of loadRules().rules) {
      if (!r.message || !r.examples) continue;
      const lits = requiredLiterals(r.message.source);
      if (lits === null) continue;
      const gate = new LiteralGate([lits]);
      const hits = new Uint8Array(1);
      // A rule with `after:` documents the run before it too: only its last example is its own line.
      for (const ex of r.after ? r.examples.slice(-1) : r.examples) {
        gate.scan(ex, hits);
        assert.equal(hits[0], 1, `${r.id}: ${ex}`);
      }
    }
  });
});
