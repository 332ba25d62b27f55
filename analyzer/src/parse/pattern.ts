// Catalog patterns must mean the same in JS RegExp and in Elasticsearch grok (Joni, Ruby syntax). This keeps
// them to the common subset and finds each named group's index (so the hot path reads m[i], not m.groups).

/** Constructs one of the two engines lacks or reads differently, with the reason shown to the author. */
const FORBIDDEN: [RegExp, string][] = [
  [/\(\?<[=!]/, 'lookbehind `(?<=…)`/`(?<!…)` (not in the shared subset)'],
  [/\\k</, 'named back-reference `\\k<…>`'],
  [/\(\?[a-zA-Z-]+[:)]/, 'inline flags `(?i)`/`(?m:…)` (JS has none; in Ruby `(?m)` means dot-all)'],
  [/\(\?>/, 'atomic group `(?>…)` (JS has none)'],
  [/[*+?}]\+/, 'possessive quantifier (JS has none)'],
  [/\\[hHAzZGKRXp]/, 'escape `\\h \\A \\z \\Z \\G \\K \\R \\X \\p` (differs between JS and Ruby)'],
  [/\\[uxc]/, 'code-point escape `\\u`/`\\x`/`\\c` (write the character, or a class)'],
  [/\(\?P</, 'Python-style `(?P<name>…)` (write `(?<name>…)`)'],
];

/** Why `source` is outside the shared subset, or null when it is fine. */
export function portabilityProblem(source: string): string | null {
  for (const [re, why] of FORBIDDEN) if (re.test(stripClasses(source))) return `uses ${why}`;
  const anchors = source.replace(/\\./g, '__').replace(/\[[^\]]*\]/g, '_');
  if (anchors.indexOf('^', 1) !== -1) return 'has `^` other than at the start (anchors differ per engine)';
  const dollar = anchors.indexOf('$');
  if (dollar !== -1 && dollar !== anchors.length - 1)
    return 'has `$` other than at the end (in grok `$` ends a line)';
  for (const name of groupNames(source))
    if (!/^[a-z][a-z0-9_]*$/.test(name))
      return `group name '${name}': use lower-case letters, digits and _ (Joni takes no dots; map to ECS in \`fields\`)`;
  try {
    new RegExp(source);
  } catch (err) {
    return `is not a valid regular expression: ${(err as Error).message}`;
  }
  return null;
}

/** Character classes replaced by a placeholder, so `[+?]` or `[\p]` are not read as constructs. */
function stripClasses(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      out += source.slice(i, i + 2);
      i++;
    } else if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      out += '_';
      i = j;
    } else out += c;
  }
  return out;
}

function groupNames(source: string): string[] {
  return [...groupIndices(source).keys()];
}

/** Named group → its capture index (1-based, counting every capturing group, as RegExp does). */
export function groupIndices(source: string): Map<string, number> {
  const out = new Map<string, number>();
  let n = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (c !== '(') continue;
    if (source[i + 1] !== '?') {
      n++;
      continue;
    }
    const named = /^\(\?<([A-Za-z_][\w.]*)>/.exec(source.slice(i, i + 80));
    if (named !== null) {
      n++;
      out.set(named[1]!, n);
    }
  }
  return out;
}
