/**
 * Spill files (csv/spill-file.ts): values written in chunks — direct (O_DIRECT, in the background) where
 * the file system takes it, else buffered — come back bit for bit, into buffers at any offset; a file
 * system without O_DIRECT, a chunk written after a padded one and a full disk are handled.
 */
import assert from 'node:assert/strict';
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync, statSync, truncateSync } from 'node:fs';
import { pbkdf2 } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { readSpill, setSpillDirect, spillRoom, spillStats, SpillWriter } from '../../server/drift/csv/spill-file';
import { mulberry32 } from '../../server/drift/math/random';

const dirs: string[] = [];
const tempDir = (parent = tmpdir()) => {
  const d = mkdtempSync(join(parent, 'drift-spill-file-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Whether files in `dir` can be opened with O_DIRECT (ext4 and most disk file systems; not tmpfs). */
function takesDirect(dir: string): boolean {
  if (constants.O_DIRECT === undefined) return false; // macOS, Windows
  const file = join(dir, 'probe');
  try {
    closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT, 0o600));
    return true;
  } catch {
    return false;
  } finally {
    rmSync(file, { force: true });
  }
}

const CHUNK = 1 << 16;

/** Writes `values` in chunks of CHUNK (the last one partial), as a spilled column does. */
async function spill(file: string, values: Float64Array): Promise<{ direct: boolean }> {
  const writer = new SpillWriter(file);
  const chunk = new Float64Array(CHUNK);
  for (let at = 0; at < values.length; at += CHUNK) {
    const n = Math.min(CHUNK, values.length - at);
    chunk.set(values.subarray(at, at + n));
    writer.write(chunk, n);
    chunk.fill(NaN); // the writer must have copied what it needs: the column reuses its chunk at once
    // Now and then a turn of the event loop, as between the reader's file chunks: writes finish, slots are reused.
    if ((at / CHUNK) % 3 === 2) await new Promise((resolve) => setImmediate(resolve));
  }
  const closed = writer.close();
  await writer.settled();
  return closed;
}

function randomValues(n: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  return Float64Array.from({ length: n }, (_, i) => (i % 97 === 0 ? -0 : (random() - 0.5) * 10 ** (random() * 20 - 10)));
}

const sameBits = (a: Float64Array, b: Float64Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

test('values spilled in chunks come back bit for bit, into a buffer at any offset (direct where the disk takes it)', async (t) => {
  // However fast the disk is just now: the speed check is the next test's.
  setSpillDirect(true, 0);
  t.after(() => setSpillDirect(true));
  const dir = tempDir();
  const direct = takesDirect(dir);
  // 20 whole chunks and a partial one: more than the thread's first timed writes, so most go in the background.
  const values = randomValues(20 * CHUNK + 1000, 1);
  const before = { ...spillStats };
  const file = join(dir, 'a.f64');
  const closed = await spill(file, values);
  assert.equal(closed.direct, direct);
  if (direct) {
    assert.equal(spillStats.directBytes - before.directBytes, values.length * 8);
    assert.equal(statSync(file).size % 4096, 0, 'a direct file is padded to whole blocks');
  } else {
    assert.equal(spillStats.bufferedBytes - before.bufferedBytes, values.length * 8);
  }
  // Rooms at byte offsets 0, 8 and 4,088 of their buffers (a pool hands out whole buffers; views may start anywhere).
  for (const offset of [0, 1, 511]) {
    const room = new Float64Array(new ArrayBuffer((offset + spillRoom(values.length)) * 8), offset * 8, spillRoom(values.length));
    new Float64Array(room.buffer).fill(7);
    const reads = spillStats.directReads;
    const got = await readSpill({ file, count: values.length, ...closed }, room);
    assert.ok(
      new Float64Array(room.buffer, 0, offset).every((v) => v === 7),
      'nothing written before the room',
    );
    assert.equal(got.length, values.length);
    assert.equal(got.buffer, room.buffer, 'read in place, not into a new buffer');
    assert.ok(sameBits(got, values), `offset ${offset}`);
    assert.equal(spillStats.directReads - reads, direct ? 1 : 0);
  }
});

test('a disk slower than the threshold on a thread’s first writes turns direct I/O off: the file goes buffered, same values', async (t) => {
  const dir = tempDir();
  if (!takesDirect(dir)) return t.skip('this file system takes no O_DIRECT');
  setSpillDirect(true, Infinity); // every disk is "too slow"
  t.after(() => setSpillDirect(true));
  const values = randomValues(12 * CHUNK, 3);
  const before = { ...spillStats };
  const file = join(dir, 'slow.f64');
  const closed = await spill(file, values);
  assert.equal(closed.direct, false);
  assert.equal(spillStats.directBytes - before.directBytes, 8 * CHUNK * 8, 'the 8 timed writes went direct, the rest buffered');
  assert.equal(spillStats.bufferedBytes - before.bufferedBytes, 4 * CHUNK * 8);
  const room = new Float64Array(spillRoom(values.length));
  const got = await readSpill({ file, count: values.length, ...closed }, room);
  assert.ok(sameBits(got, values));
});

test('a chunk written after a partial one, and direct I/O turned off, go through the page cache: same values', async (t) => {
  const dir = tempDir();
  const values = randomValues(3 * CHUNK, 2);
  const file = join(dir, 'b.f64');
  const writer = new SpillWriter(file);
  // libuv's thread pool kept busy: a write made in the background would land after the next synchronous one.
  const busy = Array.from({ length: 8 }, () => promisify(pbkdf2)('x', 'y', 200_000, 32, 'sha256'));
  writer.write(values.subarray(0, 100), 100); // partial (padded when direct): the next write cannot follow it directly
  writer.write(values.subarray(100), values.length - 100); // overwrites the padding, which must be on disk first
  const closed = writer.close();
  await writer.settled();
  await Promise.all(busy);
  assert.equal(closed.direct, false);
  const got = await readSpill({ file, count: values.length, ...closed }, new Float64Array(spillRoom(values.length)));
  assert.ok(sameBits(got, values));

  setSpillDirect(false);
  t.after(() => setSpillDirect(true));
  const before = spillStats.bufferedBytes;
  const off = join(dir, 'c.f64');
  const closedOff = await spill(off, values);
  assert.equal(closedOff.direct, false);
  assert.equal(spillStats.bufferedBytes - before, values.length * 8);
  assert.equal(statSync(off).size, values.length * 8, 'buffered files hold the values only');
  assert.ok(
    sameBits(await readSpill({ file: off, count: values.length, ...closedOff }, new Float64Array(spillRoom(values.length))), values),
  );
});

test(
  'in a tmpfs folder (TMPDIR in memory) the spill works whether or not it takes O_DIRECT',
  { skip: !existsSync('/dev/shm') },
  async () => {
    const dir = tempDir('/dev/shm');
    const values = randomValues(12 * CHUNK + 5, 3);
    const file = join(dir, 'd.f64');
    const closed = await spill(file, values);
    assert.equal(closed.direct, takesDirect(dir)); // older kernels' tmpfs refuse O_DIRECT: then it is buffered
    assert.ok(sameBits(await readSpill({ file, count: values.length, ...closed }, new Float64Array(spillRoom(values.length))), values));
  },
);

test('a full disk is said plainly, and a spill file cut short is an error, not garbage', { skip: !existsSync('/dev/full') }, async () => {
  const full = new SpillWriter('/dev/full');
  assert.throws(() => full.write(new Float64Array(CHUNK), CHUNK), /temporary folder is full/);
  full.close();

  const dir = tempDir();
  const values = randomValues(2 * CHUNK, 4);
  const file = join(dir, 'e.f64');
  const closed = await spill(file, values);
  truncateSync(file, CHUNK * 8);
  await assert.rejects(
    readSpill({ file, count: values.length, ...closed }, new Float64Array(spillRoom(values.length))),
    /shorter than expected/,
  );
});
