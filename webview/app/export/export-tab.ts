/**
 * The "Export" tab: choose targets, run the pre-check (TF.js lists every node it cannot convert before
 * anything is written), export a verified deployment bundle with progress and Cancel, and read the last
 * verification results, with the bundle's size per part as a bar chart.
 */
import type { ModelDescription } from '../../../server/protocol/api';
import {
  EXPORT_TARGETS,
  type ExportCheck,
  type ExportResult,
  type ExportStatus,
  type PrecheckResult,
} from '../../../server/protocol/export';
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
  explain: 'Explanation report (why it predicts what it does; computed on the reference CSV)',
};

/** Opt-in parts (not deployment targets): unticked until the user asks for them. */
const OPT_IN_TARGETS: readonly string[] = ['explain'];

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

/** Download the bundle as a zip, and read its README, for a finished export job. */
function downloadLinks(links: { zip: string; readme: string }, result: ExportResult): HTMLElement {
  const folder = result.outDir.split(/[\\/]/).pop() ?? 'bundle';
  return h('p', { className: 'export-downloads' }, [
    h('a', { attrs: { id: 'export-download-zip', href: links.zip, download: `${folder}.zip` } }, [`Download ${folder}.zip`]),
    ' · ',
    h('a', { attrs: { id: 'export-readme', href: links.readme, target: '_blank', rel: 'noopener' } }, ['Read its README']),
    ' (how to run, call and deploy it).',
  ]);
}

