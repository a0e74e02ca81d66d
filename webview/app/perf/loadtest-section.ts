/**
 * The Performance tab's "Load test": how much traffic this model takes on this machine. A concurrency
 * sweep (editable list, 1…64 doubling by default) or a fixed request rate, seconds per step, rows per
 * request and a p99 target; Run starts the `loadtest` job (a generator in its own process), with progress
 * (step i of n, the last throughput) and Cancel. Results: the sustainable rate in words, charts of
 * throughput and p50/p99 latency against clients with the knee and errors marked, the steps in a table
 * under a details toggle, and the JSON report to download. The capacity & cost planner below it is fed
 * by the last test. Owner only: a share link's page has no Performance tab, and the server refuses the job.
 */
import type { JobProgress } from '../../../server/protocol/jobs';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_P99_TARGET_MS,
  DEFAULT_STEP_SECONDS,
  type LoadStep,
  type LoadTestReport,
  type LoadTestRequest,
} from '../../../server/protocol/loadtest';
import type { ServerClient } from '../client';
import { ServerError } from '../client';
import { h, replaceChildren } from '../dom';
import { createCapacitySection } from './capacity-section';
import { loadTestCharts, stepX } from './loadtest-chart';
import { createLoadTestClient, type LoadTestJob } from './loadtest-client';

