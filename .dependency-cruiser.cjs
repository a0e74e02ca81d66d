/**
 * The house's layering, checked by `npm run check:deps` (dependency-cruiser; part of `npm test`).
 *
 *   server/protocol/   the shared contract (HTTP types, codec, errors, the UI page shell): imports nothing
 *                      else of ours, so every face may import it
 *   server/model/      the ground floor: loads and runs a model
 *   server/{bench,compress,drift,export,explain,loadtest}/   engines: stand on model/ (and protocol/),
 *                      never on the faces (serve/, cli/)
 *   server/serve/, server/cli/   the HTTP and command-line faces over the engines
 *   webview/           the UI: talks to the server over HTTP, imports only server/protocol/
 *   extension/         the VS Code shell: spawns the CLI, imports only server/protocol/ and webview/'s
 *                      typed panel messages
 * Type-only imports count (tsPreCompilationDeps): a type cycle is still a design cycle.
 */
const ENGINES = '^server/(model|bench|compress|drift|export|explain|loadtest)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles: split the shared part into its own file (types.ts, a protocol/ module).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'protocol-is-a-leaf',
      severity: 'error',
      comment: 'server/protocol/ is what every face shares; it must not pull in the engines, the server faces, the UI or the extension.',
      from: { path: '^server/protocol/' },
      to: { path: '^(server/(?!protocol/)|webview/|extension/)', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'protocol-types-from-engines',
      severity: 'error',
      comment: 'Types the contract shares belong in server/protocol/, not re-exported from an engine.',
      from: { path: '^server/protocol/' },
      to: { path: '^(server/(?!protocol/)|webview/|extension/)', dependencyTypes: ['type-only'] },
    },
    {
      name: 'webview-only-protocol',
      severity: 'error',
      comment: 'The UI talks to the server over HTTP: of server/ it imports only the contract in server/protocol/.',
      from: { path: '^webview/' },
      to: { path: '^server/', pathNot: '^server/protocol/' },
    },
    {
      name: 'server-not-extension-or-webview',
      severity: 'error',
      comment: 'server/ knows nothing of VS Code or of the UI code (the page shell it serves is in server/protocol/).',
      from: { path: '^server/' },
      to: { path: '^(extension|webview)/' },
    },
    {
      name: 'engines-not-faces',
      severity: 'error',
      comment:
        'Engines (model, bench, compress, drift, export, explain) are used by serve/ and cli/, never the other way round (this also keeps export/ off cli/).',
      from: { path: ENGINES },
      to: { path: '^server/(serve|cli)/' },
    },
    {
      name: 'model-is-the-ground-floor',
      severity: 'error',
      comment: 'model/ stands on nothing but protocol/: the other engines build on it.',
      from: { path: '^server/model/' },
      to: { path: '^server/(bench|compress|drift|export|explain|loadtest)/' },
    },
    {
      name: 'extension-only-protocol',
      severity: 'error',
      comment: 'The extension runs the server as a child process (the CLI); of server/ it imports only server/protocol/.',
      from: { path: '^extension/' },
      to: { path: '^server/', pathNot: '^server/protocol/' },
    },
    {
      name: 'extension-webview-messages-only',
      severity: 'error',
      comment: 'Of webview/ the extension imports only the typed panel messages (the UI itself is a bundle it loads).',
      from: { path: '^extension/' },
      to: { path: '^webview/', pathNot: '^webview/lab-panel-messages\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|\\.cache)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
