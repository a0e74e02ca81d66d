/**
 * The one HTML escape for every page Model Lab writes (server pages, drift/export reports, the
 * extension's webviews). Escapes `'` too: several pages put text in single-quoted attributes or in
 * quoted shell snippets, where an unescaped `'` ends the value.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` safe as HTML element content and inside single- or double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
