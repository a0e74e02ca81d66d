/**
 * The page's icon: a small SVG kept in code rather than in the built bundle, so the server has it even
 * when the UI was not built, and every host (plain browser, share link, path-based proxy) gets the same
 * one from `assets/favicon.svg` — a public path, like the rest of the UI's static files.
 *
 * A blue tile with a three-node graph: an ONNX model is a graph. No script, no external reference, so it
 * is safe to serve under the UI's strict CSP (`img-src 'self'`).
 */

/** File name under `/assets/` that serves {@link FAVICON_SVG}. */
export const FAVICON_FILE = 'favicon.svg';

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">
<rect width="32" height="32" rx="7" fill="#005fb8"/>
<g stroke="#ffffff" stroke-width="2.2" stroke-linecap="round"><path d="M10 10.5 22 16M10 21.5 22 16M10 10.5v11"/></g>
<g fill="#ffffff"><circle cx="10" cy="10.5" r="3.6"/><circle cx="10" cy="21.5" r="3.6"/><circle cx="22.5" cy="16" r="4.2"/></g>
</svg>
`;
