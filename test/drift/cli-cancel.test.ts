/**
 * Ctrl+C on `model-lab drift`: a multi-pass run is cancelled like the Drift tab's Cancel — exit 130, a
 * word on stderr, and its spill folder (gigabytes on big files) removed, not left in the temp folder.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { once } from 'node:events';
import { mulberry32 } from '../../server/drift/math/random';

const ROOT = join(__dirname, '../..');
const MAIN = join(ROOT, 'server/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'drift-cancel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 300,000 rows × 8 pandas-style floats (~45 MB): several passes with --memory-mb 4. */
async function writeCsv(file: string, seed: number): Promise<void> {
  const random = mulberry32(seed);
  const out = createWriteStream(file);
  out.on('error', () => undefined);
  out.write('a,b,c,d,e,f,g,h\n');
  for (let block = 0; block < 300; block++) {
    const lines: string[] = [];
    for (let r = 0; r < 1000; r++) lines.push(Array.from({ length: 8 }, () => String(random() * 4 - 2)).join(','));
    if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

test('Ctrl+C during a multi-pass check exits 130 and removes the spill folder', { timeout: 120_000 }, async () => {
  const reference = join(dir, 'reference.csv');
  const current = join(dir, 'current.csv');
  await writeCsv(reference, 1);
  await writeCsv(current, 2);
  const temp = mkdtempSync(join(dir, 'tmp-'));
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'drift', reference, current, '--memory-mb', '4', '--no-mmd'], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: temp },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // Wait until the run has its spill folder, then press Ctrl+C.
  let sawSpill = false;
  while (child.exitCode === null) {
    if (readdirSync(temp).some((name) => name.startsWith('model-lab-drift-'))) {
      sawSpill = true;
      child.kill('SIGINT');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const [code] = await exited;
  assert.ok(sawSpill, `the run never made a spill folder (stderr: ${stderr.slice(-300)})`);
  assert.equal(code, 130, stderr.slice(-300));
  assert.match(stderr, /SIGINT, cancelling/);
  assert.match(stderr, /cancelled/);
  assert.deepEqual(
    readdirSync(temp).filter((name) => name.startsWith('model-lab-')),
    [],
  );
});
