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
 * esbuild options writing the bundled server of the package at `root` (version `version`) to `outfile`.
 * No plugin: the entry starts the server without the lab routes (perf, drift, export jobs write files
 * beside the model and run long work — the dev server's business, not a deployment's), and since it
 * never imports server/serve/lab-routes.ts, esbuild leaves the lab and its engines out.
 */

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
  };
}
