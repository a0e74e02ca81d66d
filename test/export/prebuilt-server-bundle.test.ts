/**
 * The export's docker target uses the prebuilt server (dist/bundle-server/index.js, shipped in the VSIX)
 * whenever it is current: always without sources (an installed extension), in a checkout only when it is
 * newer than every server source.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { prebuiltServerBundle } from '../../server/export/server-bundle';

test('prebuiltServerBundle: used without sources; in a checkout only while newer than the sources', () => {
  const root = mkdtempSync(join(tmpdir(), 'model-lab-prebuilt-'));
  try {
    assert.equal(prebuiltServerBundle(root), undefined, 'nothing prebuilt');
    const prebuilt = join(root, 'dist/bundle-server/index.js');
    mkdirSync(join(root, 'dist/bundle-server'), { recursive: true });
    writeFileSync(prebuilt, '// server');
    assert.equal(prebuiltServerBundle(root), prebuilt, 'an installation without sources (the VSIX)');
    mkdirSync(join(root, 'server/serve'), { recursive: true });
    const entry = join(root, 'server/serve/bundle-entry.ts');
    writeFileSync(entry, '// entry');
    utimesSync(entry, new Date(1_000_000), new Date(1_000_000));
    assert.equal(prebuiltServerBundle(root), prebuilt, 'a checkout whose prebuilt file is newer than its sources');
    utimesSync(entry, new Date(), new Date(Date.now() + 60_000));
    assert.equal(prebuiltServerBundle(root), undefined, 'a source edited after the build: rebuild from the sources');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
