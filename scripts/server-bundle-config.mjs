/**
 * The esbuild options of the deployable prediction server (`server/index.js` in a Docker bundle), in one
 * place for both builders: scripts/build.mjs prebuilds it into dist/bundle-server/index.js (what the VSIX
 * ships: an installed extension has neither the sources nor esbuild), and server/export/server-bundle.ts
 * rebuilds it from the sources only in a checkout whose prebuilt file is missing or older than them.
 * Plain JavaScript so that plain `node` (build.mjs) and tsx (the export, in tests) both load it.
 */
import { join } from 'node:path';

/** The entry, relative to the package root. */
export const SERVER_BUNDLE_ENTRY = 'server/serve/bundle-entry.ts';
/** Where scripts/build.mjs writes the prebuilt server, relative to the package root. */
export const PREBUILT_SERVER_BUNDLE = 'dist/bundle-server/index.js';

/**
 * The export and performance-lab routes write files beside the model and run long jobs: they belong to
 * the dev server, not to a production deployment, so they are replaced by empty modules.
 */
function noDevRoutesPlugin(root) {
  return {
    name: 'no-dev-routes',
    setup(build) {
      build.onResolve({ filter: /routes\/(export|perf|drift)$/ }, () => ({ path: 'dev-routes-stub', namespace: 'model-lab-stub' }));
      build.onLoad({ filter: /.*/, namespace: 'model-lab-stub' }, () => ({
        contents: "import { Hono } from 'hono'; import { z } from 'zod'; export const ExportRequestSchema = z.object({}); export function exportRoutes() { return new Hono(); }"
          + ' export const PerfCompareRequestSchema = z.object({}); export const PerfSaveRequestSchema = z.object({}); export const PerfServeRequestSchema = z.object({});'
          + ' export function perfRoutes() { return new Hono(); }'
          + ' export const DriftRequestSchema = z.object({}); export function registerDriftRoutes() {}',
        resolveDir: join(root, 'server/serve/routes'),
        loader: 'ts',
      }));
    },
  };
}

/** esbuild options writing the bundled server of the package at `root` (version `version`) to `outfile`. */
export function serverBundleOptions({ root, version, outfile }) {
  return {
    entryPoints: [join(root, SERVER_BUNDLE_ENTRY)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['onnxruntime-node'],
    loader: { '.proto': 'text' },
    define: { __MODEL_LAB_VERSION__: JSON.stringify(version) },
    minify: true,
    keepNames: true,
    legalComments: 'eof',
    logLevel: 'silent',
    plugins: [noDevRoutesPlugin(root)],
  };
}
