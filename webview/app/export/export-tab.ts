/**
 * The "Export" tab: choose targets, run the pre-check (TF.js lists every node it cannot convert before
 * anything is written), export a verified deployment bundle with progress and Cancel, and read the last
 * verification results, with the bundle's size per part as a bar chart.
 */
import type { ModelDescription } from '../../../server/protocol/api';
import { EXPORT_TARGETS, type ExportCheck, type ExportResult, type PrecheckResult } from '../../../server/protocol/export';
import type { ServerClient } from '../client';
import { h, replaceChildren } from '../dom';
import type { AppTab } from '../tabs';
import { createExportClient, ExportCallError } from './export-client';
import './export.css';

const TARGET_LABELS: Record<string, string> = {
  onnx: 'ONNX model + signature (always)',
  docker: 'Server + Dockerfile',
  k8s: 'Kubernetes',
  kserve: 'KServe',
  triton: 'Triton repository',
  tfjs: 'TF.js graph model',
};

function formatBytes(n: number): string {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KB` : `${n} B`;
}

/** Bytes per top-level part of the bundle (model/, server/, tfjs/ …), largest first. */
function sizeByPart(result: ExportResult): [string, number][] {
  const parts = new Map<string, number>();
  for (const f of result.manifest.files) {
    const part = f.path.includes('/') ? `${f.path.split('/')[0]}/` : f.path;
    parts.set(part, (parts.get(part) ?? 0) + f.bytes);
  }
  return [...parts.entries()].sort((a, b) => b[1] - a[1]);
}

function sizeChart(result: ExportResult): HTMLElement {
  const parts = sizeByPart(result);
  const max = Math.max(1, ...parts.map(([, b]) => b));
  return h(
    'div',
    { className: 'bar-chart export-sizes', attrs: { role: 'img', 'aria-label': 'bundle size by part' } },
    parts.flatMap(([part, bytes]) => {
      const fill = h('span', { className: 'bar-fill' });
      fill.style.width = `${Math.max(0.5, (100 * bytes) / max)}%`;
      return [
        h('div', { className: 'bar-row' }, [
          h('span', { className: 'bar-label' }, [part]),
          h('span', { className: 'bar-track' }, [fill]),
          h('span', { className: 'bar-value' }, [formatBytes(bytes)]),
        ]),
      ];
    }),
  );
}

function checksTable(checks: ExportCheck[]): HTMLElement {
  return h('table', { className: 'export-checks' }, [
    h('thead', {}, [
      h(
        'tr',
        {},
        ['target', 'check', 'result', 'detail'].map((t) => h('th', { attrs: { scope: 'col' } }, [t])),
      ),
    ]),
    h(
      'tbody',
      {},
      checks.map((c) =>
        h('tr', { className: `check-${c.status}` }, [
          h('td', {}, [c.target]),
          h('td', {}, [c.name]),
          h('td', {}, [
            h('span', { className: `check-badge check-badge-${c.status}` }, [
              c.status === 'pass' ? 'pass' : c.status === 'fail' ? 'FAIL' : 'skipped',
            ]),
          ]),
          h('td', {}, [c.detail]),
        ]),
      ),
    ),
  ]);
}

function precheckView(result: PrecheckResult): HTMLElement {
  return h(
    'ul',
    { className: 'export-precheck' },
    result.targets.map((t) =>
      h('li', { className: t.ok ? 'precheck-ok' : 'precheck-blocked' }, [
        h('strong', {}, [`${t.target}: `]),
        t.ok ? 'can be exported' : t.problems.join('; '),
        t.unsupportedNodes?.length
          ? h('table', { className: 'export-nodes' }, [
              h('thead', {}, [
                h(
                  'tr',
                  {},
                  ['node', 'op', 'why'].map((x) => h('th', { attrs: { scope: 'col' } }, [x])),
                ),
              ]),
              h(
                'tbody',
                {},
                t.unsupportedNodes.map((n) => h('tr', {}, [h('td', {}, [n.node]), h('td', {}, [n.opType]), h('td', {}, [n.reason])])),
              ),
            ])
          : null,
      ]),
    ),
  );
}

function resultView(result: ExportResult): HTMLElement {
  const bytes = result.manifest.files.reduce((a, f) => a + f.bytes, 0);
  const failed = result.checks.filter((c) => c.status === 'fail').length;
  return h('div', { className: 'export-result' }, [
    h('p', { className: result.ok ? 'export-ok' : 'export-failed', attrs: { role: 'status' } }, [
      result.ok ? 'Every check passed. ' : `${failed} check(s) failed. `,
      `Bundle: ${result.outDir} — ${result.manifest.files.length} files, ${formatBytes(bytes)}, ` +
        `${(result.manifest.timings.totalMs / 1000).toFixed(1)} s`,
      result.manifest.model.variant ? ` (variant ${result.manifest.model.variant})` : '',
    ]),
    checksTable(result.checks),
    h('h4', {}, ['Bundle size by part']),
    sizeChart(result),
  ]);
}

export function createExportTab(server: ServerClient): AppTab {
  const api = createExportClient(server);
  const boxes = new Map<string, HTMLInputElement>();
  const targetList = h('fieldset', { className: 'export-targets' }, [
    h('legend', {}, ['Targets']),
    ...EXPORT_TARGETS.map((t) => {
      const box = h('input', {
        attrs: { type: 'checkbox', id: `export-target-${t}`, checked: true, disabled: t === 'onnx' },
      }) as HTMLInputElement;
      boxes.set(t, box);
      return h('label', { className: 'export-target', attrs: { for: `export-target-${t}` } }, [box, ` ${TARGET_LABELS[t] ?? t}`]);
    }),
  ]);
  const variant = h('input', {
    attrs: { type: 'text', id: 'export-variant', placeholder: 'original', 'aria-label': 'compressed variant (optional)' },
  }) as HTMLInputElement;
  const folder = h('input', {
    attrs: { type: 'text', id: 'export-folder', placeholder: '<model>-<time>', 'aria-label': 'bundle folder name' },
  }) as HTMLInputElement;
  const force = h('input', { attrs: { type: 'checkbox', id: 'export-force' } }) as HTMLInputElement;
  const rootLine = h('p', { className: 'export-root' });
  const precheckButton = h('vscode-button', { attrs: { id: 'export-precheck', appearance: 'secondary' } }, ['Pre-check']);
  const exportButton = h('vscode-button', { attrs: { id: 'export-run' } }, ['Export bundle']);
  const cancelButton = h('vscode-button', { attrs: { id: 'export-cancel', appearance: 'secondary', hidden: true } }, ['Cancel']);
  const progress = h('progress', { attrs: { id: 'export-progress', max: 1, value: 0, hidden: true } }) as HTMLProgressElement;
  const message = h('p', { className: 'export-message', attrs: { id: 'export-message', 'aria-live': 'polite' } });
  const precheckArea = h('div', { attrs: { id: 'export-precheck-result' } });
  const resultArea = h('div', { attrs: { id: 'export-last-result' } });
  let running: AbortController | null = null;

  const selected = (): string[] => EXPORT_TARGETS.filter((t) => boxes.get(t)!.checked);
  const request = () => ({ targets: selected(), ...(variant.value.trim() ? { variant: variant.value.trim() } : {}) });
  const showError = (err: unknown): void => {
    message.className = 'export-message export-error';
    message.textContent = (err as Error).message;
    if (err instanceof ExportCallError && err.unavailable) {
      message.textContent =
        'Exporting is available from the Model Lab dev server (model-lab serve or VS Code), not from a deployed bundle.';
    }
  };
  const setRunning = (on: boolean): void => {
    for (const b of [precheckButton, exportButton]) b.toggleAttribute('disabled', on);
    cancelButton.hidden = !on;
    progress.hidden = !on;
  };

  precheckButton.addEventListener('click', async () => {
    message.className = 'export-message';
    message.textContent = 'Checking what each target can export…';
    try {
      replaceChildren(precheckArea, [h('h4', {}, ['Pre-check']), precheckView(await api.precheck(request()))]);
      message.textContent = '';
    } catch (err) {
      showError(err);
    }
  });
  exportButton.addEventListener('click', async () => {
    if (running) return;
    running = new AbortController();
    setRunning(true);
    message.className = 'export-message';
    message.textContent = 'Starting the export…';
    try {
      const result = await api.run(
        { ...request(), ...(folder.value.trim() ? { folder: folder.value.trim() } : {}), force: force.checked },
        (p) => {
          progress.max = p.total;
          progress.value = p.done;
          message.textContent = `${p.done}/${p.total} ${p.step}`;
        },
        running.signal,
      );
      message.textContent = '';
      replaceChildren(resultArea, [h('h4', {}, ['Last verification']), resultView(result)]);
    } catch (err) {
      showError(err);
    } finally {
      running = null;
      setRunning(false);
    }
  });
  cancelButton.addEventListener('click', () => running?.abort());

  const element = h('section', { className: 'export-tab', attrs: { 'aria-label': 'Export a deployment bundle' } }, [
    h('p', {}, [
      'Writes a folder an engineer can deploy — the model, a Node ' +
        'prediction server with its Dockerfile, Kubernetes, KServe ' +
        'and Triton files, a TF.js model — and checks each part ' +
        'before handing it over.',
    ]),
    rootLine,
    targetList,
    h('div', { className: 'export-options' }, [
      h('label', { attrs: { for: 'export-variant' } }, ['Variant ']),
      variant,
      h('label', { attrs: { for: 'export-folder' } }, [' Folder ']),
      folder,
      h('label', { attrs: { for: 'export-force' } }, [force, ' replace a non-empty folder']),
    ]),
    h('div', { className: 'export-actions' }, [precheckButton, exportButton, cancelButton, progress]),
    message,
    precheckArea,
    resultArea,
  ]);

  return {
    id: 'export',
    title: 'Export',
    element,
    update(_description: ModelDescription) {
      api.status().then((s) => {
        rootLine.textContent = `Bundles are written under ${s.exportRoot}`;
        if (s.last) replaceChildren(resultArea, [h('h4', {}, ['Last verification']), resultView(s.last)]);
      }, showError);
    },
  };
}
