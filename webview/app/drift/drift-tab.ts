/**
 * The Drift tab: is this data like the data the model was trained on? Choose a reference CSV or Parquet
 * file (default: the served model's CSV) and a current one — or "what the server saw", the rows it has served — run the
 * check with a progress bar and Cancel, then read the verdicts, the table and a chart per column.
 *
 * The VS Code extension starts a check here with a `CheckDriftNotification` (lab-panel-messages.ts)
 * ("Check Drift Against Reference…" on a .csv, .tsv, .csv.gz or .parquet). Errors (a path outside the server's folders, a
 * malformed CSV with its line, a failed job) show inline; the tab is never left blank. Paths may be
 * relative: they are read from the model's folder (then the folder the server started in). The
 * served signature's target column is sent along, so it is reported as target drift, not a feature.
 */
import type { ModelDescription } from '../../../server/protocol/api';
import { CheckDriftNotification } from '../../lab-panel-messages';
import { ServerError, type ServerClient } from '../client';
import { h, replaceChildren } from '../dom';
import { onHostNotification } from '../host-notifications';
import type { AppTab } from '../tabs';
import { createDriftClient, type DriftFiles, type DriftJob, type DriftProgress, type DriftRunOptions } from './drift-client';
import { renderDriftReport } from './drift-report';
import './drift.css';

const PHASES: Record<DriftProgress['phase'], string> = {
  reading: 'Reading both files',
  testing: 'Testing columns',
  predicting: 'Predicting both files with the model',
  multivariate: 'Multivariate (MMD) test',
  done: 'Done',
};

export function describeProgress(p: DriftProgress): string {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  const parts = [
    PHASES[p.phase] ?? p.phase,
    `${p.rowsRead.toLocaleString('en-US')} rows`,
    `${mb(p.bytesRead)} of ${mb(p.bytesTotal)}`,
    `${p.columnsDone}/${p.columnsTotal} columns`,
  ];
  if (p.passes > 1) parts.push(`pass ${p.pass} of ${p.passes}`);
  return parts.join(' · ');
}

