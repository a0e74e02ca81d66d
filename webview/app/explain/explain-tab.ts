/**
 * The Explain tab: why does the model predict what it predicts? Runs the `explain` job on the served
 * model (data: the model's reference CSV or another CSV beside it) with a progress bar and Cancel, then
 * draws permutation importance (bars with error bars, the metric named), partial dependence with ICE
 * curves per feature (bars for categories), an optional interaction heat map, and SHAP values: the
 * waterfall of one row and the global summary (mean |SHAP| and beeswarm). The charts are the HTML
 * report's own (server/protocol/explain-charts.ts), parsed as SVG — no inline scripts or styles.
 */
import type { ModelDescription } from '../../../server/protocol/api';
import { barChart, beeswarm, heatMap, pdpChart, waterfall } from '../../../server/protocol/explain-charts';
import type { ExplainMethod, ExplainReport, ExplainRequest } from '../../../server/protocol/explain';
import { ServerError, type ServerClient } from '../client';
import { h, replaceChildren } from '../dom';
import { onHostNotification } from '../host-notifications';
import { createJobsClient, type JobProgress, type JobState } from '../jobs-client';
import { ExplainShownCommand, labMessage, ShowExplainJobNotification, type LabCommand } from '../../lab-panel-messages';
import type { AppTab } from '../tabs';
import './explain.css';

const METHODS: { id: ExplainMethod; label: string }[] = [
  { id: 'permutation', label: 'Permutation importance' },
  { id: 'pdp', label: 'Partial dependence / ICE' },
  { id: 'shap', label: 'SHAP values' },
];

/** An SVG string (escaped by explain-charts) as a DOM node. */
function svgNode(markup: string): Node {
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
  return document.importNode(parsed.documentElement, true);
}

/** The output the charts show: a binary classifier's second class, a multi-class model's predicted class, else the first. */
function primaryOutput(report: ExplainReport): number {
  const outputs = report.model.outputs.length;
  if (outputs === 2 && report.model.task === 'classification') return 1;
  const local = report.shap?.local;
  if (local && outputs > 1) return local.prediction.indexOf(Math.max(...local.prediction));
  return 0;
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(3) : v.toFixed(4));

export function renderExplainReport(report: ExplainReport): HTMLElement[] {
  const o = primaryOutput(report);
  const output = report.model.outputs[o];
  const parts: HTMLElement[] = [];
  const p = report.permutation;
  if (p) {
    const sorted = [...p.features].sort((a, b) => b.mean - a.mean);
    parts.push(
      h('section', { className: 'explain-permutation', attrs: { 'data-metric': p.metric } }, [
        h('h3', {}, ['Permutation importance']),
        h('p', { className: 'muted' }, [
          `Drop in ${p.metricLabel} when a feature is shuffled (baseline ${fmt(p.baseline)}; mean ± ` +
            `std over ${p.nRepeats} repeats, ${p.rows} rows).`,
        ]),
        svgNode(
          barChart(
            sorted.map((f) => ({ name: f.feature, value: f.mean, error: f.std })),
            'permutation importance',
          ),
        ),
      ]),
    );
  }
  const pd = report.partialDependence;
  if (pd) {
    const outputs = report.model.outputs.length > 1 ? report.model.outputs : [output];
    parts.push(
      h('section', { className: 'explain-pdp' }, [
        h('h3', {}, ['Partial dependence and ICE']),
        h('p', { className: 'muted' }, [
          `Average prediction with the feature set to each value (thick lines; bars for categories) ` +
            `and single rows (thin, ${output}); ${pd.rows} rows.`,
        ]),
        h(
          'div',
          { className: 'explain-panels' },
          pd.curves.map((c) => svgNode(pdpChart(c.feature, c.grid, c.average, c.ice.values[o] ?? [], outputs))),
        ),
        pd.interaction
          ? h('div', { className: 'explain-interaction' }, [
              h('h3', {}, [`Interaction: ${pd.interaction.features.join(' × ')}`]),
              svgNode(heatMap(pd.interaction.average[o], pd.interaction.grids[0], pd.interaction.grids[1], pd.interaction.features)),
            ])
          : null,
      ]),
    );
  }
  const s = report.shap;
  if (s) {
    const children: (HTMLElement | Node)[] = [
      h('h3', {}, [`SHAP values (${s.method})`]),
      h('p', { className: 'muted' }, [`${s.methodNote} Output: ${output}.`]),
    ];
    if (s.local) {
      children.push(
        h('h3', {}, [`Why this prediction? Row ${s.local.row ?? '(your input)'} — ${s.method}, ${s.local.ms.toFixed(1)} ms`]),
        svgNode(waterfall(report.model.features, s.local.values, s.local.shap[o], s.expectedValue[o], s.local.prediction[o])),
      );
    }
    if (s.global) {
      const mean = s.global.meanAbs[o];
      const order = mean.map((_, j) => j).sort((a, b) => mean[b] - mean[a]);
      children.push(
        h('h3', {}, [`Global summary over ${s.global.rows.length} rows`]),
        svgNode(
          barChart(
            order.map((j) => ({ name: report.model.features[j], value: mean[j] })),
            'mean absolute SHAP value',
          ),
        ),
        svgNode(beeswarm(report.model.features, s.global.shap[o], s.global.values, order)),
      );
    }
    parts.push(h('section', { className: 'explain-shap', attrs: { 'data-method': s.method } }, children));
  }
  for (const note of report.notes) parts.push(h('p', { className: 'muted small' }, [note]));
  return parts;
}

