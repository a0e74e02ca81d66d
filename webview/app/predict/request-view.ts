/**
 * The exact request the form sent and the raw response the server gave, side by side as OIP JSON, plus
 * the request as a curl command and as Python `requests` code, each with a Copy button, so a prediction
 * tried in the form can be replayed from a terminal, a notebook or another program.
 */
import type { OipInferRequest, OipInferResponse } from '../../../server/protocol/api';
import { copyText } from './copy';
import { h, replaceChildren } from '../dom';
import { prettyJson, truncateForDisplay } from '../format';
import { curlCommand, pythonSnippet } from './inference';

export interface RequestView {
  readonly element: HTMLElement;
  show(request: OipInferRequest, origin: string, inferPath: string, token?: string): void;
  /** The server's answer to the request shown, as it came (or the error text when there was none). */
  showResponse(response: OipInferResponse | string): void;
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
  const response = codeBlock('Response JSON', 'response-json');
  const curl = codeBlock('curl', 'request-curl');
  const python = codeBlock('Python (requests)', 'request-python');
  const body = h('div', { className: 'request-body' }, [
    h('p', { className: 'muted' }, ['The request and the response appear here after the first prediction.']),
  ]);
  const element = h('section', { className: 'card request', attrs: { 'aria-labelledby': 'request-title' } }, [
    h('h2', { attrs: { id: 'request-title' } }, ['Request and response']),
    body,
  ]);
  return {
    element,
    show(request, origin, inferPath, token) {
      json.set(prettyJson(request));
      response.set('Waiting for the answer…');
      curl.set(curlCommand(origin, inferPath, request, token));
      python.set(pythonSnippet(origin, inferPath, request, token));
      replaceChildren(body, [h('div', { className: 'request-pair' }, [json.element, response.element]), curl.element, python.element]);
    },
    showResponse(answer) {
      response.set(typeof answer === 'string' ? answer : prettyJson(answer));
    },
  };
}