export function createDriftTab(client: ServerClient): AppTab {
  const drift = createDriftClient(client);
  const input = (id: string, label: string, placeholder: string) =>
    h('input', {
      className: 'drift-path',
      attrs: { id, type: 'text', list: 'drift-files', placeholder, 'aria-label': label, spellcheck: 'false', autocomplete: 'off' },
    }) as HTMLInputElement;
  const reference = input(
    'drift-reference',
    'Reference CSV or Parquet path',
    "reference .csv, .tsv, .csv.gz or .parquet (training data; relative to the model's folder)",
  );
  const current = input(
    'drift-current',
    'Current CSV or Parquet path',
    "the new data to check, e.g. current.csv or current.parquet (relative to the model's folder)",
  );
  const fileList = h('datalist', { attrs: { id: 'drift-files' } });
  const radio = (value: string, text: string, checked: boolean) => {
    const el = h('input', {
      attrs: { type: 'radio', name: 'drift-source', id: `drift-source-${value}`, value, checked },
      on: { change: () => sourceChanged() },
    }) as HTMLInputElement;
    return { el, label: h('label', { attrs: { for: `drift-source-${value}` } }, [el, ' ', text]) };
  };
  const fromFile = radio('file', 'a CSV or Parquet file', true);
  const fromLive = radio('live', 'what the server saw (rows it has served)', false);
  const liveInfo = h('span', { className: 'muted small', attrs: { id: 'drift-live-info' } });
  const predictions = h('input', { attrs: { type: 'checkbox', id: 'drift-predictions' } }) as HTMLInputElement;
  const stattest = h('select', { attrs: { id: 'drift-stattest', 'aria-label': 'Statistical test for every column' } }, [
    h('option', { attrs: { value: '' } }, ["Evidently's choice per column"]),
  ]) as HTMLSelectElement;
  const threshold = h('input', {
    attrs: {
      id: 'drift-threshold',
      type: 'number',
      min: 0,
      step: 'any',
      placeholder: "each test's own",
      'aria-label': 'Threshold for every column',
    },
  }) as HTMLInputElement;
  const run = h('button', { attrs: { id: 'drift-run', type: 'button' }, on: { click: () => void start() } }, ['Check drift']);
  const cancel = h('button', { attrs: { id: 'drift-cancel', type: 'button', disabled: true }, on: { click: () => void stop() } }, [
    'Cancel',
  ]);
  const bar = h('progress', { attrs: { max: 1, value: 0, 'aria-label': 'Drift check progress' } }) as HTMLProgressElement;
  const step = h('span', { className: 'muted small', attrs: { 'aria-live': 'polite', id: 'drift-step' } });
  const progress = h('div', { className: 'drift-progress', attrs: { hidden: true, id: 'drift-progress' } }, [bar, step]);
  const message = h('div', { className: 'drift-message', attrs: { role: 'status', 'aria-live': 'polite', id: 'drift-message' } });
  const results = h(
    'section',
    { className: 'drift-results', attrs: { 'aria-label': 'Drift results', 'data-state': 'empty', id: 'drift-results' } },
    [h('p', { className: 'muted' }, ['No check yet. Choose the files and press “Check drift”.'])],
  );
  const currentRow = h('div', { className: 'drift-field' }, [h('label', { attrs: { for: 'drift-current' } }, ['Current']), current]);
  const element = h('div', { className: 'drift-tab' }, [
    h('p', {}, [
      'Is new data like the data the model learned from? Each ' +
        "column is compared with Evidently's default test (or the " +
        "one you pick); the dataset verdicts use Evidently's share " +
        'rule and, side by side, Bonferroni and Benjamini–Hochberg ' +
        'over the p-values.',
    ]),
    h('div', { className: 'drift-field' }, [h('label', { attrs: { for: 'drift-reference' } }, ['Reference']), reference]),
    h('fieldset', { className: 'drift-source' }, [h('legend', {}, ['Current data']), fromFile.label, fromLive.label, liveInfo]),
    currentRow,
    fileList,
    h('div', { className: 'drift-options' }, [
      h('label', { attrs: { for: 'drift-predictions' } }, [predictions, ' also test the model’s predictions']),
      h('label', { attrs: { for: 'drift-stattest' } }, ['Test ', stattest]),
      h('label', { attrs: { for: 'drift-threshold' } }, ['Threshold ', threshold]),
    ]),
    h('div', { className: 'drift-controls' }, [run, cancel]),
    progress,
    message,
    results,
  ]);

  let description: ModelDescription | null = null;
  let jobId: string | null = null;
  let filesLoaded = false;
  let pendingRun = false;

  const say = (text: string, error = false) => {
    replaceChildren(
      message,
      text ? [h('div', { className: error ? 'error-box' : 'muted', attrs: error ? { role: 'alert' } : {} }, [text])] : [],
    );
  };
  const setRunning = (running: boolean) => {
    run.toggleAttribute('disabled', running);
    cancel.toggleAttribute('disabled', !running);
    progress.hidden = !running;
    element.dataset.running = String(running);
  };
  const live = () => fromLive.el.checked;

  function sourceChanged(): void {
    currentRow.hidden = live();
    if (live()) void refreshLive();
    else replaceChildren(liveInfo, []);
  }

  async function refreshLive(): Promise<void> {
    try {
      const s = await drift.live();
      replaceChildren(liveInfo, [
        `${s.rows.toLocaleString('en-US')} of the last ${s.capacity.toLocaleString('en-US')} rows kept`,
        s.since ? ` (since ${new Date(s.since).toLocaleString()})` : '',
        s.reference ? '' : ' — this server has no reference CSV (start it with --reference)',
      ]);
    } catch (err) {
      replaceChildren(liveInfo, [`Cannot read the served-rows log: ${(err as Error).message}`]);
    }
  }

  function showFiles(list: DriftFiles): void {
    // Files of the model's folder (the first root) as the relative paths one would type; others in full.
    replaceChildren(
      fileList,
      list.files.map((f) =>
        f.root === list.roots[0] ? h('option', { attrs: { value: f.relative } }) : h('option', { attrs: { value: f.path } }, [f.relative]),
      ),
    );
    for (const t of list.statTests) stattest.append(h('option', { attrs: { value: t.name } }, [`${t.displayName} (${t.kinds.join('/')})`]));
  }

  function options(): DriftRunOptions | string {
    const o: DriftRunOptions = {};
    if (stattest.value) o.stattestAll = stattest.value;
    if (threshold.value.trim() !== '') {
      const t = Number(threshold.value);
      if (!Number.isFinite(t) || t < 0) return `Threshold: expected a number ≥ 0, got “${threshold.value}”`;
      o.threshold = t;
    }
    const target = description?.signature.target;
    if (target && !live()) o.target = target;
    if (predictions.checked) {
      if (live()) o.predictions = true;
      else if (description) o.model = description.info.path;
    }
    return o;
  }

  async function start(): Promise<void> {
    if (jobId) return;
    const o = options();
    if (typeof o === 'string') {
      say(o, true);
      return;
    }
    const ref = reference.value.trim();
    const cur = current.value.trim();
    if (!live() && (!ref || !cur)) {
      say(!ref ? 'Reference: enter the path of the reference CSV or Parquet file.' : 'Current: enter the path of the file to check.', true);
      return;
    }
    try {
      say('');
      const job = live() ? await drift.startLive(o) : await drift.start(ref, cur, o);
      jobId = job.id;
      setRunning(true);
      bar.removeAttribute('value'); // indeterminate until the first progress event
      step.textContent = 'Starting…';
      drift.follow(job.id, onProgress, finished);
    } catch (err) {
      say(`Could not start the check: ${startError(err)}`, true);
    }
  }

  function onProgress(p: DriftProgress): void {
    bar.max = Math.max(1, p.bytesTotal);
    bar.value = Math.min(p.bytesRead, bar.max);
    step.textContent = describeProgress(p);
  }

  function finished(job: DriftJob): void {
    jobId = null;
    setRunning(false);
    if (job.status === 'cancelled') {
      say('Cancelled: the check was stopped before it finished.');
      return;
    }
    if (job.status !== 'done' || !job.result) {
      say(`The check failed: ${job.error?.message ?? 'no report came back'}`, true);
      return;
    }
    results.dataset.state = 'report';
    replaceChildren(results, [renderDriftReport(job.result, { html: reportUrl(job.id, 'html'), json: reportUrl(job.id, 'json') })]);
  }

  /** A link that downloads the report (the token in the query: a link cannot send a header). */
  function reportUrl(id: string, format: 'html' | 'json'): string {
    const token = client.token ? `&token=${encodeURIComponent(client.token)}` : '';
    return `${client.origin}/api/drift/reports/${encodeURIComponent(id)}?format=${format}${token}`;
  }

  async function stop(): Promise<void> {
    if (!jobId) return;
    try {
      await drift.cancel(jobId);
      step.textContent = 'Cancelling…';
    } catch (err) {
      say(`Could not cancel: ${(err as Error).message}`, true);
    }
  }

  // "Check Drift Against Reference…" in VS Code: fill the fields and run.
  onHostNotification(CheckDriftNotification, (data) => {
    if (data.reference !== undefined) reference.value = data.reference;
    else if (!reference.value && description?.reference) reference.value = description.reference.path;
    fromFile.el.checked = true;
    sourceChanged();
    current.value = data.current;
    if (jobId) {
      say('A check is already running: cancel it or wait, then press “Check drift”.', true);
      return;
    }
    // Before the model description arrives there may be no reference yet: run once it does.
    if (!reference.value.trim() && !description) {
      pendingRun = true;
      return;
    }
    void start();
  });

  return {
    id: 'drift',
    title: 'Drift',
    element,
    update(next: ModelDescription) {
      description = next;
      if (!reference.value && next.reference) reference.value = next.reference.path;
      if (pendingRun) {
        pendingRun = false;
        void start();
      }
      if (!filesLoaded) {
        filesLoaded = true;
        drift
          .files()
          .then(showFiles, (err: Error) => say(`Cannot list the CSV and Parquet files this server may read: ${err.message}`, true));
      }
    },
  };
}

/**
 * The server's words for a refused start. A path outside the allowed folders is the owner's typing, not
 * a sharing problem: the generic "needs a valid access token" hint the client adds to every 403 is
 * dropped, the server's own message (which says what to pick or type) stays.
 */
function startError(err: unknown): string {
  const message = (err as Error).message;
  if (err instanceof ServerError && err.status === 403 && / is outside the folders this server may read/.test(message))
    return message.replace(/ — this link needs a valid access token.*$/, '');
  return message;
}
