// Kibana and Grafana request validation against the vendors' OpenAPI documents in <repo>/../shared/specs
// (ajv 8 recipe and quirks from shared/specs/README.md). Absent folder → `available` false, and the caller
// prints that the contract layer was skipped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export: under NodeNext the callable is on `.default`.
const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv };

export const SPECS_DIR = join(new URL('../..', import.meta.url).pathname, '..', 'shared', 'specs');

interface OpenApiDoc {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>>;
}

export interface SpecDoc {
  id: string;
  file: string;
  doc: OpenApiDoc;
  /** Prefix the doc's path keys omit (Grafana: /api) or add (Kibana CRUD: /s/{spaceId}). */
  pathPrefix: string;
  spacePrefixed: boolean;
}

export const SPEC_FILES = {
  alerting: 'kibana/kibana-alerting-bundled.json',
  ruleCrud: 'kibana/kibana-alerting-bundled-rule-crud.json',
  connectors: 'kibana/kibana-connectors-bundled.json',
  dataViews: 'kibana/kibana-data-views-bundled.json',
  savedObjects: 'kibana/kibana-saved-objects-bundled.json',
  grafana: 'grafana/grafana-openapi3.json',
} as const;
export type SpecName = keyof typeof SPEC_FILES;

export class OpenApiContracts {
  readonly ajv: Ajv;
  readonly docs = new Map<SpecName, SpecDoc>();
  private readonly cache = new Map<string, ValidateFunction>();

  static available(): boolean {
    return Object.values(SPEC_FILES).every((f) => existsSync(join(SPECS_DIR, f)));
  }

  constructor() {
    this.ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats.default(this.ajv);
    for (const f of ['int64', 'int32', 'uint8', 'uint16', 'uint32', 'uint64', 'double', 'float', 'binary']) {
      if (!this.ajv.formats[f]) this.ajv.addFormat(f, true);
    }
    for (const [name, file] of Object.entries(SPEC_FILES) as [SpecName, string][]) {
      const doc = JSON.parse(readFileSync(join(SPECS_DIR, file), 'utf8')) as OpenApiDoc;
      const id = `https://specs.local/${file}`;
      this.ajv.addSchema({ ...doc, $id: id }, id);
      this.docs.set(name, {
        id,
        file,
        doc,
        pathPrefix: name === 'grafana' ? '/api' : '',
        spacePrefixed: name === 'ruleCrud',
      });
    }
  }

  /** Errors of `value` against a component schema of a spec; [] = valid. */
  validateSchema(spec: SpecName, schema: string, value: unknown): string[] {
    return this.run(`${this.docs.get(spec)!.id}#/components/schemas/${schema}`, value);
  }

  /** The spec (and its path key) declaring `method path`, trying the Kibana space prefix and Grafana's /api base. */
  findOperation(
    service: 'kibana' | 'grafana',
    method: string,
    path: string,
  ): { spec: SpecName; key: string } | undefined {
    const names: SpecName[] =
      service === 'grafana'
        ? ['grafana']
        : ['alerting', 'ruleCrud', 'connectors', 'dataViews', 'savedObjects'];
    for (const spec of names) {
      const d = this.docs.get(spec)!;
      let rel = path;
      if (d.pathPrefix) {
        if (!rel.startsWith(d.pathPrefix)) continue;
        rel = rel.slice(d.pathPrefix.length);
      }
      const candidates = d.spacePrefixed ? [`/s/default${rel}`] : [rel, path];
      for (const key of Object.keys(d.doc.paths)) {
        const op = d.doc.paths[key]?.[method.toLowerCase()];
        if (!op) continue;
        if (candidates.some((c) => pathMatches(key, c))) return { spec, key };
      }
    }
    return undefined;
  }

  /** Errors of a request body against the operation's declared JSON request body schema. */
  validateOperationBody(spec: SpecName, key: string, method: string, body: unknown): string[] {
    const ptr = `${this.docs.get(spec)!.id}#/paths/${escapePointer(key)}/${method.toLowerCase()}/requestBody/content/application~1json/schema`;
    return this.run(ptr, body);
  }

  hasJsonBody(spec: SpecName, key: string, method: string): boolean {
    const op = this.docs.get(spec)!.doc.paths[key]?.[method.toLowerCase()];
    return Boolean(op?.requestBody?.content?.['application/json']?.schema);
  }

  private run(ref: string, value: unknown): string[] {
    const v = this.cache.get(ref) ?? this.ajv.compile({ $ref: ref });
    this.cache.set(ref, v);
    return v(value)
      ? []
      : (v.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`);
  }
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** OpenAPI path template match: `{x}` matches one segment. */
export function pathMatches(template: string, path: string): boolean {
  const t = template.split('/').filter(Boolean);
  const p = path.split('/').filter(Boolean);
  return t.length === p.length && t.every((seg, i) => seg.startsWith('{') || seg === p[i]);
}
