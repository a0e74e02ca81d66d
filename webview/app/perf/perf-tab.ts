/**
 * The Performance tab: pick variants, run the comparison (progress bar, Cancel), then read the table,
 * the charts and the verdicts; "Save variant" writes `model.<variant>.onnx` beside the model and
 * "Serve this variant" serves it (saving it first when needed) as a new version of the same model, so
 * every URL keeps working. The comparison downloads as JSON or CSV. Plain native controls (the shared
 * stylesheet styles them alike in every tab); works with the keyboard alone; progress and results are
 * announced through live regions.
 */
import type { ModelDescription } from '../../../server/protocol/api';
import type { ComparisonReport } from '../../../server/protocol/perf-report';
import type { ServerClient } from '../client';
import { ServerError } from '../client';
import { h, replaceChildren } from '../dom';
import type { AppTab } from '../tabs';
import { createLoadTestSection } from './loadtest-section';
import { createPerfClient, type PerfInfo, type PerfJob } from './perf-client';
import { renderReport } from './perf-report';
import { servedNotice } from './perf-served';
import './perf.css';

/**
 * How long each variant is timed at each batch size: whichever limit comes first, runs or time. A fast
 * model reaches the run limit long before the time limit, so the labels name both.
 */
export const DURATIONS = [
  { label: 'Quick — up to 100 runs or 0.2 s per batch size', budgetMs: 200, iterations: 100 },
  { label: 'Standard — up to 300 runs or 1 s per batch size', budgetMs: 1000, iterations: 300 },
  { label: 'Thorough — up to 2,000 runs or 3 s per batch size', budgetMs: 3000, iterations: 2000 },
];

export function createPerfTab(client: ServerClient): AppTab {
  const perf = createPerfClient(client);
  // Load test and capacity & cost planner: their own section under the comparison (loadtest-section.ts).
  const loadtest = createLoadTestSection(client);
  const machine = h('p', { className: 'perf-machine muted small' });
  const variantsBox = h('fieldset', { className: 'perf-variants' }, [h('legend', {}, ['Variants to compare with the original'])]);
  const duration = h(
    'select',
    { attrs: { id: 'perf-duration', 'aria-describedby': 'perf-duration-about' } },
    DURATIONS.map((d, i) => h('option', { attrs: { value: String(i), selected: i === 1 } }, [d.label])),
  ) as HTMLSelectElement;
  const run = h('button', { attrs: { type: 'button', id: 'perf-run' }, on: { click: () => void start() } }, ['Run comparison']);
  const cancel = h(
    'button',
    { className: 'secondary', attrs: { type: 'button', id: 'perf-cancel', disabled: true }, on: { click: () => void stop() } },
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
    h('div', { className: 'perf-controls' }, [h('label', { attrs: { for: 'perf-duration' } }, ['Measurement']), duration, run, cancel]),
    h('p', { className: 'muted small', attrs: { id: 'perf-duration-about' } }, [
      'Each variant is timed at every batch size until it has made the ' +
        'runs or used the time, whichever comes first, after a short ' +
        'warm-up; a small model reaches the runs first, so the whole ' +
        'comparison can end well before the time shown.',
    ]),
    progress,
    message,
    results,
    loadtest.element,
  ]);

  let info: PerfInfo | null = null;
  let jobId: string | null = null;
  let report: ComparisonReport | null = null;
  const checkboxes = new Map<string, HTMLInputElement>();

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
      const id = `perf-variant-${v.id}`;
      const box = h('input', {
        attrs: { type: 'checkbox', id, 'data-variant': v.id, checked: next.defaults.includes(v.id) },
      }) as HTMLInputElement;
      checkboxes.set(v.id, box);
      variantsBox.append(
        h('div', { className: 'perf-variant' }, [
          h('label', { attrs: { for: id } }, [box, ` ${v.label}`]),
          h('span', { className: 'perf-variant-about' }, [v.about]),
        ]),
      );
    }
  }

  async function start(): Promise<void> {
    const chosen = [...checkboxes].filter(([, box]) => box.checked).map(([id]) => id);
    if (!chosen.length) {
      say('Tick at least one variant above, then click Run comparison.', true);
      return;
    }
    const d = DURATIONS[Number(duration.value)] ?? DURATIONS[1];
    try {
      const state = await perf.start({ variants: chosen, budgetMs: d.budgetMs, iterations: d.iterations });
      jobId = state.id;
      setRunning(true);
      say('');
      onProgress(state.progress);
      perf.follow(state.id, onProgress, finished);
    } catch (err) {
      say(`Could not start: ${(err as Error).message}`, true);
    }
  }

  function onProgress(p: { done: number; total: number; step: string }): void {
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    step.textContent = `${p.done}/${p.total} · ${p.step}`;
  }

  function downloads(id: string): HTMLElement {
    const link = (format: 'json' | 'csv', text: string) => {
      const url = new URL(`${client.origin}/api/perf/report/${encodeURIComponent(id)}`);
      url.searchParams.set('format', format);
      if (client.token) url.searchParams.set('token', client.token);
      return h('a', { className: 'perf-download', attrs: { href: url.href, download: '', 'data-format': format } }, [text]);
    };
    return h('p', { className: 'perf-downloads' }, [
      'Keep this comparison: ',
      link('json', 'Download JSON'),
      ' (every figure) · ',
      link('csv', 'Download CSV'),
      ' (one row per variant and batch size).',
    ]);
  }

  function finished(state: PerfJob): void {
    setRunning(false);
    if (state.status === 'cancelled') {
      say('Cancelled.');
      return;
    }
    const done = state.result;
    if (state.status === 'failed' || !done) {
      say(`The comparison failed: ${state.error?.message ?? 'no report'}`, true);
      return;
    }
    report = done;
    say('');
    results.dataset.state = 'report';
    replaceChildren(results, [
      downloads(state.id),
      renderReport(done, { save: (v) => void save(v, false), serve: (v) => void serve(v) }),
      done.variants.some((v) => v.id.startsWith('int8-weights'))
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
          `${err.message}. Click Replace it to write this comparison's ${variant} over it, or keep the saved file.`,
          true,
          h(
            'button',
            {
              className: 'secondary',
              attrs: { type: 'button', 'data-action': 'overwrite' },
              on: { click: () => void save(variant, true) },
            },
            ['Replace it'],
          ),
        );
      } else {
        say(`Could not save: ${(err as Error).message}`, true);
      }
    }
  }

  async function serve(variant: string): Promise<void> {
    try {
      const served = await perf.serve(variant, jobId);
      replaceChildren(message, [servedNotice(served, report, client.origin)]);
    } catch (err) {
      say(`Could not serve it: ${(err as Error).message}`, true);
    }
  }

  return {
    id: 'perf',
    title: 'Performance',
    element,
    update(_description: ModelDescription) {
      loadtest.update();
      if (info) return;
      perf.info().then(showInfo, (err: Error) => say(`Performance lab unavailable: ${err.message}`, true));
    },
  };
}
