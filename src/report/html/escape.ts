// Text made inert for HTML: every string from a suite, a case, a label or a file name goes through here
// before it reaches the page, as element text or as an attribute value.

/** For element text and double-quoted attribute values: & < > " ' as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * An href that can only be a web page or a relative path: http(s) URLs pass (quotes, spaces and angle
 * brackets percent-encoded); anything else is taken as a relative path, prefixed with `./` so a file named
 * `javascript:…` is not read as a scheme.
 */
export function safeHref(url: string): string {
  const encoded = url.replace(/[\s"'<>\\`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  if (/^https?:\/\//i.test(encoded)) return encoded;
  return encoded.startsWith("./") || encoded.startsWith("../") ? encoded : `./${encoded.replace(/^\/+/, "")}`;
}
