/**
 * A tiny element builder: the UI is small enough that plain DOM calls read better than a framework.
 * Never uses innerHTML with data, so model names, CSV values and server messages cannot inject markup.
 */

export type Child = Node | string | number | null | undefined | false;

export interface ElementOptions {
  /** Space-separated class names. */
  className?: string;
  /** Attributes; `false`/`undefined` leave the attribute out, `true` sets it empty. */
  attrs?: Record<string, string | number | boolean | undefined>;
  /** Event listeners by event name. */
  on?: Record<string, (event: Event) => void>;
}

/** Creates an element (HTML or custom element such as `vscode-button`) with attributes, listeners and children. */
export function h(tag: string, options: ElementOptions = {}, children: Child[] = []): HTMLElement {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [name, listener] of Object.entries(options.on ?? {})) element.addEventListener(name, listener);
  append(element, children);
  return element;
}

/** Appends children, turning strings and numbers into text nodes and skipping empty ones. */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let idCounter = 0;
/** A document-unique id for tying labels and descriptions to fields. */
export function uniqueId(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** Id-safe form of a feature name (feature names may contain spaces, dots or brackets). */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '_');
}
