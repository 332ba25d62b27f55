// Validates Elasticsearch request bodies against the Elasticsearch request specification shipped by
// @elastic/request-converter (dist/schema.json): finds the endpoint by method + path, then walks the body
// through the spec's types (interfaces, containers, tagged unions, aliases, enums, dictionaries) and reports
// unknown property names, missing required ones and wrong scalar kinds.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface TypeName {
  name: string;
  namespace: string;
}
interface Prop {
  name: string;
  required: boolean;
  type: TypeRef;
  aliases?: string[];
}
type TypeRef =
  | { kind: 'instance_of'; type: TypeName }
  | { kind: 'array_of'; value: TypeRef }
  | { kind: 'union_of'; items: TypeRef[] }
  | { kind: 'dictionary_of'; key: TypeRef; value: TypeRef }
  | { kind: 'user_defined_value' }
  | { kind: 'literal_value'; value: unknown };
interface TypeDef {
  kind: 'interface' | 'request' | 'response' | 'enum' | 'type_alias';
  name: TypeName;
  properties?: Prop[];
  inherits?: { type: TypeName };
  behaviors?: { type: TypeName }[];
  attachedBehaviors?: string[];
  variants?: { kind: string; tag?: string; nonExhaustive?: boolean };
  shortcutProperty?: string;
  members?: { name: string; aliases?: string[] }[];
  isOpen?: boolean;
  type?: TypeRef;
  body?: { kind: 'properties'; properties: Prop[] } | { kind: 'value'; value: TypeRef } | { kind: 'no_body' };
}
interface Endpoint {
  name: string;
  request: TypeName | null;
  urls: { path: string; methods: string[] }[];
}
interface Spec {
  endpoints: Endpoint[];
  types: TypeDef[];
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class EsRequestSpec {
  private readonly types = new Map<string, TypeDef>();
  private readonly endpoints: Endpoint[];

  constructor(spec: Spec) {
    for (const t of spec.types) this.types.set(`${t.name.namespace}.${t.name.name}`, t);
    this.endpoints = spec.endpoints;
  }

  static load(): EsRequestSpec {
    const require = createRequire(import.meta.url);
    const path = require.resolve('@elastic/request-converter/dist/schema.json');
    return new EsRequestSpec(JSON.parse(readFileSync(path, 'utf8')) as Spec);
  }

  /** The endpoint serving `method path` (path params matched as one segment), preferring the most literal match. */
  findEndpoint(method: string, path: string): Endpoint | undefined {
    let best: { ep: Endpoint; literal: number } | undefined;
    const segs = path.split('/').filter(Boolean);
    for (const ep of this.endpoints) {
      for (const u of ep.urls) {
        if (!u.methods.includes(method)) continue;
        const tsegs = u.path.split('/').filter(Boolean);
        if (tsegs.length !== segs.length) continue;
        let literal = 0;
        const ok = tsegs.every((t, i) => {
          if (t.startsWith('{')) return true;
          literal++;
          return t === segs[i];
        });
        if (ok && (!best || literal > best.literal)) best = { ep, literal };
      }
    }
    return best?.ep;
  }

  /** Problems found in `body` for `method path`; [] means the body fits the specification. */
  validate(method: string, path: string, body: unknown): { endpoint: string; errors: string[] } {
    const ep = this.findEndpoint(method, path);
    if (!ep) return { endpoint: '?', errors: [`no endpoint in the specification for ${method} ${path}`] };
    if (!ep.request) return { endpoint: ep.name, errors: ['endpoint has no request type'] };
    const req = this.type(ep.request);
    const errors: string[] = [];
    if (!req?.body || req.body.kind === 'no_body') {
      if (body !== undefined) errors.push('endpoint takes no body');
    } else if (req.body.kind === 'properties') {
      this.checkProps(req.body.properties, body, '', errors, false);
    } else this.check(req.body.value, body, '', errors);
    return { endpoint: ep.name, errors };
  }

  private type(n: TypeName): TypeDef | undefined {
    return this.types.get(`${n.namespace}.${n.name}`);
  }

  /** Properties of an interface including inherited ones. */
  private allProps(def: TypeDef): { props: Prop[]; open: boolean } {
    let props = [...(def.properties ?? [])];
    let open = (def.behaviors ?? []).some((b) => /^AdditionalPropert/.test(b.type.name));
    if (def.inherits) {
      const parent = this.type(def.inherits.type);
      if (parent) {
        const p = this.allProps(parent);
        props = props.concat(p.props);
        open ||= p.open;
      }
    }
    return { props, open };
  }

  private checkProps(props: Prop[], value: unknown, path: string, errors: string[], open: boolean): void {
    if (!isObj(value)) {
      errors.push(`${path || '(body)'}: expected an object`);
      return;
    }
    const byName = new Map<string, Prop>();
    for (const p of props) {
      byName.set(p.name, p);
      for (const a of p.aliases ?? []) byName.set(a, p);
    }
    for (const [k, v] of Object.entries(value)) {
      const p = byName.get(k);
      if (!p) {
        if (!open) errors.push(`${path ? `${path}.` : ''}${k}: not a property in the specification`);
        continue;
      }
      this.check(p.type, v, path ? `${path}.${k}` : k, errors);
    }
    for (const p of props) {
      if (p.required && !(p.name in value) && !(p.aliases ?? []).some((a) => a in value)) {
        errors.push(`${path ? `${path}.` : ''}${p.name}: required`);
      }
    }
  }

  private check(ref: TypeRef, value: unknown, path: string, errors: string[], depth = 0): void {
    if (depth > 60) return;
    switch (ref.kind) {
      case 'user_defined_value':
        return;
      case 'literal_value':
        if (value !== ref.value) errors.push(`${path}: expected ${JSON.stringify(ref.value)}`);
        return;
      case 'array_of':
        if (!Array.isArray(value)) errors.push(`${path}: expected an array`);
        else
          value.forEach((v, i) => {
            this.check(ref.value, v, `${path}[${i}]`, errors, depth + 1);
          });
        return;
      case 'dictionary_of':
        if (!isObj(value)) errors.push(`${path}: expected an object (dictionary)`);
        else
          for (const [k, v] of Object.entries(value))
            this.check(ref.value, v, `${path}.${k}`, errors, depth + 1);
        return;
      case 'union_of': {
        const attempts = ref.items.map((item) => {
          const e: string[] = [];
          this.check(item, value, path, e, depth + 1);
          return e;
        });
        if (!attempts.some((e) => e.length === 0)) {
          // Report the closest alternative's problems.
          errors.push(...attempts.sort((a, b) => a.length - b.length)[0]!);
        }
        return;
      }
      case 'instance_of':
        this.checkInstance(ref.type, value, path, errors, depth);
        return;
    }
  }

  private checkInstance(n: TypeName, value: unknown, path: string, errors: string[], depth: number): void {
    if (n.namespace === '_builtins') {
      const want = n.name;
      const ok =
        want === 'string'
          ? typeof value === 'string'
          : want === 'boolean'
            ? typeof value === 'boolean'
            : want === 'number'
              ? typeof value === 'number'
              : want === 'null'
                ? value === null
                : true;
      if (!ok) errors.push(`${path}: expected ${want}, got ${JSON.stringify(value)}`);
      return;
    }
    const def = this.type(n);
    if (!def) return; // generic parameter or a type outside the spec: nothing to check against
    if (def.kind === 'enum') {
      if (def.isOpen) return;
      const names = (def.members ?? []).flatMap((m) => [m.name, ...(m.aliases ?? [])]);
      if (!names.includes(String(value)))
        errors.push(`${path}: ${JSON.stringify(value)} is not one of ${names.join('|')}`);
      return;
    }
    if (def.kind === 'type_alias' && def.type) {
      // Internally tagged unions (mapping properties: tag "type") pick the variant by the tag's value.
      if (
        def.variants?.kind === 'internal_tag' &&
        def.variants.tag &&
        def.type.kind === 'union_of' &&
        isObj(value)
      ) {
        const tag = def.variants.tag;
        const match = def.type.items.find((item) => {
          if (item.kind !== 'instance_of') return false;
          const t = this.type(item.type);
          const p = t && this.allProps(t).props.find((x) => x.name === tag);
          return p?.type.kind === 'literal_value' && p.type.value === (value[tag] ?? 'object');
        });
        if (match) {
          this.check(match, value, path, errors, depth + 1);
          return;
        }
        if (!def.variants.nonExhaustive)
          errors.push(`${path}.${tag}: ${JSON.stringify(value[tag])} is not a known variant`);
        return;
      }
      this.check(def.type, value, path, errors, depth + 1);
      return;
    }
    if (def.kind === 'interface') {
      if (!isObj(value)) {
        if (def.shortcutProperty) return; // e.g. a query given as a bare string
        errors.push(`${path}: expected an object (${n.name})`);
        return;
      }
      const { props, open } = this.allProps(def);
      if (def.variants?.kind === 'container') {
        // A container (processor, query, action…) holds exactly one variant key plus shared container keys.
        this.checkProps(props, value, path, errors, open || Boolean(def.variants.nonExhaustive));
        return;
      }
      this.checkProps(props, value, path, errors, open);
    }
  }
}
