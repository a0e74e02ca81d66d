/**
 * The command registry. To add a command (drift, bench, compress, export…): write
 * `server/cli/commands/<name>.ts` default-exporting a `Command` (see ../command.ts) and add a line
 * here with the same name and summary (test/cli/registry.test.ts checks they agree).
 * The order here is the order of `model-lab --help`.
 *
 * Commands are loaded only when run: each pulls in its own engine (serve: Hono and the lab; drift:
 * the CSV reader and tests…), and loading all of them cost ~0.2 s of every `model-lab` start. In
 * dist/ each command is its own bundle, `dist/server/cli-<name>.js` (scripts/build.mjs maps these
 * `import()`s to them), so `model-lab drift` reads and compiles only the drift bundle.
 */
import type { Command } from '../command';

/** What `--help` needs without loading a command, and how to load it. */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'serve',
    summary: 'serve a model over HTTP with a web form, hot reload and batching',
    load: async () => (await import('./serve')).default,
  },
  {
    name: 'info',
    summary: 'describe a model: signature, inputs/outputs, opsets, parameters, ops',
    load: async () => (await import('./info')).default,
  },
  {
    name: 'predict',
    summary: 'predict every row of a CSV file offline (streamed)',
    load: async () => (await import('./predict')).default,
  },
  {
    name: 'drift',
    summary: 'compare current data with reference data (CSV or Parquet): per-column drift tests and verdicts',
    load: async () => (await import('./drift')).default,
  },
  {
    name: 'bench',
    summary: 'latency of a model here, and of its int8/fp16/pruned variants (size, speed, agreement)',
    load: async () => (await import('./bench')).default,
  },
  {
    name: 'loadtest',
    summary: 'how much traffic a model takes on this machine: concurrency sweep, knee, rate under a p99 target, capacity & cost',
    load: async () => (await import('./loadtest')).default,
  },
  {
    name: 'compress',
    summary: 'write an int8 / fp16 / pruned variant of a model, with a per-node summary',
    load: async () => (await import('./compress')).default,
  },
  {
    name: 'export',
    summary: 'write a verified deployment bundle (Docker/server, ONNX, TF.js, Kubernetes, KServe, Triton)',
    load: async () => (await import('./export')).default,
  },
  {
    name: 'explain',
    summary: 'explain a model: permutation importance, partial dependence / ICE and SHAP values',
    load: async () => (await import('./explain')).default,
  },
];
