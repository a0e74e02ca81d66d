/**
 * The Performance tab: pick variants, run the comparison (progress bar, Cancel), then read the table,
 * the charts and the verdicts; "Save variant" writes `model.<variant>.onnx` beside the model and
 * "Serve this variant" switches the server to it. Works with the keyboard alone; progress and results
 * are announced through live regions.
 */
import type { ModelDescription } from '../../../server/protocol/api';
import type { ServerClient } from '../client';
import { ServerError } from '../client';
import { h, replaceChildren } from '../dom';
import type { AppTab } from '../tabs';
import { createPerfClient, type PerfInfo, type PerfJob } from './perf-client';
import { renderReport } from './perf-report';
import './perf.css';

/** Time per batch size, per variant: the knob between a quick look and stable numbers. */
const DURATIONS = [
  { label: 'Quick (0.2 s per batch size)', budgetMs: 200, iterations: 100 },
  { label: 'Standard (1 s per batch size)', budgetMs: 1000, iterations: 300 },
  { label: 'Thorough (3 s per batch size)', budgetMs: 3000, iterations: 2000 },
];

export function createPerfTab(client: ServerClient): AppTab {
  const perf = createPerfClient(client);
  const machine = h('p', { className: 'perf-machine muted small' });
  const variantsBox = h('fieldset', { className: 'perf-variants' }, [h('legend', {}, ['Variants to compare with the original'])]);
  const duration = h(
    'select',
    { attrs: { id: 'perf-duration', 'aria-label': 'Measurement time' } },
    DURATIONS.map((d, i) => h('option', { attrs: { value: String(i), selected: i === 1 } }, [d.label])),
  ) as HTMLSelectElement;
  const run = h('vscode-button', { attrs: { id: 'perf-run' }, on: { click: () => void start() } }, ['Run comparison']);
  const cancel = h(
    'vscode-button',
    { attrs: { id: 'perf-cancel', appearance: 'secondary', disabled: true }, on: { click: () => void stop() } },
    ['Cancel'],
  );
  const bar = h('progress', { attrs: { max: 1, value: 0, 'aria-label': 'Comparison progress' } }) as HTMLProgressElement;
  const step = h('span', { className: 'muted small', attrs: { 'aria-live': 'polite' } });
  const progress = h('div', { className: 'perf-progress', attrs: { hidden: true } }, [bar, step]);
  const message = h('div', { className: 'perf-message', attrs: { role: 'status', 'aria-live': 'polite' } });
  const results = h('section', { className: 'perf-results', attrs: { 'aria-label': 'Comparison results', 'data-state': 'empty' } });
  const element = h('div', { className: 'perf-tab' }, [
    h('p', {}, [
      'How fast is this model on this machine, and what would ' +
        'int8, fp16 or pruning change — in size, speed and agreement ' +
        'with the original on your data? Each variant is made in ' +
        'memory, loaded in onnxruntime and timed at batch sizes ' +
        '1, 8, 64 and 256.',
    ]),
    machine,
    variantsBox,
    h('div', { className: 'perf-controls' }, [duration, run, cancel]),
    progress,
    message,
    results,
  ]);

  let info: PerfInfo | null = null;
  let jobId: string | null = null;
  let stopFollowing: (() => void) | null = null;
  const checkboxes = new Map<string, HTMLElement & { checked?: boolean }>();

  const say = (text: string, error = false, extra: HTMLElement | null = null) => {
    replaceChildren(
      message,
      text
        ? [h('div', { className: error ? 'error-box' : 'muted', attrs: error ? { role: 'alert' } : {} }, [text, extra ? ' ' : null, extra])]
        : [],
    );
  };
  const setRunning = (running: boolean) => {
    run.toggleAttribute('disabled', running);
    cancel.toggleAttribute('disabled', !running);
    progress.hidden = !running;
  };

  function showInfo(next: PerfInfo): void {
    info = next;
    const f = next.machine.flags;
    const flags =
      [f.avx2 && 'AVX2', f.avx512f && 'AVX-512', f.avx512vnni && 'AVX-512 VNNI', f.avxvnni && 'AVX-VNNI', f.neonDotprod && 'ARM dotprod']
        .filter(Boolean)
        .join(', ') || 'none of AVX2/AVX-512/VNNI';
    replaceChildren(machine, [
      `${next.machine.cpuModel}, ${next.machine.logicalCores} logical cores; ${flags}. `,
      next.machine.int8Acceleration
        ? 'This CPU has int8 dot-product instructions: int8 can be faster.'
        : 'No VNNI/dotprod: expect int8 to save space more than time.',
    ]);
    replaceChildren(variantsBox, [h('legend', {}, ['Variants to compare with the original'])]);
    checkboxes.clear();
    for (const v of next.variants) {
      const box = h('vscode-checkbox', { attrs: { 'data-variant': v.id, checked: next.defaults.includes(v.id) } }, [
        v.label,
      ]) as HTMLElement & { checked?: boolean };
      checkboxes.set(v.id, box);
      variantsBox.append(h('div', {}, [box, h('span', { className: 'perf-variant-about' }, [v.about])]));
    }
  }

  async function start(): Promise<void> {
    const chosen = [...checkboxes].filter(([, box]) => box.checked ?? box.hasAttribute('checked')).map(([id]) => id);
    if (!chosen.length) {
      say('Pick at least one variant.', true);
      return;
    }
    const d = DURATIONS[Number(duration.value)] ?? DURATIONS[1];
    try {
      const state = await perf.start({ variants: chosen, budgetMs: d.budgetMs, iterations: d.iterations });
      jobId = state.id;
      setRunning(true);
      say('');
      onProgress(state.progress);
      stopFollowing = perf.follow(state.id, onProgress, finished);
    } catch (err) {
      say(`Could not start: ${(err as Error).message}`, true);
    }
  }

  function onProgress(p: { done: number; total: number; step: string }): void {
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    step.textContent = `${p.done}/${p.total} · ${p.step}`;
  }

  function finished(state: PerfJob): void {
    stopFollowing = null;
    setRunning(false);
    if (state.status === 'cancelled') {
      say('Cancelled.');
      return;
    }
    const report = state.result;
    if (state.status === 'failed' || !report) {
      say(`The comparison failed: ${state.error?.message ?? 'no report'}`, true);
      return;
    }
    say('');
    results.dataset.state = 'report';
    replaceChildren(results, [
      renderReport(report, { save: (v) => void save(v, false), serve: (v) => void serve(v) }),
      report.variants.some((v) => v.id.startsWith('int8-weights'))
        ? h('p', { className: 'muted small' }, [
            'int8-weights is loaded with the onnxruntime session option ' +
              "session.disable_quant_qdq=1 (saved in the file's metadata): " +
              'without it onnxruntime treats DequantizeLinear→MatMul as ' +
              'a quantised (QDQ) pattern and runs it several times slower ' +
              'than float32; with it, the weights are dequantised once ' +
              'at load time.',
          ])
        : null,
    ]);
  }

  async function stop(): Promise<void> {
    if (!jobId) return;
    try {
      await perf.cancel(jobId);
    } catch (err) {
      say(`Could not cancel: ${(err as Error).message}`, true);
    }
  }

  async function save(variant: string, overwrite: boolean): Promise<void> {
    if (!jobId) return;
    try {
      const saved = await perf.save(jobId, variant, overwrite);
      say(`Saved ${saved.path}${saved.sidecar ? ` (with its signature ${saved.sidecar})` : ''}.`);
    } catch (err) {
      if (err instanceof ServerError && err.status === 409) {
        say(
          (err as Error).message,
          true,
          h('vscode-button', { attrs: { 'data-action': 'overwrite' }, on: { click: () => void save(variant, true) } }, ['Replace it']),
        );
      } else {
        say(`Could not save: ${(err as Error).message}`, true);
      }
    }
  }

  async function serve(variant: string): Promise<void> {
    try {
      const served = await perf.serve(variant);
      say(`Now serving ${served.path} (generation ${served.generation}).`);
    } catch (err) {
      say(`Could not serve it: ${(err as Error).message}`, true);
    }
  }

  return {
    id: 'perf',
    title: 'Performance',
    element,
    update(_description: ModelDescription) {
      if (info) return;
      perf.info().then(showInfo, (err: Error) => say(`Performance lab unavailable: ${err.message}`, true));
    },
  };
}
