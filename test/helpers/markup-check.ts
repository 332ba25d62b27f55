// Small structural checks on generated SVG/HTML strings (no DOM in node): tags balance, attributes quoted.
const VOID = new Set(['meta', 'input', 'br', 'img', 'link', 'hr', 'col', 'source', 'wbr']);

/** Throws when open/close tags do not nest (self-closing and HTML void elements allowed). */
export function assertTagsBalanced(markup: string): void {
  // Script/style bodies are opaque text; drop them before scanning.
  const text = markup.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, '').replace(/<!doctype[^>]*>/i, '');
  const stack: string[] = [];
  for (const m of text.matchAll(
    /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:=(?:"[^"]*"|'[^']*'))?)*)\s*(\/?)>/g,
  )) {
    const [, closing, name, , selfClosing] = m;
    const tag = name!.toLowerCase();
    if (selfClosing || VOID.has(tag)) continue;
    if (closing) {
      const top = stack.pop();
      if (top !== tag) throw new Error(`</${tag}> closes <${top}> at ${m.index}`);
    } else stack.push(tag);
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(' > ')}`);
  const stray = /<(?![a-zA-Z/!])/.exec(text);
  if (stray) throw new Error(`bare '<' at ${stray.index}: ${text.slice(stray.index, stray.index + 40)}`);
}

/** Values of `attr` on every element matching the tag and a marker substring. */
export function attrValues(markup: string, tag: string, marker: string, attr: string): string[] {
  const out: string[] = [];
  for (const m of markup.matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'g'))) {
    if (!m[0].includes(marker)) continue;
    const a = new RegExp(`\\s${attr}="([^"]*)"`).exec(m[0]);
    if (a) out.push(a[1]!);
  }
  return out;
}
