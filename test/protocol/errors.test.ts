/**
 * The one error model: every error class a user can meet is a ModelLabError with its HTTP status and CLI
 * exit code, and each face maps them once — the app's onError (status + capped message, 5xx for the rest
 * with only an error id) and the CLI runner (exit code, one line on stderr).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Hono } from 'hono';
import type { Command } from '../../server/cli/command';
import { main } from '../../server/cli/run';
import { CompressError } from '../../server/compress/graph';
import { CsvFormatError } from '../../server/drift/csv/tokenizer';
import { EmptyCsvError } from '../../server/drift/csv/empty';
import { ExportError } from '../../server/export/staging';
import { TfjsConversionError, Unsupported } from '../../server/export/tfjs/errors';
import { ModelLoadError } from '../../server/model/index';
import { CsvError } from '../../server/model/reference';
import { InputError } from '../../server/protocol/codec';
import {
  CancelledError,
  EXIT_CANCELLED,
  EXIT_USAGE,
  EXIT_USER_ERROR,
  isCancellation,
  ModelLabError,
  throwIfCancelled,
  UsageError,
} from '../../server/protocol/errors';
import { HttpError } from '../../server/serve/routes/common';
import { repoPath, startTestServer, type TestServer } from '../helpers/server';

const cases: [name: string, error: ModelLabError, status: number, exitCode: number][] = [
  ['ModelLabError (defaults)', new ModelLabError('bad'), 400, EXIT_USER_ERROR],
  ['HttpError', new HttpError(404, 'no model'), 404, EXIT_USER_ERROR],
  ['InputError', new InputError('age', 'expected a number'), 400, EXIT_USER_ERROR],
  ['CsvError', new CsvError('ref.csv', 3, 'age', 'wrong number of fields'), 400, EXIT_USER_ERROR],
  ['ModelLoadError', new ModelLoadError('m.onnx', 'not a valid ONNX model'), 400, EXIT_USER_ERROR],
  ['ExportError', new ExportError("unknown target 'x'"), 400, EXIT_USER_ERROR],
  ['CompressError', new CompressError('no quantizable ops'), 400, EXIT_USER_ERROR],
  ['Unsupported', new Unsupported('no TF.js mapping'), 422, EXIT_USER_ERROR],
  ['TfjsConversionError', new TfjsConversionError([{ node: 'n', opType: 'Foo', reason: 'no mapping' }]), 422, EXIT_USER_ERROR],
  ['CsvFormatError', new CsvFormatError('cur.csv', 4, 7, 'unclosed quote'), 400, EXIT_USER_ERROR],
  ['EmptyCsvError', new EmptyCsvError('cur.csv', 'current', 'a header and no data rows'), 400, EXIT_USAGE],
  ['UsageError', new UsageError('--port must be a number'), 400, EXIT_USAGE],
  ['CancelledError', new CancelledError(), 409, EXIT_CANCELLED],
];

describe('each error class carries its HTTP status and CLI exit code', () => {
  for (const [name, error, status, exitCode] of cases) {
    test(name, () => {
      assert.ok(error instanceof ModelLabError, `${name} is a ModelLabError`);
      assert.equal(error.name, name === 'ModelLabError (defaults)' ? 'ModelLabError' : name, 'name says the class');
      assert.equal(error.status, status);
      assert.equal(error.exitCode, exitCode);
    });
  }
  test('field: InputError names its field, CsvError its column', () => {
    assert.equal(new InputError('age', 'x').field, 'age');
    assert.equal(new CsvError('f.csv', 2, 'height', 'x').field, 'height');
  });
});

test('cancellation is recognised by type, not by message', () => {
  assert.ok(isCancellation(new CancelledError('export cancelled; nothing was written')));
  assert.ok(isCancellation(Object.assign(new Error('whatever'), { name: 'AbortError' })));
  assert.ok(!isCancellation(new Error('cancelled')), 'a plain Error saying "cancelled" is not a cancellation');
  const controller = new AbortController();
  assert.doesNotThrow(() => throwIfCancelled(controller.signal));
  controller.abort();
  assert.throws(() => throwIfCancelled(controller.signal), CancelledError);
});

describe("the app's onError maps every ModelLabError once", () => {
  let server: TestServer;
  const logged: string[] = [];
  before(async () => {
    // The lab seam is where a caller adds routes: here, routes that throw each kind of error.
    const labRoutes = (app: Hono): void => {
      app.get('/test/error/:i', (c) => {
        throw cases[Number(c.req.param('i'))][1];
      });
      app.get('/test/long', () => {
        throw new ModelLabError(`bad ${'x'.repeat(5000)}`, { status: 422 });
      });
      app.get('/test/bug', () => {
        throw new TypeError('secret detail /home/me/file.ts:12');
      });
    };
    server = await startTestServer(repoPath('samples/iris/iris.onnx'), { app: { labRoutes, logError: (m) => logged.push(m) } });
  });
  after(() => server.close());

  test('status and {"error": message} for each class', async () => {
    for (const [i, [name, error, status]] of cases.entries()) {
      const res = await fetch(`${server.url}/test/error/${i}`);
      assert.equal(res.status, status, name);
      assert.deepEqual(await res.json(), { error: error.message }, name);
    }
  });

  test('the message is capped (it may quote user input)', async () => {
    const res = await fetch(`${server.url}/test/long`);
    assert.equal(res.status, 422);
    const { error } = (await res.json()) as { error: string };
    assert.ok(error.length < 1100, `capped: ${error.length} characters`);
  });

  test('anything else is a 500 with an error id only; the details are logged under it', async () => {
    const res = await fetch(`${server.url}/test/bug`);
    assert.equal(res.status, 500);
    const { error } = (await res.json()) as { error: string };
    assert.doesNotMatch(error, /secret|file\.ts/);
    const id = /error id ([0-9a-f]+)/.exec(error)?.[1];
    assert.ok(id, error);
    assert.ok(
      logged.some((line) => line.includes(id) && line.includes('secret detail')),
      'logged with the id',
    );
  });
});

describe('the CLI runner maps exit codes once', () => {
  const command = (error: unknown): Command => ({
    name: 'try',
    summary: '',
    usage: 'Usage: model-lab try',
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- commands may reject with anything; the runner must map it
    run: () => Promise.reject(error),
  });
  const run = async (error: unknown): Promise<{ code: number; err: string }> => {
    let err = '';
    const code = await main(
      ['try'],
      {
        out: () => undefined,
        err: (t) => {
          err += t;
        },
      },
      [command(error)],
    );
    return { code, err };
  };

  test("a ModelLabError ends with its exitCode and one line 'model-lab <command>: message'", async () => {
    for (const [name, error, , exitCode] of cases.filter(([, e]) => !(e instanceof UsageError))) {
      const { code, err } = await run(error);
      assert.equal(code, exitCode, name);
      assert.equal(err, `model-lab try: ${error.message.split('\n')[0]}\n`, name);
    }
  });

  test("a UsageError is exit 2 and points at the command's --help", async () => {
    const { code, err } = await run(new UsageError('--port must be a whole number'));
    assert.equal(code, EXIT_USAGE);
    assert.equal(err, "model-lab: --port must be a whole number; see 'model-lab try --help'\n");
  });

  test('anything else is exit 1 with its first line, capped', async () => {
    const { code, err } = await run(new Error(`ENOENT: ${'y'.repeat(5000)}\nsecond line`));
    assert.equal(code, EXIT_USER_ERROR);
    assert.equal(err.split('\n').length, 2, 'one line');
    assert.ok(err.length < 1100, `capped: ${err.length}`);
  });
});
