// Load and validate a breadcrumb rule file (YAML or JSON — JSON is YAML). Every problem is reported with the
// file, the line and what to change; nothing half-valid is ever used.

import { existsSync, readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { CATEGORIES, type Category, LEVELS, type Level } from '../core/types.ts';
import { UsageError } from '../core/usage-error.ts';
import { parseDuration } from '../util/duration.ts';
import type { Comparison, FieldCondition, Rule, RuleSet } from './schema.ts';
import { compileUserPattern } from './user-pattern.ts';

/** The shipped defaults: analyzer/rules/default.yml, found from the sources (tsx) or from the build (dist/). */
export const DEFAULT_RULES_PATH =
  ['../../rules/default.yml', '../../analyzer/rules/default.yml']
    .map((rel) => new URL(rel, import.meta.url).pathname)
    .find((p) => existsSync(p)) ?? new URL('../../rules/default.yml', import.meta.url).pathname;

/** A rule file that cannot be used: carries the file, line and reason. */
export class RuleFileError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'RuleFileError';
  }
}

const RULE_KEYS = new Set([
  'id',
  'category',
  'severity',
  'description',
  'level',
  'min_level',
  'component',
  'message',
  'unless',
  'where',
  'after',
  'example',
]);
const CONDITION = /^\s*([A-Za-z_@][\w.@-]*)\s*(<=|>=|==|!=|=~|<|>|exists)\s*(.*?)\s*$/;

/**
 * How `message:` and `=~` patterns compile: 'linear' (RE2) for user files, 'native' only for the shipped
 * defaults, which are vetted (test/unit/rules-patterns.test.ts) and keep the faster native RegExp.
 */
export type PatternEngine = 'native' | 'linear';

/** Load and validate a rule file. Throws RuleFileError. Any file but the shipped defaults is a user file. */
export function loadRules(path: string = DEFAULT_RULES_PATH): RuleSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new RuleFileError(path, 0, `cannot read the rule file (${code}); check the --rules path`);
  }
  return parseRules(text, path, path === DEFAULT_RULES_PATH ? 'native' : 'linear');
}

/** Validate rule text; `origin` names it in errors. Text from anywhere but the defaults is a user file. */
export function parseRules(text: string, origin: string, engine: PatternEngine = 'linear'): RuleSet {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined): number =>
    node?.range ? lc.linePos(node.range[0]).line : 1;
  const fail = (
    node: { range?: [number, number, number] | null } | null | undefined,
    reason: string,
  ): never => {
    throw new RuleFileError(origin, lineOf(node), reason);
  };

  const syntax = doc.errors[0];
  if (syntax)
    throw new RuleFileError(
      origin,
      lc.linePos(syntax.pos[0]).line,
      `not valid YAML: ${syntax.message.split('\n')[0]}`,
    );
  const root = doc.contents;
  if (!isMap(root)) return fail(root as Node | null, 'expected a mapping with `rules:` (a list of rules)');
  const version: unknown = (root as YAMLMap<unknown, unknown>).get('version');
  if (version !== undefined && version !== 1)
    fail(root.get('version', true) as Node, 'unsupported `version` (only 1)');
  for (const pair of root.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : '';
    if (k !== 'version' && k !== 'rules')
      fail(pair.key as Node, `unknown top-level key '${k}' (allowed: version, rules)`);
  }
  const list = root.get('rules', true);
  if (!isSeq(list)) return fail((list as Node | undefined) ?? root, '`rules` must be a list of rules');

  const seen = new Set<string>();
  const rules = list.items.map((item, i): Rule => {
    if (!isMap(item)) return fail(item as Node, `rule #${i + 1} must be a mapping`);
    const rule = toRule(item, i, fail, engine);
    if (seen.has(rule.id)) fail(item.get('id', true) as Node, `duplicate rule id '${rule.id}'`);
    seen.add(rule.id);
    return rule;
  });
  if (rules.length === 0) fail(list, '`rules` is empty: at least one rule is needed');
  return { origin, rules };
}

type Fail = (node: Node | null | undefined, reason: string) => never;

