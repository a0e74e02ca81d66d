/**
 * Theme: inside VS Code the webview already defines every `--vscode-*` variable and tags <body> with a
 * `vscode-light|dark|high-contrast` class. In a plain browser neither exists, so we tag <body> with a
 * fallback class whose CSS (styles.css) defines the same variables, following `prefers-color-scheme`.
 *
 * Must run before the window `load` event: the toolkit reads the variables from <body> then, and again
 * whenever <body>'s class changes (which is how a colour-scheme switch reaches the components).
 */

export type ThemeKind = 'vscode' | 'light' | 'dark';

export function isInsideVsCode(doc: Document = document): boolean {
  const bodyHasVsCodeClass = Array.from(doc.body.classList).some((c) => c.startsWith('vscode-'));
  const rootHasVariables = getComputedStyle(doc.documentElement).getPropertyValue('--vscode-font-family').trim() !== '';
  return bodyHasVsCodeClass || rootHasVariables;
}

/** Applies the fallback theme when outside VS Code and keeps it in step with the OS colour scheme. */
export function applyFallbackTheme(doc: Document = document): ThemeKind {
  if (isInsideVsCode(doc)) return 'vscode';
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = (): ThemeKind => {
    const kind: ThemeKind = query.matches ? 'dark' : 'light';
    doc.body.classList.add('ml-fallback-theme');
    doc.body.classList.toggle('ml-theme-dark', kind === 'dark');
    doc.body.classList.toggle('ml-theme-light', kind === 'light');
    doc.documentElement.style.colorScheme = kind;
    return kind;
  };
  query.addEventListener('change', apply);
  return apply();
}