const MAX_STEPS = 16;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${Number(n.toPrecision(3))} ms`;

/** The clients list as typed ("1, 2, 4" or "1 2 4"), or the reason it is not one. */
export function parseConcurrency(textValue: string): number[] | string {
  const parts = textValue.split(/[\s,;]+/).filter(Boolean);
  if (!parts.length) return 'Clients per step: type at least one number, e.g. 1, 2, 4, 8.';
  if (parts.length > MAX_STEPS) return `Clients per step: at most ${MAX_STEPS} steps, not ${parts.length}.`;
  const values: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 1024) return `Clients per step: '${p.slice(0, 12)}' is not a whole number from 1 to 1024.`;
    values.push(n);
  }
  return values;
}

function field(id: string, label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('div', { className: 'loadtest-field' }, [
    h('label', { attrs: { for: id } }, [label]),
    input,
    hint ? h('span', { className: 'muted small' }, [hint]) : null,
  ]);
}

const numberInput = (id: string, value: number, attrs: Record<string, string | number>) =>
  h('input', { attrs: { id, type: 'number', value, ...attrs } }) as HTMLInputElement;

function stepsTable(report: LoadTestReport): HTMLElement {
  const x = report.mode === 'rate' ? 'Offered req/s' : 'Clients';
  const row = (s: LoadStep, i: number) =>
    h(
      'tr',
      {
        attrs: {
          'data-step': i,
          class: [report.knee?.step === i ? 'loadtest-knee-row' : '', s.errors ? 'loadtest-error-row' : ''].join(' ').trim() || undefined,
        },
      },
      [
        h('td', {}, [String(stepX(s))]),
        h('td', {}, [int(s.throughput)]),
        h('td', {}, [int(s.rowsPerSecond)]),
        h('td', {}, [ms(s.p50Ms)]),
        h('td', {}, [ms(s.p90Ms)]),
        h('td', {}, [ms(s.p99Ms)]),
        h('td', {}, [ms(s.maxMs)]),
        h('td', { attrs: s.firstError ? { title: s.firstError } : {} }, [
          s.errors ? `${int(s.errors)} (${(100 * s.errorRate).toFixed(1)} %)` : '0',
        ]),
      ],
    );
  return h('details', { className: 'loadtest-steps' }, [
    h('summary', {}, [`Every step (${report.steps.length}), in a table`]),
    h('table', { className: 'loadtest-table' }, [
      h('thead', {}, [
        h(
          'tr',
          {},
          [x, 'req/s', 'rows/s', 'p50', 'p90', 'p99', 'max', 'errors'].map((t) => h('th', { attrs: { scope: 'col' } }, [t])),
        ),
      ]),
      h('tbody', {}, report.steps.map(row)),
    ]),
  ]);
}

/** What the figures say, in words: the sustainable rate first, then the knee, then the notes. */
function summary(report: LoadTestReport): HTMLElement {
  const at = (i: number) => {
    const x = stepX(report.steps[i]);
    return report.mode === 'rate' ? `${x} requests/s offered` : `${x} client${x === 1 ? '' : 's'}`;
  };
  const s = report.sustainable;
  const k = report.knee;
  return h('div', { className: 'loadtest-summary' }, [
    h('p', { className: 'loadtest-sustainable' }, [
      s
        ? `This machine sustains at most ${int(s.throughput)} requests/s (${int(s.rowsPerSecond)} predictions/s) ` +
          `with p99 within ${report.p99TargetMs} ms — at ${at(s.step)}, p99 ${ms(s.p99Ms)}.`
        : `No step kept p99 within ${report.p99TargetMs} ms without errors: raise the target or try fewer clients.`,
    ]),
    h('p', { className: 'loadtest-knee-text' }, [
      k
        ? `Knee: ${at(k.step)} (${int(k.throughput)} requests/s, p99 ${ms(k.p99Ms)}) — ${k.reason}.`
        : 'Knee: not reached — throughput still grew at the last step; add larger steps to find it.',
    ]),
    report.notes.length
      ? h(
          'ul',
          { className: 'loadtest-notes muted small' },
          report.notes.map((n) => h('li', {}, [n])),
        )
      : null,
  ]);
}

export function createLoadTestSection(client: ServerClient): { element: HTMLElement; update(): void } {
  const api = createLoadTestClient(client);
  const planner = createCapacitySection(api);

  const sweep = h('input', {
    attrs: { type: 'radio', name: 'loadtest-mode', id: 'loadtest-mode-sweep', value: 'sweep', checked: true },
  }) as HTMLInputElement;
  const fixed = h('input', {
    attrs: { type: 'radio', name: 'loadtest-mode', id: 'loadtest-mode-rate', value: 'rate' },
  }) as HTMLInputElement;
  const concurrency = h('input', {
    attrs: {
      id: 'loadtest-concurrency',
      type: 'text',
      value: DEFAULT_CONCURRENCY.join(', '),
      size: 24,
      'aria-describedby': 'loadtest-concurrency-hint',
    },
  }) as HTMLInputElement;
  const rate = numberInput('loadtest-rate', 200, { min: 1, max: 200000, step: 1, disabled: 'true' });
  const seconds = numberInput('loadtest-seconds', DEFAULT_STEP_SECONDS, { min: 0.5, max: 120, step: 0.5 });
  const rows = numberInput('loadtest-rows', 1, { min: 1, max: 1024, step: 1 });
  const p99 = numberInput('loadtest-p99', DEFAULT_P99_TARGET_MS, { min: 0.1, max: 600000, step: 'any' });
  const syncMode = () => {
    concurrency.disabled = fixed.checked;
    rate.disabled = !fixed.checked;
  };
  sweep.addEventListener('change', syncMode);
  fixed.addEventListener('change', syncMode);

  const run = h('button', { attrs: { type: 'button', id: 'loadtest-run' }, on: { click: () => void start() } }, ['Run load test']);
  const cancel = h(
    'button',
    { className: 'secondary', attrs: { type: 'button', id: 'loadtest-cancel', disabled: true }, on: { click: () => void stop() } },
    ['Cancel'],
  );
  const bar = h('progress', { attrs: { max: 1, value: 0, 'aria-label': 'Load test progress' } }) as HTMLProgressElement;
  const stepText = h('span', { className: 'muted small loadtest-step', attrs: { 'aria-live': 'polite' } });
  const progress = h('div', { className: 'perf-progress loadtest-progress', attrs: { hidden: true } }, [bar, stepText]);
  const message = h('div', { className: 'loadtest-message', attrs: { role: 'status', 'aria-live': 'polite' } });
  const results = h('section', { className: 'loadtest-results', attrs: { 'aria-label': 'Load test results', 'data-state': 'empty' } });

  const element = h('section', { className: 'loadtest', attrs: { 'aria-labelledby': 'loadtest-title' } }, [
    h('h2', { attrs: { id: 'loadtest-title' } }, ['Load test']),
    h('p', {}, [
      'How much traffic can this model take on this machine? The load test sends rows of the reference CSV to this ' +
        "server's OIP infer route from a load generator in its own process — each step for a few seconds with more " +
        'clients (or at a fixed rate) — and finds where more load stops buying throughput (the knee) and the most ' +
        'requests per second whose p99 latency stays within your target.',
    ]),
    h('p', { className: 'loadtest-caveat muted small' }, [
      'The figures come from this machine, and the load generator shares its cores with the server, so they are a ' +
        'lower bound for the server alone; they scale to other machines by core count only approximately. ' +
        'The load test is the owner’s: it runs only from the page opened with the owner key, not from a share link.',
    ]),
    h('fieldset', { className: 'loadtest-form' }, [
      h('legend', {}, ['Load']),
      h('div', { className: 'loadtest-modes' }, [
        h('label', { attrs: { for: 'loadtest-mode-sweep' } }, [sweep, ' Concurrency sweep']),
        h('label', { attrs: { for: 'loadtest-mode-rate' } }, [fixed, ' Fixed rate']),
      ]),
      h('div', { className: 'loadtest-fields' }, [
        field('loadtest-concurrency', 'Clients per step', concurrency),
        field('loadtest-rate', 'Requests per second', rate),
        field('loadtest-seconds', 'Seconds per step', seconds),
        field('loadtest-rows', 'Rows per request', rows),
        field('loadtest-p99', 'p99 target (ms)', p99),
      ]),
      h('p', { className: 'muted small', attrs: { id: 'loadtest-concurrency-hint' } }, [
        'Clients per step: up to 16 numbers, e.g. 1, 2, 4, 8 — each client sends its next request when the answer came. ' +
          'The sweep stops early once p99 is over 4× the target.',
      ]),
    ]),
    h('div', { className: 'perf-controls' }, [run, cancel]),
    progress,
    message,
    results,
    planner.element,
  ]);

  let jobId: string | null = null;
  const say = (textValue: string, error = false) =>
    replaceChildren(
      message,
      textValue ? [h('div', { className: error ? 'error-box' : 'muted', attrs: error ? { role: 'alert' } : {} }, [textValue])] : [],
    );
  const setRunning = (running: boolean) => {
    run.toggleAttribute('disabled', running);
    cancel.toggleAttribute('disabled', !running);
    progress.hidden = !running;
  };

  function request(): LoadTestRequest | string {
    const stepSeconds = Number(seconds.value);
    if (!(stepSeconds >= 0.5 && stepSeconds <= 120)) return 'Seconds per step: a number from 0.5 to 120.';
    const rowsPerRequest = Number(rows.value);
    if (!Number.isInteger(rowsPerRequest) || rowsPerRequest < 1 || rowsPerRequest > 1024)
      return 'Rows per request: a whole number from 1 to 1024.';
    const p99TargetMs = Number(p99.value);
    if (!(p99TargetMs > 0 && p99TargetMs <= 600_000)) return 'p99 target: a number of milliseconds above 0.';
    // No URL: the server loads itself at its own loopback port (the page may come through a proxy).
    const common = { stepSeconds, rowsPerRequest, p99TargetMs };
    if (fixed.checked) {
      const r = Number(rate.value);
      if (!(r > 0 && r <= 200_000)) return 'Requests per second: a number from 1 to 200,000.';
      return { ...common, rate: r };
    }
    const list = parseConcurrency(concurrency.value);
    return typeof list === 'string' ? list : { ...common, concurrency: list };
  }

  async function start(): Promise<void> {
    const r = request();
    if (typeof r === 'string') {
      say(r, true);
      return;
    }
    try {
      const state = await api.start(r);
      jobId = state.id;
      // The previous run's charts would read as this run's: they go when it starts.
      results.dataset.state = 'running';
      replaceChildren(results, []);
      setRunning(true);
      say('');
      onProgress(state.progress);
      api.follow(state.id, onProgress, finished);
    } catch (err) {
      if (err instanceof ServerError && (err.status === 401 || err.status === 403)) {
        say(
          'The load test is the owner’s: open the page with the owner key (the address `model-lab serve` printed), not a share link.',
          true,
        );
      } else {
        say(`Could not start the load test: ${(err as Error).message}`, true);
      }
    }
  }

  function onProgress(p: JobProgress): void {
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    const last = p.detail?.last as LoadStep | undefined;
    // After a step its line already names the throughput; add its p99 (and failures) to it.
    const now = last ? `, p99 ${ms(last.p99Ms)}${last.errors ? `, ${int(last.errors)} failed` : ''}` : '';
    stepText.textContent = `Step ${Math.min(p.done + (p.done < p.total && !last ? 1 : 0), p.total)} of ${p.total} · ${p.step}${now}`;
  }

  function finished(state: LoadTestJob): void {
    setRunning(false);
    results.dataset.state = 'empty';
    if (state.status === 'cancelled') {
      say('Load test cancelled.');
      return;
    }
    const report = state.result;
    if (state.status === 'failed' || !report) {
      say(`The load test failed: ${state.error?.message ?? 'no report'}`, true);
      return;
    }
    say('');
    results.dataset.state = 'report';
    replaceChildren(results, [
      summary(report),
      h('p', { className: 'muted small' }, [
        `Measured on ${report.machine.cpu}, ${report.machine.cores} cores (server and generator together), ` +
          `${report.stepSeconds} s per step, ${report.target.rowsPerRequest} row(s) per request.`,
      ]),
      loadTestCharts(report),
      stepsTable(report),
      h('p', { className: 'loadtest-downloads' }, [
        'Keep this load test: ',
        h('a', { className: 'loadtest-download', attrs: { href: api.reportUrl(state.id), download: '', 'data-format': 'json' } }, [
          'Download the JSON report',
        ]),
        '.',
      ]),
    ]);
    planner.useReport(state.id, report);
  }

  async function stop(): Promise<void> {
    if (!jobId) return;
    try {
      await api.cancel(jobId);
    } catch (err) {
      say(`Could not cancel: ${(err as Error).message}`, true);
    }
  }

  let shown = false;
  return {
    element,
    update() {
      // The saved plan is read once, when the tab first has a model (not while the page is still loading).
      if (shown) return;
      shown = true;
      planner.loadSaved();
    },
  };
}
