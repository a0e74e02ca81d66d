/** The last predictions, newest first; choosing one puts its inputs back into the form. */
import type { HistoryEntry } from '../persisted-state';
import { h, replaceChildren } from '../dom';
import { formatMs } from '../format';

export const HISTORY_LIMIT = 10;

export interface HistoryView {
  readonly element: HTMLElement;
  render(entries: HistoryEntry[]): void;
}

export function createHistoryView(onRestore: (entry: HistoryEntry) => void): HistoryView {
  const list = h('ol', { className: 'history-list' });
  const element = h('section', { className: 'card history', attrs: { 'aria-labelledby': 'history-title' } }, [
    h('h2', { attrs: { id: 'history-title' } }, ['History']),
    list,
  ]);
  return {
    element,
    render(entries) {
      if (!entries.length) {
        replaceChildren(list, [h('li', { className: 'muted' }, ['No predictions yet.'])]);
        return;
      }
      replaceChildren(
        list,
        entries.map((entry) => {
          const time = new Date(entry.at).toLocaleTimeString();
          return h('li', {}, [
            h(
              'button',
              {
                className: 'history-item',
                attrs: {
                  type: 'button',
                  title: 'Restore these inputs',
                  'aria-label': `Restore inputs ${entry.inputsSummary}; result ${entry.outcome}`,
                },
                on: { click: () => onRestore(entry) },
              },
              [
                h('span', { className: 'history-inputs' }, [entry.inputsSummary]),
                h('span', { className: 'history-outcome' }, ['→ ', h('strong', {}, [entry.outcome])]),
                h('span', { className: 'history-meta muted' }, [`${formatMs(entry.latencyMs)} · ${time}`]),
              ],
            ),
          ]);
        }),
      );
    },
  };
}
