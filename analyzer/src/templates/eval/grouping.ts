// Grouping accuracy (GA) as defined by Zhu et al., "Tools and Benchmarks for Automated Log Parsing"
// (ICSE-SEIP 2019) and computed by logparser's evaluator: a message is parsed correctly iff the set of
// messages sharing its parsed group is exactly the set sharing its ground-truth group. GA = correct / all.

export function groupingAccuracy(truth: readonly string[], parsed: readonly string[]): number {
  if (truth.length !== parsed.length) throw new Error('grouping accuracy: label arrays differ in length');
  if (truth.length === 0) return 0;
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  // Per parsed group: its size and the one truth label it holds (or null once it holds two).
  const groups = new Map<string, { size: number; truth: string | null; mixed: boolean }>();
  for (let i = 0; i < parsed.length; i++) {
    const g = groups.get(parsed[i]!);
    if (g === undefined) groups.set(parsed[i]!, { size: 1, truth: truth[i]!, mixed: false });
    else {
      g.size++;
      if (g.truth !== truth[i]) g.mixed = true;
    }
  }
  let correct = 0;
  for (const g of groups.values()) if (!g.mixed && truthSize.get(g.truth!) === g.size) correct += g.size;
  return correct / truth.length;
}
