// Desired-vs-actual comparison. Servers add fields (versions, ids, defaults, timestamps), so "unchanged"
// means every field we set is present with the same value; fields we never set are ignored.

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Scalars compare loosely by text: ES returns settings such as "1" for 1 and "true" for true. */
function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'object' || typeof b === 'object') return false;
  return String(a) === String(b);
}

/** Paths (dotted) where `desired` is not contained in `actual`; [] means contained. Arrays must match length. */
export function differences(
  desired: unknown,
  actual: unknown,
  path = '',
  out: string[] = [],
  limit = 10,
): string[] {
  if (out.length >= limit) return out;
  if (isObject(desired)) {
    // An empty object we send is often dropped by the server (ES `template: {}`): absent counts as equal.
    if (Object.keys(desired).length === 0 && (actual === undefined || actual === null)) return out;
    if (!isObject(actual)) {
      out.push(path || '(root)');
      return out;
    }
    for (const [k, v] of Object.entries(desired)) {
      if (v === undefined) continue;
      differences(v, actual[k], path ? `${path}.${k}` : k, out, limit);
    }
    return out;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) {
      out.push(path || '(root)');
      return out;
    }
    desired.forEach((d, i) => {
      differences(d, actual[i], `${path}[${i}]`, out, limit);
    });
    return out;
  }
  if (!sameScalar(desired, actual)) out.push(path || '(root)');
  return out;
}

/** Like `differences`, but a string holding JSON (Kibana's searchSourceJSON, panelsJSON, esQuery) is compared parsed. */
export function jsonAwareDifferences(desired: unknown, actual: unknown): string[] {
  return differences(parseJsonStrings(desired), parseJsonStrings(actual));
}

function parseJsonStrings(v: unknown): unknown {
  if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
    try {
      return parseJsonStrings(JSON.parse(v));
    } catch {
      return v;
    }
  }
  if (Array.isArray(v)) return v.map(parseJsonStrings);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, parseJsonStrings(x)]));
  return v;
}

/** Drop keys (at any depth) that the server owns, e.g. Grafana's dashboard `id` and `version`. */
export function omitKeys<T>(value: T, keys: readonly string[]): T {
  if (Array.isArray(value)) return value.map((v) => omitKeys(v, keys)) as T;
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !keys.includes(k))
        .map(([k, v]) => [k, omitKeys(v, keys)]),
    ) as T;
  }
  return value;
}
