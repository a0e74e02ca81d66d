/**
 * The capacity & cost planner, under the load test: from the last load test's curve and what the user
 * enters (average and peak TPS, a p99 target, the target machine's vCPUs and hourly price — no built-in
 * prices — and optionally a per-prediction price to compare), the replicas needed at average and peak,
 * their headroom, the cost per 1,000 and 1,000,000 predictions and the comparison. The arithmetic is
 * server/capacity's, reached over HTTP (`POST /api/perf/capacity`): the UI imports only the protocol.
 * "Save plan" writes it beside the model, where the Kubernetes / KServe export sizes from it.
 */
import type { CapacityInput, CapacityPlan, LoadTestReport } from '../../../server/protocol/loadtest';
import { h, replaceChildren } from '../dom';
import type { LoadTestClient } from './loadtest-client';

/** Wait this long after the last keystroke before asking the server again. */
const RECOMPUTE_MS = 250;

const pct = (x: number) => `${Math.round(100 * x)} %`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
function money(x: number, currency: string): string {
  const v = x > 0 && x < 0.01 ? x.toPrecision(2) : x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency ? `${v} ${currency}` : v;
}

interface Input {
  id: string;
  label: string;
  element: HTMLInputElement;
  hint?: string;
}

export interface CapacitySection {
  element: HTMLElement;
  /** Plan from this finished load test from now on. */
  useReport(jobId: string, report: LoadTestReport): void;
  /** Shows the plan saved beside the model, if any, and plans from its load test until a new one runs. */
  loadSaved(): void;
}

