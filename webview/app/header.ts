/**
 * The header: which model is serving (name, task, where its signature came from, inputs → outputs),
 * whether the live connection to the server is up, and notices from reloads and differential checks.
 */
import type { ModelDescription, ServerEvent } from '../../server/protocol/api';
import type { ConnectionStatus } from './client';
import { h, replaceChildren } from './dom';
import { formatNumber } from './format';

/** Where the names and types of the inputs came from, in words a user can check. */
const SOURCE_TEXT: Record<string, string> = {
  sidecar: 'inputs described by the .signature.json file',
  metadata: 'inputs described by the model file',
  csv: 'inputs named after the reference CSV columns',
  generated: 'input names made up (the model names none)',
};

/**
 * Where the signature came from: the inputs' origin in a few words on the chip (per-input phrases with
 * the names taken off and repeats merged: "inputs: named by the graph input"), every part in its title.
 * `source` (the first rule that named the features, "metadata" by default) only when origins are absent.
 */
function originChip(signature: ModelDescription['signature']): HTMLElement {
  const o = signature.origins;
  if (!o) return h('span', { className: 'chip' }, [SOURCE_TEXT[signature.source] ?? signature.source]);
  const phrases = [...new Set(o.features.split('; ').map((p) => p.replace(/^'[^']*'\s*(\(\d+\)\s*)?/, '')))];
  const lines = [
    `inputs: ${o.features}`,
    `task: from ${o.task}`,
    ...(o.classes ? [`class names: from ${o.classes}`] : []),
    ...(o.target ? [`target column '${signature.target ?? ''}': from ${o.target}`] : []),
  ];
  return h('span', { className: 'chip chip-origin', attrs: { title: lines.join('\n') } }, [`inputs: ${phrases.join('; ')}`]);
}

export interface Header {
  readonly element: HTMLElement;
  show(description: ModelDescription): void;
  setConnection(status: ConnectionStatus): void;
  /**
   * Shows what a server event means for the person looking at the form; `onDismiss` runs when they close
   * the notice. Which events deserve a notice is decided by the caller (notices.ts).
   */
  notify(event: ServerEvent, onDismiss?: () => void): void;
  /** A newer model is serving: warnings about an older one kept in memory no longer hold. */
  resolveWarnings(servingGeneration: number): void;
}

function tensorSummary(description: ModelDescription): string {
  const shape = (dims: (number | string | null)[]) => `[${dims.map((d) => d ?? '?').join(', ')}]`;
  const inputs = description.signature.inputs.map((b) => `${b.tensor} ${b.dtype}${shape(b.dims)}`).join(', ');
  const outputs = description.signature.outputs.map((o) => `${o.tensor} (${o.role})`).join(', ');
  return `${inputs} → ${outputs}`;
}

export function createHeader(): Header {
  const title = h('h1', { className: 'model-name' }, ['Model Lab']);
  const chips = h('div', { className: 'chips' });
  const summary = h('p', { className: 'tensor-summary muted' });
  const connection = h('span', { className: 'connection', attrs: { role: 'status', 'data-status': 'connecting' } }, ['Connecting…']);
  const notices = h('div', { className: 'notices', attrs: { 'aria-live': 'polite' } });
  const element = h('header', { className: 'app-header' }, [
    h('div', { className: 'header-row' }, [h('div', { className: 'title-block' }, [title, chips]), connection]),
    summary,
    notices,
  ]);

  function notice(kind: 'info' | 'warning' | 'error', text: string, onDismiss?: () => void, heldGeneration?: number): void {
    const dismiss = h(
      'button',
      { className: 'notice-dismiss', attrs: { type: 'button', 'aria-label': 'Close this notice', title: 'Close' } },
      ['×'],
    );
    const item = h('div', { className: `notice notice-${kind}`, attrs: { 'data-kind': kind, 'data-held-generation': heldGeneration } }, [
      h('span', {}, [text]),
      dismiss,
    ]);
    dismiss.addEventListener('click', () => {
      item.remove();
      onDismiss?.();
    });
    notices.prepend(item);
    while (notices.childElementCount > 3) notices.lastElementChild!.remove();
  }

  return {
    element,
    show(d) {
      replaceChildren(title, [d.info.name]);
      const featureCount = d.signature.features.length;
      replaceChildren(chips, [
        h('span', { className: 'chip chip-strong' }, [d.signature.task]),
        originChip(d.signature),
        featureCount ? h('span', { className: 'chip' }, [`${featureCount} feature${featureCount === 1 ? '' : 's'}`]) : null,
        d.generation > 1 ? h('span', { className: 'chip' }, [`reload ${d.generation - 1}`]) : null,
      ]);
      summary.textContent = tensorSummary(d);
      summary.title = d.signature.notes.join('\n');
    },
    setConnection(status) {
      connection.dataset.status = status;
      connection.textContent = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Disconnected';
      connection.title =
        status === 'live'
          ? 'Connected to the Model Lab server: when the model file changes, it is loaded again and you are told here'
          : 'Lost the live connection to the Model Lab server; it reconnects by itself. Predictions may still work.';
    },
    notify(event, onDismiss) {
      switch (event.type) {
        case 'model-loaded':
          if (event.generation > 1)
            notice(
              'info',
              `Model reloaded: its file changed and was loaded again (${Math.round(event.loadMs)} ms). ` +
                'The form was rebuilt; the values that still fit were kept.',
              onDismiss,
            );
          return;
        case 'model-reload-failed':
          notice(
            'warning',
            `Reload failed: the changed model file could not be loaded (${event.error}). ` +
              `The previous model (generation ${event.keptGeneration}) is still serving; fix the file and save it again to retry.`,
            onDismiss,
            event.keptGeneration,
          );
          return;
        case 'differential-check': {
          const agreement = event.agreement === null ? '' : `the same answer for ${formatNumber(event.agreement * 100)} % of them, `;
          notice(
            event.agreement !== null && event.agreement < 1 ? 'warning' : 'info',
            `New model compared with the previous one on ${event.rows} reference rows: ${agreement}` +
              `largest difference ${formatNumber(event.maxAbsDiff)} (in ${event.comparedOutputs.join(', ') || 'no output both share'}).`,
            onDismiss,
          );
          return;
        }
        case 'file-removed':
          notice('warning', event.message, onDismiss, event.keptGeneration);
          return;
        case 'error':
          notice('error', event.message, onDismiss);
      }
    },
    resolveWarnings(servingGeneration) {
      for (const item of Array.from(notices.querySelectorAll<HTMLElement>('[data-held-generation]'))) {
        if (Number(item.dataset.heldGeneration) < servingGeneration) item.remove();
      }
    },
  };
}