function toRule(m: YAMLMap, i: number, fail: Fail, engine: PatternEngine): Rule {
  for (const pair of m.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!RULE_KEYS.has(k))
      fail(pair.key as Node, `rule #${i + 1}: unknown key '${k}' (allowed: ${[...RULE_KEYS].join(', ')})`);
  }
  const node = (k: string) => m.get(k, true) as Node | undefined;
  const id = m.get('id');
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9_.-]*$/i.test(id))
    fail(
      node('id') ?? m,
      `rule #${i + 1}: 'id' must be a word like 'stub-quote-price' (letters, digits, - _ .)`,
    );
  const where = `rule '${id}'`;
  const category = m.get('category');
  if (!CATEGORIES.includes(category as Category))
    fail(node('category') ?? m, `${where}: 'category' must be one of ${CATEGORIES.join(', ')}`);
  const severity = m.get('severity') ?? 3;
  if (![1, 2, 3, 4, 5].includes(severity as number))
    fail(node('severity'), `${where}: 'severity' must be 1 (worst) … 5`);
  const rule: Rule = {
    id: id as string,
    category: category as Category,
    severity: severity as Rule['severity'],
  };

  const description = m.get('description');
  if (description !== undefined) rule.description = String(description);
  const levels = m.get('level');
  if (levels !== undefined) rule.levels = asList(levels).map((l) => toLevel(l, node('level'), where, fail));
  const minLevel = m.get('min_level');
  if (minLevel !== undefined) rule.minLevel = toLevel(minLevel, node('min_level'), where, fail);
  const components = m.get('component');
  if (components !== undefined) {
    rule.components = asList(components).map(String);
    rule.componentMatcher = new RegExp(
      `^(?:${rule.components.map((c) => c.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')).join('|')})$`,
      'i',
    );
  }
  const message = m.get('message');
  if (message !== undefined)
    rule.message = compile(String(message), node('message'), `${where}: 'message'`, fail, engine);
  const after = m.get('after', true);
  if (after !== undefined) rule.after = toAfter(after as Node, where, fail);
  const example = m.get('example');
  if (example !== undefined) rule.examples = asList(example).map(String);
  const unless = m.get('unless');
  if (unless !== undefined)
    rule.unless = compile(String(unless), node('unless'), `${where}: 'unless'`, fail, engine);
  const conds = m.get('where');
  if (conds !== undefined) {
    const condNode = m.get('where', true);
    const items = isSeq(condNode) ? condNode.items : [condNode];
    rule.where = items.map((c) => toCondition(c as Node, where, fail, engine));
  }
  if (!rule.levels && !rule.minLevel && !rule.components && !rule.message && !rule.where)
    fail(m, `${where}: has no condition (give level, min_level, component, message or where)`);
  return rule;
}

function toAfter(n: Node, where: string, fail: Fail): NonNullable<Rule['after']> {
  const shape = `${where}: 'after' must look like { category: abnormal_input, count: 3, within: 10m }`;
  if (!isMap(n)) return fail(n, shape);
  const category = n.get('category');
  const count = n.get('count');
  const within = parseDuration(String(n.get('within') ?? ''));
  if (!CATEGORIES.includes(category as Category))
    return fail(n, `${shape} (category: one of ${CATEGORIES.join(', ')})`);
  if (!Number.isInteger(count) || (count as number) < 1)
    return fail(n, `${shape} (count: a whole number ≥ 1)`);
  if (within === null || within <= 0) return fail(n, `${shape} (within: a duration such as 10m)`);
  for (const pair of n.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!['category', 'count', 'within'].includes(k)) fail(pair.key as Node, `${shape} (unknown key '${k}')`);
  }
  return { category: category as Category, count: count as number, withinMs: within };
}

function asList(v: unknown): unknown[] {
  if (v && typeof v === 'object' && 'toJSON' in v) return (v as { toJSON(): unknown[] }).toJSON();
  return Array.isArray(v) ? v : [v];
}

function toLevel(v: unknown, node: Node | undefined, where: string, fail: Fail): Level {
  const s = String(v).toUpperCase();
  const level = (s === 'WARNING' ? 'WARN' : s) as Level;
  if (!LEVELS.includes(level) || level === 'UNKNOWN')
    fail(node, `${where}: unknown level '${String(v)}' (use DEBUG, INFO, WARN, ERROR, CRITICAL, FATAL)`);
  return level;
}

function compile(
  src: string,
  node: Node | undefined,
  what: string,
  fail: Fail,
  engine: PatternEngine,
): RegExp {
  // Allow a leading (?i) as many log tools write it; matching is case-insensitive anyway.
  const body = src.startsWith('(?i)') ? src.slice(4) : src;
  try {
    return engine === 'native' ? new RegExp(body, 'i') : compileUserPattern(body, 'i');
  } catch (err) {
    return fail(node, `${what} is not a valid regular expression: ${(err as Error).message}`);
  }
}

function toCondition(n: Node, where: string, fail: Fail, engine: PatternEngine): FieldCondition {
  const text = isScalar(n) ? String(n.value) : '';
  const m = CONDITION.exec(text);
  if (!m)
    return fail(
      n,
      `${where}: condition '${text}' must look like 'price < 0.05', 'latency_ms >= 500', 'user exists' or 'path =~ ^/admin'`,
    );
  const [, field, rawOp, rawValue] = m as unknown as [string, string, string, string];
  if (rawOp === 'exists') {
    if (rawValue !== '') fail(n, `${where}: 'exists' takes no value in '${text}'`);
    return { field, op: 'exists' };
  }
  if (rawValue === '') return fail(n, `${where}: condition '${text}' has no value`);
  if (rawOp === '=~')
    return {
      field,
      op: 'matches',
      value: rawValue,
      regex: compile(rawValue, n, `${where}: '${text}'`, fail, engine),
    };
  const op = rawOp as Comparison;
  const quoted = /^(["'])(.*)\1$/.exec(rawValue);
  if (quoted) {
    if (op !== '==' && op !== '!=') fail(n, `${where}: '${op}' compares numbers; '${rawValue}' is a string`);
    return { field, op, value: quoted[2]! };
  }
  const num = Number(rawValue);
  if (!Number.isFinite(num)) {
    if (op === '==' || op === '!=')
      return { field, op, value: rawValue === 'true' ? true : rawValue === 'false' ? false : rawValue };
    return fail(n, `${where}: '${rawValue}' in '${text}' is not a number`);
  }
  return { field, op, value: num };
}
