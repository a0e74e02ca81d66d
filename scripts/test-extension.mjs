#!/usr/bin/env node
// `npm run test:extension [-- --repeat N] [host|e2e]`: only the extension tests — route A (the Mocha
// suite inside a real VS Code extension host, test/extension/host.test.ts) and route B (the packaged
// VSIX driven through the workbench UI, test/extension/e2e.test.ts) — after installing what they need
// (scripts/ensure-test-deps.mjs) and building. `--repeat N` runs them N times to check stability.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureExtensionTestDeps, ROOT } from './ensure-test-deps.mjs';

const args = process.argv.slice(2);
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Math.max(1, Number(args.splice(repeatAt, 2)[1]) || 1) : 1;
const picked = args.length ? args : ['host', 'e2e'];
const files = picked.map((name) => join('test', 'extension', `${name}.test.ts`));
const say = (msg) => console.log(`[test:extension] ${msg}`);

try {
  ensureExtensionTestDeps();
} catch (err) {
  console.error(`[test deps] ${err.message}`);
  process.exit(1);
}
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let failed = 0;
for (let run = 1; run <= repeat; run++) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  say(`run ${run}/${repeat}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (r.status !== 0) failed++;
}
if (repeat > 1) say(`${repeat - failed}/${repeat} runs passed`);
process.exit(failed ? 1 : 0);
