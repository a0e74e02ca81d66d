/**
 * The tab strip. Each feature of the UI is one {@link AppTab}; later engines (performance, drift,
 * export) add a tab by adding one module and listing it in `main.ts`, without touching the others.
 */
import type { ModelDescription } from '../../server/protocol/api';
import { h } from './dom';

export interface AppTab {
  /** Stable id, used for element ids (`tab-<id>`, `view-<id>`). */
  id: string;
  title: string;
  element: HTMLElement;
  /** Called with the first model description and again after every reload (with the one it replaces). */
  update(description: ModelDescription, previous?: ModelDescription): void;
  /** Keyboard shortcuts, delivered only while the tab is the active one. */
  onShortcut?(event: KeyboardEvent): void;
}

export function createTabStrip(tabs: AppTab[]): { element: HTMLElement; active(): AppTab | undefined; show(id: string): boolean } {
  const panels = h('vscode-panels', { className: 'tabs', attrs: { 'aria-label': 'Model Lab views' } }, [
    ...tabs.map((tab) => h('vscode-panel-tab', { attrs: { id: `tab-${tab.id}` } }, [tab.title])),
    // The toolkit lays a panel view out as a flex row; one wrapper keeps the tab's own layout intact.
    ...tabs.map((tab) =>
      h('vscode-panel-view', { attrs: { id: `view-${tab.id}` } }, [h('div', { className: 'tab-content' }, [tab.element])]),
    ),
  ]) as HTMLElement & { activeid?: string };
  return {
    element: panels,
    active: () => tabs.find((t) => `tab-${t.id}` === panels.activeid) ?? tabs[0],
    show(id) {
      if (!tabs.some((t) => t.id === id)) return false;
      panels.activeid = `tab-${id}`;
      return true;
    },
  };
}
