/** `model-lab export <model> -o <dir>`: a verified deployment bundle (see server/export). */
import { parseCommandLine, requireFile } from '../args';
import { UsageError } from '../../protocol/errors';
import type { Command } from '../command';

const usage = `Usage: model-lab export <model.onnx> -o <dir> [options]

Writes a deployment bundle an engineer can deploy without asking questions, and checks each part first:
the bundled server is started with node and compared with the model, the Dockerfile is checked against
the rules, the Kubernetes/KServe YAML against their schemas, the TF.js model against onnxruntime.
Results go into <dir>/MANIFEST.json (with every file's sha256) and <dir>/README.md.

Options:
  -o, --out <dir>          the bundle folder (must be new or empty, unless --force)
  --targets <list>         comma list of onnx,docker,k8s,kserve,triton,tfjs,explain (default: all but
                           explain; onnx always). explain adds explain/report.html and report.json: why
                           the model predicts what it does (permutation importance, partial dependence,
                           SHAP), computed on the --reference CSV (required for it; a few seconds)
  --variant <name>         a compressed variant from the compress engine (e.g. int8)
  --reference <csv>        reference data: names features, gives the sample rows of README and checks
  --force                  replace a non-empty <dir> (only once the new bundle is complete)
  --verify-install <how>   node-path (default: use this installation's onnxruntime-node) or npm-ci
                           (run npm ci --omit=dev --offline in a scratch copy, as the Dockerfile does)
  --json                   print the manifest as JSON on stdout instead of the summary

Progress goes to stderr; Ctrl+C cancels and leaves nothing behind. Exit 1 if a requested target could
not be written or a check failed (the reason is printed).

Example:
  model-lab export samples/flights/flights.onnx --reference samples/flights/reference.csv \\
    -o flights-bundle --targets docker,k8s,kserve,triton,explain`;

const exportCommand: Command = {
  name: 'export',
  summary: 'write a verified deployment bundle (Docker/server, ONNX, TF.js, Kubernetes, KServe, Triton)',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      'export',
      args,
      {
        out: { type: 'string', short: 'o' },
        targets: { type: 'string' },
        variant: { type: 'string' },
        reference: { type: 'string' },
        force: { type: 'boolean' },
        'verify-install': { type: 'string' },
        json: { type: 'boolean' },
      },
      ['model'],
    );
    if (typeof values.out !== 'string' || values.out === '')
      throw new UsageError("export: missing -o <dir>; see 'model-lab export --help'");
    const install = values['verify-install'];
    if (install !== undefined && install !== 'node-path' && install !== 'npm-ci')
      throw new UsageError(`--verify-install must be node-path or npm-ci, got '${String(install)}'`);
    const modelPath = requireFile(positionals[0], 'model file');
    const referenceCsv = typeof values.reference === 'string' ? requireFile(values.reference, 'reference CSV') : undefined;

    const { exportBundle, normalizeTargets } = await import('../../export');
    let targets;
    try {
      targets = normalizeTargets(
        typeof values.targets === 'string'
          ? values.targets
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean)
          : undefined,
      );
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const controller = new AbortController();
    const onSigint = (): void => {
      process.stderr.write('model-lab export: cancelling…\n');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    try {
      const result = await exportBundle(modelPath, {
        outDir: values.out,
        targets,
        variant: typeof values.variant === 'string' ? values.variant : undefined,
        referenceCsv,
        force: values.force === true,
        verifyInstall: install,
        signal: controller.signal,
        onProgress: (p) => process.stderr.write(`model-lab export: [${p.done}/${p.total}] ${p.message}\n`),
      });
      if (values.json) {
        process.stdout.write(`${JSON.stringify(result.manifest, null, 2)}\n`);
      } else {
        const width = Math.max(...result.checks.map((c) => `${c.target} ${c.name}`.length));
        const mark = { pass: 'ok  ', fail: 'FAIL', skipped: 'skip' };
        const lines = result.checks.map((c) => `  ${mark[c.status]}  ${`${c.target} ${c.name}`.padEnd(width)}  ${c.detail}`);
        const bytes = result.manifest.files.reduce((a, f) => a + f.bytes, 0);
        const seconds = (result.manifest.timings.totalMs / 1000).toFixed(1);
        const head = `bundle: ${result.outDir} (${result.manifest.files.length} files, ${(bytes / 1024).toFixed(0)} KiB, ${seconds} s)`;
        process.stdout.write(`${[head, ...lines].join('\n')}\n`);
      }
      if (!result.ok) {
        const failed = result.checks.filter((c) => c.status === 'fail').map((c) => `${c.target}: ${c.detail}`);
        process.stderr.write(`model-lab export: ${failed.length} check(s) failed — ${failed.join(' | ')}\n`);
        return 1;
      }
      return 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};

export default exportCommand;
