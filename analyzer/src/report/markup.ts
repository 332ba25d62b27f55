// A tiny escaping-by-default HTML builder: every interpolated value is escaped unless it is already
// markup (built by `html` or wrapped with `raw`). Log text is attacker-controlled; forgetting an escape
// must take effort, not the other way round.
import { escapeXml } from './escape.ts';

export class Markup {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** Trusted markup (our own SVG charts, constants). Never pass log text here. */
export function raw(s: string): Markup {
  return new Markup(s);
}

type Value = Markup | string | number | boolean | null | undefined | readonly Value[];

function render(v: Value): string {
  if (v instanceof Markup) return v.html;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeXml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}
