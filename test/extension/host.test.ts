/**
 * Route A in `npm test`: the extension's Mocha suite (test/extension/suite/*.suite.ts) runs inside a real
 * VS Code extension host (code-server) and this test fails with the suite's output when it does.
 * Needs `node scripts/ensure-test-deps.mjs` (npm test runs it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSuiteInHost } from './harness/route-a';

test('extension suite passes in a real VS Code extension host (code-server)', { timeout: 400_000 }, async (t) => {
  const result = await runSuiteInHost();
  for (const line of result.log) if (/^\s+(✔|\d+\)|\d+ (passing|failing|pending))|^\s{2}\S/.test(line)) t.diagnostic(line);
  t.diagnostic(`suite run took ${result.durationMs} ms; figures ${JSON.stringify(result.figures)}`);
  assert.equal(result.exitCode, 0, `extension host exited with ${result.exitCode}; suite output:\n${result.log.join('\n')}`);
  assert.match(result.log.join('\n'), /\d+ passing/, `no Mocha summary in the host log:\n${result.log.join('\n')}`);
});
