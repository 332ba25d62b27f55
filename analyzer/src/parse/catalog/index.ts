// The catalog's public face, for the analyzer and for the tests that run each fixture line through both
// engines (JS here, Elasticsearch grok in test/helpers/grok-engine.ts).
import type { FieldValue } from '../../core/types.ts';
import { groupIndices } from '../pattern.ts';
import { builtinCatalog, CompiledCatalog } from './compiled.ts';
import { loadCatalog } from './load.ts';
import type { FormatExample, FormatSpec } from './schema.ts';

export { BUILTIN_FORMATS_DIR, FormatFileError, loadCatalog, parseFormatFile } from './load.ts';
export type { Catalog, FormatExample, FormatSpec } from './schema.ts';
export { builtinCatalog, CompiledCatalog };

/** Default reference time for year-less timestamps in examples that give none. */
export const EXAMPLE_REF = '2024-12-31T00:00:00Z';

/** Every format's fixture lines with their expected values. */
export function catalogExamples(
  formats: FormatSpec[] = builtinCatalog().catalog.formats,
): { format: FormatSpec; example: FormatExample; refMs: number }[] {
  return formats.flatMap((format) =>
    format.examples.map((example) => ({ format, example, refMs: Date.parse(example.ref ?? EXAMPLE_REF) })),
  );
}

/** A regex format's named captures on a line, as JS RegExp reads them (null: no match). Undefined groups omitted. */
export function jsCaptures(format: FormatSpec, line: string): Record<string, string> | null {
  if (format.pattern === undefined) return null;
  const m = new RegExp(format.pattern).exec(line);
  if (m === null) return null;
  const out: Record<string, string> = {};
  for (const [name, i] of groupIndices(format.pattern)) if (m[i] !== undefined) out[name] = m[i]!;
  return out;
}

/** A catalog of the built-in formats plus user files (`--formats`), compiled. */
export function catalogWith(extraFiles: string[]): CompiledCatalog {
  return extraFiles.length === 0 ? builtinCatalog() : new CompiledCatalog(loadCatalog(extraFiles));
}

export type { FieldValue };
