/** Shared prototype links: requests without the token get 401, with it the API and the UI answer; revoked → 401. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { activate, workspaceFile, type ModelLabTestApi } from './model-lab';

describe('share links', () => {
  const model = workspaceFile('flights', 'flights.onnx');
  let api: ModelLabTestApi;
  let origin: string;

  before(async () => {
    const exported = await activate();
    assert.ok(exported?.share, 'activate() returns no test API (see extension/TESTING.md)');
    api = exported;
    const server = await api.servers.start(model.fsPath);
    assert.ok(server.url, `no url for a started server: ${JSON.stringify(server)}`);
    origin = server.url;
  });
  after(async () => {
    await api?.servers.stop(model.fsPath).catch(() => undefined);
  });

  it('rejects requests without a valid token and accepts the shared link', async () => {
    const share = await api.share.create(model.fsPath);
    assert.ok(share.token.length >= 22, `token too short for 128 bits: ${share.token.length} chars`);
    assert.equal((await fetch(`${origin}/api/model`)).status, 401, 'no token');
    assert.equal((await fetch(`${origin}/api/model`, { headers: { authorization: `Bearer ${share.token}x` } })).status, 401, 'wrong token');
    const unauthorized = await fetch(`${origin}/v2/models/flights/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(unauthorized.status, 401, 'inference without a token');
    assert.equal((await fetch(`${origin}/api/model`, { headers: { authorization: `Bearer ${share.token}` } })).status, 200, 'bearer token');
    const page = await fetch(share.localUrl);
    assert.equal(page.status, 200, `the shared link ${share.localUrl} itself`);
    assert.match(await page.text(), /<html/i);
  });

  it('revoking a link makes its token fail', async () => {
    const share = await api.share.create(model.fsPath);
    await api.share.revoke(model.fsPath, share.id);
    assert.equal((await fetch(`${origin}/api/model`, { headers: { authorization: `Bearer ${share.token}` } })).status, 401);
  });
});
