// Escaping for text that came from log lines (attacker-controlled) before it goes into markup.

/** Escape for HTML/XML text and double- or single-quoted attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * JSON safe inside <script type="application/json">: no `</script>` or `<!--` breakout (< > & escaped as
 * \uXXXX, which JSON.parse reads back unchanged) and U+2028/2029, which old JS parsers treat as newlines.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