function resultView(result: ExportResult, links: { zip: string; readme: string } | null): HTMLElement {
  const bytes = result.manifest.files.reduce((a, f) => a + f.bytes, 0);
  const failed = result.checks.filter((c) => c.status === 'fail').length;
  return h('div', { className: 'export-result' }, [
    h('p', { className: result.ok ? 'export-ok' : 'export-failed', attrs: { role: 'status' } }, [
      result.ok ? 'Every check passed. ' : `${failed} check(s) failed. `,
      `Bundle: ${result.outDir} — ${result.manifest.files.length} files, ${formatBytes(bytes)}, ` +
        `${(result.manifest.timings.totalMs / 1000).toFixed(1)} s`,
      result.manifest.model.variant ? ` (variant ${result.manifest.model.variant})` : '',
    ]),
    links ? downloadLinks(links, result) : null,
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
        attrs: { type: 'checkbox', id: `export-target-${t}`, checked: !OPT_IN_TARGETS.includes(t), disabled: t === 'onnx' },
      }) as HTMLInputElement;
      boxes.set(t, box);
      return h('label', { className: 'export-target', attrs: { for: `export-target-${t}` } }, [box, ` ${TARGET_LABELS[t] ?? t}`]);
    }),
  ]);
  const variant = h('select', { attrs: { id: 'export-variant' } }, [
    h('option', { attrs: { value: '' } }, ['Original model']),
  ]) as HTMLSelectElement;
  const variantAbout = h('p', { className: 'muted small', attrs: { id: 'export-variant-about' } });
  variant.setAttribute('aria-describedby', 'export-variant-about');
  let offers: ExportStatus['variants'] = [];
  const describeVariant = (): void => {
    const offer = offers.find((o) => o.id === variant.value);
    variantAbout.textContent = offer
      ? `${offer.about}${offer.saved ? '' : ' Made from the original during the export (not saved beside the model yet).'}`
      : 'The model file as it is.';
  };
  variant.addEventListener('change', describeVariant);
  const showVariants = (status: ExportStatus): void => {
    const keep = variant.value || status.servedVariant || '';
    offers = status.variants;
    replaceChildren(variant, [
      h('option', { attrs: { value: '' } }, ['Original model']),
      ...offers.map((o) =>
        h('option', { attrs: { value: o.id } }, [
          `${o.label}${o.saved ? ' — saved' : ''}${o.id === status.servedVariant ? ' — served now' : ''}`,
        ]),
      ),
    ]);
    variant.value = offers.some((o) => o.id === keep) ? keep : '';
    describeVariant();
  };
  const folder = h('input', {
    attrs: { type: 'text', id: 'export-folder', placeholder: '<model>-<time>', 'aria-label': 'bundle folder name' },
  }) as HTMLInputElement;
  const force = h('input', { attrs: { type: 'checkbox', id: 'export-force' } }) as HTMLInputElement;
  const rootLine = h('p', { className: 'export-root' });
  const precheckButton = h('button', { className: 'secondary', attrs: { type: 'button', id: 'export-precheck' } }, ['Pre-check']);
  const exportButton = h('button', { attrs: { type: 'button', id: 'export-run' } }, ['Export bundle']);
  const cancelButton = h('button', { className: 'secondary', attrs: { type: 'button', id: 'export-cancel', disabled: true } }, ['Cancel']);
  const progress = h('progress', { attrs: { id: 'export-progress', max: 1, value: 0, hidden: true } }) as HTMLProgressElement;
  const message = h('p', { className: 'export-message', attrs: { id: 'export-message', 'aria-live': 'polite' } });
  const precheckArea = h('div', { attrs: { id: 'export-precheck-result' } });
  const resultArea = h('div', { attrs: { id: 'export-last-result' } });
  let running: AbortController | null = null;

  const selected = (): string[] => EXPORT_TARGETS.filter((t) => boxes.get(t)!.checked);
  const request = () => ({ targets: selected(), ...(variant.value ? { variant: variant.value } : {}) });
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
    // Disabled rather than hidden: the shared button style sets `display`, which would override `hidden`.
    cancelButton.toggleAttribute('disabled', !on);
    progress.hidden = !on;
  };

  precheckButton.addEventListener('click', () => void precheck());
  async function precheck(): Promise<void> {
    message.className = 'export-message';
    message.textContent = 'Checking what each target can export…';
    try {
      replaceChildren(precheckArea, [h('h4', {}, ['Pre-check']), precheckView(await api.precheck(request()))]);
      message.textContent = '';
    } catch (err) {
      showError(err);
    }
  }
  exportButton.addEventListener('click', () => void runExport());
  async function runExport(): Promise<void> {
    if (running) return;
    running = new AbortController();
    setRunning(true);
    message.className = 'export-message';
    message.textContent = 'Starting the export…';
    try {
      const { job, result } = await api.run(
        { ...request(), ...(folder.value.trim() ? { folder: folder.value.trim() } : {}), force: force.checked },
        (p) => {
          progress.max = p.total;
          progress.value = p.done;
          message.textContent = `${p.done}/${p.total} ${p.step}`;
        },
        running.signal,
      );
      message.textContent = '';
      replaceChildren(resultArea, [h('h4', {}, ['Last verification']), resultView(result, api.links(job))]);
    } catch (err) {
      showError(err);
    } finally {
      running = null;
      setRunning(false);
    }
  }
  cancelButton.addEventListener('click', () => running?.abort());

  const element = h('section', { className: 'export-tab', attrs: { 'aria-label': 'Export a deployment bundle' } }, [
    h('p', {}, [
      'Writes a folder an engineer can deploy — the model, a Node ' +
        'prediction server with its Dockerfile, Kubernetes, KServe ' +
        'and Triton files, a TF.js model, optionally the explanation report — and checks each part ' +
        'before handing it over.',
    ]),
    rootLine,
    targetList,
    h('div', { className: 'export-options' }, [
      h('label', { attrs: { for: 'export-variant' } }, ['Variant ']),
      variant,
      h('label', { attrs: { for: 'export-folder' } }, [' Folder ']),
      folder,
      h('label', { attrs: { for: 'export-force' } }, [force, ' Replace a non-empty folder']),
    ]),
    variantAbout,
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
        showVariants(s);
        if (s.last)
          replaceChildren(resultArea, [h('h4', {}, ['Last verification']), resultView(s.last, s.lastJob ? api.links(s.lastJob) : null)]);
      }, showError);
    },
  };
}
