/**
 * `model-lab predict` with an input that vanishes or cannot be read after the command checked it: a
 * clean one-line error and exit 1, no crash from an unhandled stream 'error' event, no half-written
 * output left behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { predictCsv } from '../../server/cli/commands/predict';
import { ModelLabError } from '../../server/protocol/errors';
import { loadModel } from '../../server/model';
import { repoPath } from '../helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'model-lab-predict-unreadable-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('an input CSV that vanished before it was read: a ModelLabError naming it, no partial output', async () => {
  const model = await loadModel(repoPath('samples/iris/iris.onnx'), { referenceCsv: repoPath('samples/iris/reference.csv') });
  try {
    const gone = join(dir, 'gone.csv');
    const output = join(dir, 'out.csv');
    await assert.rejects(predictCsv(model, gone, output, 512), (err: Error) => {
      assert.ok(err instanceof ModelLabError, `${err.name}: ${err.message}`);
      assert.equal(err.message, `cannot read ${gone}: it no longer exists (deleted or moved)`);
      return true;
    });
    assert.equal(existsSync(output), false);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.partial')),
      [],
      'the temporary output was removed',
    );
  } finally {
    await model.dispose();
  }
});

test(
  'the CLI with an input that fails while reading (EIO): exit 1 with one line, no stack trace',
  { skip: process.platform !== 'linux' && 'needs /proc' },
  () => {
    // /proc/self/mem passes the "is it a file" check, then every read at offset 0 fails with EIO:
    // a deterministic stand-in for a file that disappears or breaks while it is streamed.
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        repoPath('server/cli/main.ts'),
        'predict',
        repoPath('samples/iris/iris.onnx'),
        '/proc/self/mem',
        '-o',
        join(dir, 'p.csv'),
      ],
      { cwd: repoPath(), encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^model-lab predict: cannot read \/proc\/self\/mem: EIO/m);
    assert.doesNotMatch(r.stderr, /\n\s+at |node:events|Unhandled/, r.stderr);
    assert.equal(existsSync(join(dir, 'p.csv')), false);
  },
);
