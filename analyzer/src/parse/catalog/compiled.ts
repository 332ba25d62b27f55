// A loaded catalog compiled once: formats by name and in detection order (priority, then catalog order).
import { type CompiledFormat, compileFormat } from '../compile.ts';
import { loadCatalog } from './load.ts';
import type { Catalog } from './schema.ts';

export class CompiledCatalog {
  readonly formats: CompiledFormat[];
  readonly byPriority: CompiledFormat[];
  private readonly names = new Map<string, CompiledFormat>();
  private noWrappers: CompiledCatalog | null = null;

  constructor(readonly catalog: Catalog) {
    this.formats = catalog.formats.map((spec, i) => compileFormat(spec, i));
    for (const f of this.formats) this.names.set(f.name, f);
    this.byPriority = [...this.formats].sort(
      (a, b) => b.spec.priority - a.spec.priority || a.index - b.index,
    );
  }

  get(name: string): CompiledFormat | undefined {
    return this.names.get(name);
  }

  /** The catalog inside a container wrapper (a wrapped line is never wrapped again). */
  withoutWrappers(): CompiledCatalog {
    this.noWrappers ??= new CompiledCatalog({
      files: this.catalog.files,
      formats: this.catalog.formats.filter((f) => f.decoder !== 'docker-json' && f.decoder !== 'cri'),
    });
    return this.noWrappers;
  }
}

let builtin: CompiledCatalog | null = null;
/** The built-in catalog, loaded and compiled on first use. */
export function builtinCatalog(): CompiledCatalog {
  builtin ??= new CompiledCatalog(loadCatalog());
  return builtin;
}
