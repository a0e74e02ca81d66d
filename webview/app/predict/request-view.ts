/**
 * The exact request the form sent, as OIP JSON and as a curl command, each with a Copy button, so a
 * prediction tried in the form can be replayed from a terminal or another program.
 */
import type { OipInferRequest } from '../../../server/protocol/api';
import { copyText } from './copy';
import { h, replaceChildren } from '../dom';
import { prettyJson, truncateForDisplay } from '../format';
import { curlCommand } from './inference';

export interface RequestView {
  readonly element: HTMLElement;
  show(request: OipInferRequest, origin: string, inferPath: string, token?: string): void;
}

function codeBlock(title: string, testId: string): { element: HTMLElement; set(text: string): void } {
  const pre = h('pre', { className: 'code', attrs: { tabindex: 0, 'data-testid': testId, 'aria-label': title } });
  const status = h('span', { className: 'copy-status muted small', attrs: { 'aria-live': 'polite' } });
  let full = '';
  const button = h(
    'vscode-button',
    {
      attrs: { appearance: 'secondary', 'aria-label': `Copy ${title}` },
      on: {
        click: () => {
          void copyText(full, pre).then((how) => {
            status.textContent = how === 'copied' ? 'Copied' : 'Selected — press Ctrl+C';
            setTimeout(() => {
              status.textContent = '';
            }, 2500);
          });
        },
      },
    },
    ['Copy'],
  );
  const element = h('div', { className: 'code-block' }, [
    h('div', { className: 'code-block-header' }, [h('h3', {}, [title]), status, button]),
    pre,
  ]);
  return {
    element,
    set(text) {
      full = text;
      pre.textContent = truncateForDisplay(text);
    },
  };
}

export function createRequestView(): RequestView {
  const json = codeBlock('OIP request JSON', 'request-json');
  const curl = codeBlock('curl', 'request-curl');
  const body = h('div', { className: 'request-body' }, [
    h('p', { className: 'muted' }, ['The request appears here after the first prediction.']),
  ]);
  const element = h('section', { className: 'card request', attrs: { 'aria-labelledby': 'request-title' } }, [
    h('h2', { attrs: { id: 'request-title' } }, ['Request']),
    body,
  ]);
  return {
    element,
    show(request, origin, inferPath, token) {
      json.set(prettyJson(request));
      curl.set(curlCommand(origin, inferPath, request, token));
      replaceChildren(body, [json.element, curl.element]);
    },
  };
}