export function createCapacitySection(api: LoadTestClient): CapacitySection {
  const num = (id: string, value: string, attrs: Record<string, string | number> = {}) =>
    h('input', { attrs: { id, type: 'number', value, min: 0, step: 'any', ...attrs } }) as HTMLInputElement;
  const inputs: Record<string, Input> = {
    averageTps: { id: 'capacity-average', label: 'Average TPS', element: num('capacity-average', '50') },
    peakTps: { id: 'capacity-peak', label: 'Peak TPS', element: num('capacity-peak', '200') },
    p99TargetMs: { id: 'capacity-p99', label: 'p99 target (ms)', element: num('capacity-p99', '50') },
    targetVcpus: { id: 'capacity-vcpus', label: 'Target machine vCPUs', element: num('capacity-vcpus', '2', { min: 0.1, max: 1024 }) },
    hourlyPrice: {
      id: 'capacity-price',
      label: 'Price per machine-hour',
      element: num('capacity-price', ''),
      hint: 'your provider’s price',
    },
    currency: {
      id: 'capacity-currency',
      label: 'Currency',
      element: h('input', { attrs: { id: 'capacity-currency', type: 'text', value: 'USD', maxlength: 8, size: 5 } }) as HTMLInputElement,
    },
    offer: {
      id: 'capacity-offer',
      label: 'Per-prediction price, per 1,000 (optional)',
      element: num('capacity-offer', ''),
      hint: 'a hosted API’s price, to compare',
    },
  };
  const save = h(
    'button',
    { className: 'secondary', attrs: { type: 'button', id: 'capacity-save', disabled: true }, on: { click: () => void doSave() } },
    ['Save plan'],
  );
  const source = h('p', { className: 'capacity-source muted small' }, ['Run the load test above: the planner uses its curve.']);
  const message = h('div', { className: 'capacity-message', attrs: { role: 'status', 'aria-live': 'polite' } });
  const outputs = h('div', { className: 'capacity-outputs', attrs: { 'aria-live': 'polite', 'data-state': 'empty' } });

  const element = h('section', { className: 'capacity', attrs: { 'aria-labelledby': 'capacity-title' } }, [
    h('h2', { attrs: { id: 'capacity-title' } }, ['Capacity & cost planner']),
    h('p', {}, [
      'Before deploying: how many servers for your traffic, and what does a prediction cost? Enter your average and ' +
        'peak transactions per second and the machine you would deploy on; the planner scales what this machine ' +
        'sustained under the p99 target to that machine by its vCPUs.',
    ]),
    source,
    h(
      'div',
      { className: 'loadtest-fields capacity-inputs' },
      Object.values(inputs).map((i) =>
        h('div', { className: 'loadtest-field' }, [
          h('label', { attrs: { for: i.id } }, [i.label]),
          i.element,
          i.hint ? h('span', { className: 'muted small' }, [i.hint]) : null,
        ]),
      ),
    ),
    outputs,
    h('div', { className: 'perf-controls' }, [save]),
    message,
  ]);

  /** The load test to plan from: a finished job's id, or null for the saved plan's. */
  let from: { id: string | null } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  const say = (textValue: string, error = false) =>
    replaceChildren(
      message,
      textValue ? [h('div', { className: error ? 'error-box' : 'muted', attrs: error ? { role: 'alert' } : {} }, [textValue])] : [],
    );

  function readInput(): CapacityInput | string {
    const value = (k: string) => inputs[k].element.value.trim();
    const n = (k: string) => Number(value(k));
    for (const k of ['averageTps', 'peakTps', 'p99TargetMs', 'targetVcpus']) {
      if (!(n(k) > 0)) return `${inputs[k].label}: enter a number above 0.`;
    }
    if (value('hourlyPrice') === '' || !(n('hourlyPrice') >= 0))
      return 'Enter the target machine’s price per hour (there is no built-in price list).';
    if (n('peakTps') < n('averageTps')) return 'Peak TPS must be at least the average TPS.';
    if (value('offer') !== '' && !(n('offer') >= 0)) return 'Per-prediction price: a number of 0 or more, or leave it empty.';
    return {
      averageTps: n('averageTps'),
      peakTps: n('peakTps'),
      p99TargetMs: n('p99TargetMs'),
      targetVcpus: n('targetVcpus'),
      hourlyPrice: n('hourlyPrice'),
      ...(value('currency') ? { currency: value('currency').slice(0, 8) } : {}),
      ...(value('offer') !== '' ? { pricePer1000Predictions: n('offer') } : {}),
    };
  }

  function show(plan: CapacityPlan): void {
    const c = plan.input.currency ?? '';
    const out = (key: string, label: string, valueText: string, note = '') => [
      h('dt', {}, [label]),
      h('dd', { attrs: { 'data-out': key } }, [valueText, note ? h('span', { className: 'muted small' }, [` ${note}`]) : null]),
    ];
    const cmp = plan.comparison;
    outputs.dataset.state = 'plan';
    replaceChildren(outputs, [
      h('p', { className: 'capacity-measured muted small' }, [
        `One replica on ${plan.input.targetVcpus} vCPUs ≈ ${int(plan.perReplicaTps)} requests/s ` +
          `(measured ${int(plan.measured.throughput)} requests/s at p99 ${Number(plan.measured.p99Ms.toPrecision(3))} ms on ` +
          `${plan.measured.cores} cores here, × ${plan.input.targetVcpus}/${plan.measured.cores}).`,
      ]),
      h('dl', { className: 'perf-facts capacity-facts' }, [
        ...out('replicas-average', 'Replicas at average', String(plan.replicasAtAverage), `headroom ${pct(plan.headroomAtAverage)}`),
        ...out('replicas-peak', 'Replicas at peak', String(plan.replicasAtPeak), `headroom ${pct(plan.headroomAtPeak)}`),
        ...out(
          'cost-1000',
          'Cost per 1,000 predictions',
          money(plan.costPer1000.autoscaled, c),
          `autoscaled; ${money(plan.costPer1000.provisionedForPeak, c)} provisioned for peak`,
        ),
        ...out(
          'cost-1m',
          'Cost per 1,000,000 predictions',
          money(plan.costPer1M.autoscaled, c),
          `autoscaled; ${money(plan.costPer1M.provisionedForPeak, c)} provisioned for peak`,
        ),
        ...out(
          'monthly',
          'Per month',
          money(plan.monthlyCost.autoscaled, c),
          `autoscaled; ${money(plan.monthlyCost.provisionedForPeak, c)} provisioned for peak`,
        ),
        ...(cmp
          ? out(
              'comparison',
              'Against the per-prediction price',
              cmp.ratio === null
                ? 'self-hosting costs nothing per hour as entered'
                : cmp.cheaper === 'self-hosted'
                  ? `self-hosted is ${cmp.ratio.toFixed(1)}× cheaper`
                  : `the per-prediction price is ${(1 / cmp.ratio).toFixed(1)}× cheaper`,
              `(${money(cmp.pricePer1000Predictions, c)} per 1,000 vs ${money(plan.costPer1000.autoscaled, c)} autoscaled)`,
            )
          : []),
      ]),
      h(
        'ul',
        { className: 'capacity-caveats muted small' },
        plan.caveats.map((x) => h('li', {}, [x])),
      ),
    ]);
  }

  async function recompute(): Promise<void> {
    if (!from) return;
    const input = readInput();
    if (typeof input === 'string') {
      say(input, true);
      save.toggleAttribute('disabled', true);
      return;
    }
    const ticket = ++asked;
    try {
      const { plan } = await api.plan(from.id, input);
      if (ticket !== asked) return;
      say('');
      show(plan);
      save.toggleAttribute('disabled', false);
    } catch (err) {
      if (ticket !== asked) return;
      say((err as Error).message, true);
      save.toggleAttribute('disabled', true);
    }
  }

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void recompute(), RECOMPUTE_MS);
  };
  for (const i of Object.values(inputs)) i.element.addEventListener('input', schedule);

  async function doSave(): Promise<void> {
    if (!from) return;
    const input = readInput();
    if (typeof input === 'string') {
      say(input, true);
      return;
    }
    // A recompute still waiting would answer after the save and wipe its message: this save supersedes it.
    clearTimeout(timer);
    asked++;
    try {
      const saved = await api.save(from.id, input);
      show(saved.plan);
      say(`Saved ${saved.file} beside the model: the Kubernetes and KServe export now sizes replicas, autoscaling and CPU from this plan.`);
    } catch (err) {
      say(`Could not save the plan: ${(err as Error).message}`, true);
    }
  }

  const fill = (input: CapacityInput) => {
    inputs.averageTps.element.value = String(input.averageTps);
    inputs.peakTps.element.value = String(input.peakTps);
    inputs.p99TargetMs.element.value = String(input.p99TargetMs);
    inputs.targetVcpus.element.value = String(input.targetVcpus);
    inputs.hourlyPrice.element.value = String(input.hourlyPrice);
    inputs.currency.element.value = input.currency ?? '';
    inputs.offer.element.value = input.pricePer1000Predictions === undefined ? '' : String(input.pricePer1000Predictions);
  };

  return {
    element,
    useReport(jobId, report) {
      from = { id: jobId };
      inputs.p99TargetMs.element.value = String(report.p99TargetMs);
      source.textContent =
        `From the load test just run (${report.machine.cores} cores, ${report.target.rowsPerRequest} row(s) per request, ` +
        `p99 target ${report.p99TargetMs} ms).`;
      void recompute();
    },
    loadSaved() {
      api.saved().then(
        (info) => {
          if (from || !info.saved) {
            if (info.problem) say(`A saved plan could not be read: ${info.problem}.`, true);
            return;
          }
          from = { id: null };
          fill(info.saved.plan.input);
          source.textContent =
            `From the plan saved ${info.saved.savedAt.slice(0, 10)} (${info.file}; load test of ` +
            `${info.saved.report.date.slice(0, 10)}, ${info.saved.report.machine.cores} cores). ` +
            'Run the load test again to plan from a new one.';
          void recompute();
        },
        () => undefined,
      );
    },
  };
}
