// A literal pre-filter for message rules. Most lines match no rule, yet each message regex costs a scan of the
// line (~1 µs): forty rules made classification ten times slower than parsing. Every rule whose pattern is an
// alternation of branches that each contain a literal run (`\bconnection refused\b|\bECONNREFUSED\b`) gets those
// literals; one combined scan of the line finds which literals occur, and only those rules run their regex.
// Rules whose pattern has a branch without a literal are always run. The gate only skips rules that cannot match.

/** Shortest literal worth gating on: shorter ones occur everywhere. */
const MIN_LITERAL = 3;

/**
 * The literals one of which must occur (case-insensitively) for `source` to match, or null when some branch has
 * no literal run of MIN_LITERAL characters (then the rule cannot be gated).
 */
export function requiredLiterals(source: string): string[] | null {
  const body = source.startsWith('(?i)') ? source.slice(4) : source;
  // Escapes that stand for other characters (\x41, \u0041, \p{L}, back-references): do not guess, always run.
  if (/\\[xucpPk1-9]/.test(body)) return null;
  const out: string[] = [];
  for (const branch of topLevelBranches(body)) {
    const lits = branchLiterals(branch);
    if (lits === null) return null;
    out.push(...lits);
  }
  return out.length > 0 ? out : null;
}

/** Split on `|` outside groups and classes. */
function topLevelBranches(src: string): string[] {
  const branches: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(src, i);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      branches.push(src.slice(start, i));
      start = i + 1;
    }
  }
  branches.push(src.slice(start));
  return branches;
}

function classEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === '^') j++;
  if (src[j] === ']') j++;
  for (; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === ']') return j;
  }
  return src.length;
}

function groupEnd(src: string, i: number): number {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === '[') j = classEnd(src, j);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  return src.length;
}

/**
 * What one branch needs: the longest run of mandatory literal characters at its top level (lower-cased), else the
 * literals of a mandatory group (`\b(halted|crash(ed)?)\b` needs "halted" or "crash"), else null.
 */
function branchLiterals(branch: string): string[] | null {
  let best = '';
  let run = '';
  let fromGroup: string[] | null = null;
  const end = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < branch.length; i++) {
    const c = branch[i]!;
    let lit: string | null = null;
    let skipTo = i;
    let group: string | null = null;
    if (c === '\\') {
      const e = branch[i + 1] ?? '';
      skipTo = i + 1;
      // Escaped punctuation is a literal; \b \d \s \w and friends are not.
      if (/[^A-Za-z0-9]/.test(e)) lit = e;
    } else if (c === '(') {
      skipTo = groupEnd(branch, i);
      group = branch.slice(i + 1, skipTo).replace(/^\?(?::|<?[=!])/, '');
      if (/^\?<?[=!]/.test(branch.slice(i + 1))) group = null; // a look-around matches no text
    } else if (c === '[') skipTo = classEnd(branch, i);
    else if (!'.^$?*+{}|'.includes(c)) lit = c;
    const rest = branch.slice(skipTo + 1);
    const optional = rest.startsWith('?') || rest.startsWith('*') || /^\{0[,}]/.test(rest);
    if (lit !== null && !optional) {
      run += lit.toLowerCase();
      if (rest.startsWith('+') || rest.startsWith('{')) end();
    } else {
      end();
      if (group !== null && !optional && fromGroup === null) fromGroup = requiredLiterals(group);
    }
    i = skipTo;
  }
  end();
  const trimmed = best.trim();
  if (trimmed.length >= MIN_LITERAL) return [trimmed];
  return fromGroup;
}

/**
 * One scan for many literals. Literals are reduced to a prefix-free set (a literal with a shorter literal as its
 * prefix is implied by it), so at most one can start at any position and a scan restarting one character after
 * each hit finds every occurrence.
 */
export class LiteralGate {
  private readonly re: RegExp | null;
  private readonly owners = new Map<string, number[]>();

  /** `literals[i]` are rule i's literals, or null for a rule that always runs. */
  constructor(literals: (string[] | null)[]) {
    const all = [...new Set(literals.flatMap((l) => l ?? []))].sort((a, b) => a.length - b.length);
    const tokens: string[] = [];
    for (const l of all) if (!tokens.some((t) => l.startsWith(t))) tokens.push(l);
    literals.forEach((ls, rule) => {
      for (const l of ls ?? []) {
        const t = tokens.find((x) => l.startsWith(x))!;
        const o = this.owners.get(t);
        if (o === undefined) this.owners.set(t, [rule]);
        else if (!o.includes(rule)) o.push(rule);
      }
    });
    this.re =
      tokens.length === 0
        ? null
        : new RegExp(tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'gi');
  }

  /** Marks in `out` (indexed by rule) the rules one of whose literals occurs in `text`. */
  scan(text: string, out: Uint8Array): void {
    out.fill(0);
    const re = this.re;
    if (re === null) return;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      for (const rule of this.owners.get(m[0].toLowerCase()) ?? []) out[rule] = 1;
      re.lastIndex = m.index + 1;
    }
  }
}
