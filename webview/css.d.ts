// esbuild bundles `import './styles.css'` into dist/webview/main.css; TypeScript only needs to know it exists.
declare module '*.css';
