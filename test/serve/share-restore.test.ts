/**
 * `POST /api/share/restore`: the extension hands the tokens it minted on a crashed server process back to
 * the restarted one, so shared links survive the restart. Admin credential only; expired tokens are dropped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newToken } from '../../server/serve/auth';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

const ADMIN = newToken();
const admin = { authorization: `Bearer ${ADMIN}` };

describe('restoring share tokens after a restart', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(repoPath('samples/iris/iris.onnx'), { app: { auth: { adminToken: ADMIN, requireToken: true } } });
  });
  after(() => server.close());

  const status = async (token: string) =>
    (await fetch(`${server.url}/api/model`, { headers: { authorization: `Bearer ${token}` } })).status;

  test('a token minted on an earlier process works again once restored; expired ones are dropped', async () => {
    const live = {
      id: 'abc123',
      token: newToken(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      label: 'shared link',
      role: 'share',
    };
    const expired = { id: 'old', token: newToken(), expiresAt: new Date(Date.now() - 1000).toISOString() };
    assert.equal(await status(live.token), 401, 'unknown before the restore');
    const res = await postJson(`${server.url}/api/share/restore`, { shares: [live, expired] }, admin);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.deepEqual(res.json, { restored: 1 });
    assert.equal(await status(live.token), 200);
    assert.equal(await status(expired.token), 401);
    const listed = (await (await fetch(`${server.url}/api/share`, { headers: admin })).json()) as { shares: { id: string }[] };
    assert.ok(
      listed.shares.some((s) => s.id === live.id),
      'listed under its old id, so it can be revoked',
    );
    assert.equal((await fetch(`${server.url}/api/share/${live.id}`, { method: 'DELETE', headers: admin })).status, 200);
    assert.equal(await status(live.token), 401, 'revoked by its old id');
  });

  test('only the admin credential may restore, and only well-formed tokens', async () => {
    const share = await postJson(`${server.url}/api/share`, {}, admin);
    const { token } = share.json as { token: string };
    const chosen = { id: 'mine', token: newToken(), expiresAt: null };
    const asShare = await postJson(`${server.url}/api/share/restore`, { shares: [chosen] }, { authorization: `Bearer ${token}` });
    assert.equal(asShare.status, 403, 'a share link cannot install a token of its choosing');
    assert.equal(await status(chosen.token), 401);
    const short = await postJson(`${server.url}/api/share/restore`, { shares: [{ id: 'x', token: 'short', expiresAt: null }] }, admin);
    assert.equal(short.status, 400);
    assert.equal((await postJson(`${server.url}/api/share/restore`, { shares: 'no' }, admin)).status, 400);
  });
});