/** `host`: the VS Code panel's message channel (the state store), to say when a job it asked for is drawn. */
export function createExplainTab(client: ServerClient, host?: { notifyHost(message: LabCommand): void }): AppTab {
  const jobs = createJobsClient(client);
  const text = (id: string, label: string, placeholder: string) =>
    h('input', {
      attrs: { id, type: 'text', placeholder, 'aria-label': label, spellcheck: 'false', autocomplete: 'off' },
    }) as HTMLInputElement;
  const data = text('explain-data', 'Data CSV path', "the model's reference CSV (or a CSV path relative to the model's folder)");
  const target = text('explain-target', 'Target column', 'column with the true label or value (empty: none)');
  const checks = METHODS.map((m) => {
    const el = h('input', { attrs: { type: 'checkbox', id: `explain-method-${m.id}`, checked: true } }) as HTMLInputElement;
    return { id: m.id, el, label: h('label', { attrs: { for: `explain-method-${m.id}` } }, [el, ' ', m.label]) };
  });
  const row = h('input', {
    attrs: { id: 'explain-row', type: 'number', min: 0, step: 1, value: 0, 'aria-label': 'Row to explain' },
  }) as HTMLInputElement;
  const select = (id: string, label: string) =>
    h('select', { attrs: { id, 'aria-label': label } }, [h('option', { attrs: { value: '' } }, ['—'])]) as HTMLSelectElement;
  const first = select('explain-interaction-a', 'Interaction: first feature');
  const second = select('explain-interaction-b', 'Interaction: second feature');
  const run = h('button', { attrs: { id: 'explain-run', type: 'button' }, on: { click: () => void start() } }, ['Explain']);
  const cancel = h('button', { attrs: { id: 'explain-cancel', type: 'button', disabled: true }, on: { click: () => void stop() } }, [
    'Cancel',
  ]);
  const bar = h('progress', { attrs: { max: 1, value: 0, 'aria-label': 'Explanation progress' } }) as HTMLProgressElement;
  const step = h('span', { className: 'muted small', attrs: { 'aria-live': 'polite', id: 'explain-step' } });
  const progress = h('div', { className: 'explain-progress', attrs: { hidden: true, id: 'explain-progress' } }, [bar, step]);
  const message = h('div', { attrs: { role: 'status', 'aria-live': 'polite', id: 'explain-message' } });
  const results = h(
    'section',
    { className: 'explain-results', attrs: { 'aria-label': 'Explanation', 'data-state': 'empty', id: 'explain-results' } },
    [h('p', { className: 'muted' }, ['No explanation yet. Choose the methods and press “Explain”.'])],
  );
  const element = h('div', { className: 'explain-tab' }, [
    h('p', {}, [
      'Why does the model predict what it predicts? Permutation importance shows which features its accuracy depends on, ' +
        'partial dependence how the prediction moves with one feature, SHAP values how much each feature pushed one prediction.',
    ]),
    h('div', { className: 'explain-field' }, [h('label', { attrs: { for: 'explain-data' } }, ['Data']), data]),
    h('div', { className: 'explain-field' }, [h('label', { attrs: { for: 'explain-target' } }, ['Target column']), target]),
    h(
      'div',
      { className: 'explain-methods' },
      checks.map((c) => c.label),
    ),
    h('div', { className: 'explain-options' }, [
      h('label', { attrs: { for: 'explain-row' } }, ['Row to explain (SHAP) ', row]),
      h('label', { attrs: { for: 'explain-interaction-a' } }, ['Interaction ', first]),
      h('label', { attrs: { for: 'explain-interaction-b' } }, [' × ', second]),
    ]),
    h('div', { className: 'explain-controls' }, [run, cancel]),
    progress,
    message,
    results,
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
    element.dataset.running = String(running);
  };

  function request(): ExplainRequest | string {
    const methods = checks.filter((c) => c.el.checked).map((c) => c.id);
    if (!methods.length) return 'Methods: tick at least one of permutation importance, partial dependence or SHAP values.';
    const body: ExplainRequest = { methods };
    if (data.value.trim()) body.data = data.value.trim();
    if (target.value.trim()) body.target = target.value.trim();
    const r = Number(row.value);
    if (row.value.trim() !== '' && (!Number.isInteger(r) || r < 0))
      return `Row to explain: expected a whole number ≥ 0, got “${row.value}”.`;
    if (row.value.trim() !== '') body.row = r;
    if (first.value || second.value) {
      if (!first.value || !second.value || first.value === second.value) return 'Interaction: choose two different features, or none.';
      body.interaction = [first.value, second.value];
    }
    return body;
  }

  async function start(): Promise<void> {
    if (jobId) return;
    const body = request();
    if (typeof body === 'string') {
      say(body, true);
      return;
    }
    try {
      say('');
      const job = await jobs.start('explain', body);
      jobId = job.id;
      setRunning(true);
      bar.removeAttribute('value');
      step.textContent = 'Starting…';
      jobs.follow<ExplainReport>(job.id, onProgress, finished);
    } catch (err) {
      say(`Could not start: ${err instanceof ServerError ? err.message : (err as Error).message}`, true);
    }
  }

  function onProgress(p: JobProgress): void {
    bar.max = Math.max(1, p.total);
    bar.value = Math.min(p.done, bar.max);
    step.textContent = p.step;
  }

  function finished(job: JobState<ExplainReport>): void {
    jobId = null;
    setRunning(false);
    if (job.status === 'cancelled') {
      say('Cancelled: the explanation was stopped before it finished.');
      return;
    }
    if (job.status !== 'done' || !job.result) {
      say(`The explanation failed: ${job.error?.message ?? 'unknown error'}`, true);
      return;
    }
    const timings = Object.entries(job.result.timings)
      .map(([m, ms]) => `${m} ${(ms / 1000).toFixed(2)} s`)
      .join(', ');
    say(`Done (${timings}).`);
    const download = (format: 'html' | 'json', label: string) =>
      h('a', { attrs: { href: reportUrl(job.id, format), download: '', id: `explain-download-${format}` } }, [label]);
    const downloads = h('p', { className: 'explain-downloads small' }, [
      'Download the report: ',
      download('html', 'HTML (self-contained, charts)'),
      ' · ',
      download('json', 'JSON'),
    ]);
    replaceChildren(results, [downloads, ...renderExplainReport(job.result)]);
    results.dataset.state = 'report';
  }

  /** A link that downloads the report (the token in the query: a link cannot send a header). */
  function reportUrl(id: string, format: 'html' | 'json'): string {
    const token = client.token ? `&token=${encodeURIComponent(client.token)}` : '';
    return `${client.origin}/api/explain/reports/${encodeURIComponent(id)}?format=${format}${token}`;
  }

  // "Explain Model…" in VS Code ran an explain job on this server: follow it here and draw its result.
  onHostNotification(ShowExplainJobNotification, ({ jobId: id }) => void showJob(id));
  async function showJob(id: string): Promise<void> {
    const shown = (ok: boolean, error?: string) =>
      host?.notifyHost(labMessage(ExplainShownCommand, { jobId: id, ok, ...(error ? { error } : {}) }));
    try {
      const state = await jobs.get<ExplainReport>(id);
      jobId = id;
      setRunning(true);
      step.textContent = state.progress.step || 'Explaining…';
      const done = (job: JobState<ExplainReport>) => {
        finished(job);
        shown(job.status === 'done' && !!job.result, job.error?.message ?? (job.status === 'cancelled' ? 'cancelled' : undefined));
      };
      if (state.status === 'running') jobs.follow<ExplainReport>(id, onProgress, done);
      else done(state);
    } catch (err) {
      say(`Could not show the explanation: ${(err as Error).message}`, true);
      shown(false, (err as Error).message);
    }
  }

  async function stop(): Promise<void> {
    if (!jobId) return;
    try {
      await jobs.cancel(jobId);
    } catch (err) {
      say(`Could not cancel: ${(err as Error).message}`, true);
    }
  }

  return {
    id: 'explain',
    title: 'Explain',
    element,
    update(description: ModelDescription) {
      if (!target.value && description.signature.target) target.value = description.signature.target;
      const names = description.signature.features.map((f) => f.name);
      for (const s of [first, second])
        replaceChildren(s, [h('option', { attrs: { value: '' } }, ['—']), ...names.map((n) => h('option', { attrs: { value: n } }, [n]))]);
    },
  };
}
