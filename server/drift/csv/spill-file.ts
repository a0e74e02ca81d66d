/**
 * The spill files' reads and writes (spill.ts, column.ts): float64 values written while the first pass
 * reads a big CSV, read back by the later passes. Where the file system takes it, both go around the page
 * cache (O_DIRECT): the disk reads them from and writes them into our own buffers, and the writes run in
 * the background (libuv's thread pool) while this thread goes on parsing.
 *
 * Why: a buffered write copies every value into fresh page-cache pages. On the 10M × 20 pair that is
 * 2.6 GB, and on a VM fresh pages are dear (first touch of each 4 KiB page costs microseconds): the
 * kernel's copy was 11–15% of the check's CPU (system time 11–12 s of ~48 s; 4 s with O_DIRECT).
 *
 * When not: O_DIRECT needs buffers, lengths and offsets aligned to the disk's block. Writes go through
 * page-aligned staging slots (a WebAssembly memory: mapped page-aligned, unlike an ArrayBuffer); reads go
 * straight into the column's buffer at an offset that meets the disk's rule, found once per buffer by
 * trying (Node tells no addresses; the kernel refuses a misaligned read with EINVAL and reads nothing).
 * A file system without O_DIRECT (tmpfs, where pages are memory anyway) or a refused write makes that file
 * buffered; a disk slower than DIRECT_MIN_MB_PER_S (timed on the first writes) turns direct I/O off for
 * the thread, since the later passes would wait for it — the page cache keeps the values in memory — and
 * when every staging slot is still being written (the disk is behind) the chunk goes buffered instead of
 * waiting. The values are the same either way.
 */
import { closeSync, constants, openSync, read, readSync, write, writeSync } from 'node:fs';
import { ModelLabError } from '../../protocol/errors';

/** Offsets, lengths and buffers of direct I/O are kept at multiples of this (covers 512 B and 4 KiB sectors). */
const ALIGN = 4096;
/** Below this write speed a thread's spill goes buffered (the later passes read it back at about this speed). */
const DIRECT_MIN_MB_PER_S = 400;
/** The first writes of a thread are made synchronously and timed: the disk's speed. */
const TIMED_WRITES = 8;
/** Staging slots per thread for writes in flight, and their size (the column's chunk: 65,536 values). */
const SLOTS = 16;
const SLOT_BYTES = 512 << 10;

/** Per thread: whether direct I/O is in use (off for good once the disk proved slow) and the timed writes. */
const direct = { on: true, timed: 0, bytes: 0, ms: 0, minMbPerS: DIRECT_MIN_MB_PER_S };
/** Linux's flag; macOS and Windows have none (there every spill file is buffered). */
const O_DIRECT: number | undefined = constants.O_DIRECT;

/**
 * Turns direct I/O off (or on again) in this thread and times the next writes afresh: tests run both
 * ways. `minMbPerS`: the speed below which the timed writes turn it off (tests pin the outcome with 0 or
 * Infinity: a shared machine's disk may be fast or slow at any moment).
 */
export function setSpillDirect(on: boolean, minMbPerS = DIRECT_MIN_MB_PER_S): void {
  direct.on = on && O_DIRECT !== undefined;
  direct.minMbPerS = minMbPerS;
  direct.timed = 0;
  direct.bytes = 0;
  direct.ms = 0;
}

/** What tests look at: bytes written and files read each way in this thread. */
export const spillStats = { directBytes: 0, bufferedBytes: 0, directReads: 0, bufferedReads: 0 };

/** The page-aligned staging memory: SLOTS slots, plus room for a synchronous write of any size. */
let staging: { memory: Uint8Array; free: number[] } | null = null;
function slot(i: number): Uint8Array {
  return staging!.memory.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES);
}
function stagingFor(bytes: number): Uint8Array {
  const need = SLOTS * SLOT_BYTES + bytes;
  if (!staging || staging.memory.length < need) {
    const pages = Math.ceil(need / 65536);
    const memory = new Uint8Array(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer);
    // Slots still being written keep their old memory alive through the write's own reference.
    staging = { memory, free: Array.from({ length: SLOTS }, (_, i) => i) };
  }
  return staging.memory.subarray(SLOTS * SLOT_BYTES, SLOTS * SLOT_BYTES + bytes);
}

const roundUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/** The error a failed spill write ends the check with (a full disk is said plainly). */
function spillWriteError(err: unknown): unknown {
  if ((err as NodeJS.ErrnoException)?.code !== 'ENOSPC') return err;
  return new ModelLabError(
    'the temporary folder is full: a check in several passes keeps 8 bytes per numeric value of the later column ' +
      'groups there — free space, point TMPDIR at a larger disk, or give more memory (--memory-mb) for fewer passes',
    { status: 500 },
  );
}

/** Writes one column's values to its spill file, in order; `close()` says how to read it back. */
export class SpillWriter {
  private fd = -1;
  /** Every write so far went direct (the file is then padded to ALIGN and may be read direct). */
  private allDirect = true;
  private written = 0;
  /** Direct writes in flight; the descriptor they use when the file went buffered since (closed after them). */
  private pending = 0;
  private retiredFd = -1;
  private closing = false;
  /** Writes in flight, and the first error one of them met. */
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown = null;

  constructor(private readonly file: string) {}

  /** Appends values[0, count). */
  write(values: Float64Array, count: number): void {
    if (this.failure !== null) throw spillWriteError(this.failure);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, count * 8);
    try {
      if (this.fd < 0) this.openFile();
      if (this.allDirect && direct.on && this.written % ALIGN === 0 && this.writeDirect(bytes)) return;
      if (this.allDirect) this.reopenBuffered();
      for (let off = 0; off < bytes.length;) off += writeSync(this.fd, bytes, off, bytes.length - off, this.written + off);
    } catch (err) {
      throw spillWriteError(err);
    }
    this.written += bytes.length;
    spillStats.bufferedBytes += bytes.length;
  }

  /** Waits for the writes in flight (the file is then whole on disk); throws the first one's error. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    if (this.failure !== null) throw spillWriteError(this.failure);
  }

  /**
   * Closes the file once its writes in flight are done (settled() waits for that): `direct` when
   * it was written (and padded) direct, so it can be read direct.
   */
  close(): { direct: boolean } {
    this.closing = true;
    if (this.pending === 0) this.closeIdle();
    return { direct: this.allDirect && this.written > 0 };
  }

  private openFile(): void {
    if (direct.on && O_DIRECT !== undefined) {
      try {
        this.fd = openSync(this.file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | O_DIRECT, 0o600);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err; // EINVAL: no O_DIRECT here (tmpfs)
      }
    }
    this.allDirect = false;
    this.fd = openSync(this.file, 'w', 0o600);
  }

  /** From here on this file is written through the page cache (its direct writes in flight go on beside). */
  private reopenBuffered(): void {
    this.allDirect = false;
    const fd = openSync(this.file, constants.O_WRONLY, 0o600);
    if (this.pending === 0) closeSync(this.fd);
    else this.retiredFd = this.fd;
    this.fd = fd;
  }

  /**
   * One direct write of `bytes` (zero-padded to ALIGN): synchronous (and timed) for a thread's first
   * writes and for a padded one, else in the background from a free staging slot. False when it was not written (the kernel
   * refused it, or no slot is free).
   */
  private writeDirect(bytes: Uint8Array): boolean {
    const length = roundUp(bytes.length);
    // A padded write is made synchronously: a later write to this file (buffered, since it cannot follow
    // padding directly) overwrites the padding, so the padding must be on disk first.
    if (direct.timed < TIMED_WRITES || length > SLOT_BYTES || length !== bytes.length) {
      const buffer = stagingFor(length);
      buffer.set(bytes);
      buffer.fill(0, bytes.length, length);
      const started = performance.now();
      try {
        for (let off = 0; off < length;) off += writeSync(this.fd, buffer, off, length - off, this.written + off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
        return false; // refused (nothing written): this file goes on buffered
      }
      this.timeWrite(length, performance.now() - started);
    } else {
      stagingFor(0);
      const i = staging!.free.pop();
      if (i === undefined) return false;
      const buffer = slot(i);
      buffer.set(bytes);
      buffer.fill(0, bytes.length, length);
      this.pending++;
      const done = new Promise<void>((resolve) => {
        write(this.fd, buffer, 0, length, this.written, (err) => {
          if (err && this.failure === null) this.failure = err;
          if (staging?.memory.buffer === buffer.buffer) staging.free.push(i);
          if (--this.pending === 0) this.closeIdle();
          this.inFlight.delete(done);
          resolve();
        });
      });
      this.inFlight.add(done);
    }
    this.written += bytes.length;
    spillStats.directBytes += bytes.length;
    return true;
  }

  private timeWrite(bytes: number, ms: number): void {
    if (direct.timed >= TIMED_WRITES) return;
    direct.timed++;
    direct.bytes += bytes;
    direct.ms += ms;
    if (direct.timed === TIMED_WRITES && direct.bytes / 1000 / Math.max(direct.ms, 1e-3) < direct.minMbPerS) direct.on = false;
  }

  /** No direct write in flight: closes the descriptor they used, and the file's own once close() was called. */
  private closeIdle(): void {
    if (this.retiredFd >= 0) closeSync(this.retiredFd);
    this.retiredFd = -1;
    if (this.closing && this.fd >= 0) closeSync(this.fd);
    if (this.closing) this.fd = -1;
  }
}

/** Per buffer: the byte offset (mod ALIGN) where direct reads into it may start, or -1 when none does. */
const alignment = new WeakMap<ArrayBufferLike, number>();

/**
 * Where direct reads into `room`'s buffer may start (mod ALIGN), found by reading the file's first block
 * to each 8-byte offset of `room` (never outside it) until the kernel takes one.
 */
function probeAlignment(fd: number, room: Float64Array): number {
  const known = alignment.get(room.buffer);
  if (known !== undefined) return known;
  let found = -1;
  const view = new Uint8Array(room.buffer, room.byteOffset, room.byteLength);
  for (let off = 0; off + ALIGN <= view.length && off < ALIGN; off += 8) {
    try {
      readSync(fd, view, off, ALIGN, 0);
      found = (room.byteOffset + off) % ALIGN;
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    }
  }
  // Not remembered when nothing fit: a larger room of the same buffer may still find one.
  if (found >= 0 || view.length >= 2 * ALIGN) alignment.set(room.buffer, found);
  return found;
}

/** Room to ask for when a spill of `count` values will be read into it: the values, alignment and padding. */
export function spillRoom(count: number): number {
  return count + (2 * ALIGN) / 8;
}

/**
 * Reads a spill file of `count` values into `room` (at least spillRoom(count) values; its buffer's
 * contents are overwritten) and returns the view holding them.
 */
export async function readSpill(spill: { file: string; count: number; direct?: boolean }, room: Float64Array): Promise<Float64Array> {
  const bytes = spill.count * 8;
  if (spill.direct && bytes > 0 && O_DIRECT !== undefined) {
    const values = await readDirect(spill.file, bytes, room, O_DIRECT);
    if (values) return values;
  }
  const values = room.subarray(0, spill.count);
  await readInto(openSync(spill.file, 'r'), new Uint8Array(values.buffer, values.byteOffset, bytes));
  spillStats.bufferedReads++;
  return values;
}

async function readDirect(file: string, bytes: number, room: Float64Array, flag: number): Promise<Float64Array | null> {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | flag);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return null;
    throw err;
  }
  let start = -1;
  try {
    const at = probeAlignment(fd, room);
    // The first offset at or after the view's own that is `at` modulo ALIGN, when the values and padding fit after it.
    if (at >= 0) start = room.byteOffset + ((at - (room.byteOffset % ALIGN) + ALIGN) % ALIGN);
    if (start < 0 || start + roundUp(bytes) > room.byteOffset + room.byteLength) start = -1;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (start < 0) {
    closeSync(fd);
    return null;
  }
  await readInto(fd, new Uint8Array(room.buffer, start, roundUp(bytes)));
  spillStats.directReads++;
  return new Float64Array(room.buffer, start, bytes / 8);
}

/**
 * Reads the file's first `target.length` bytes into `target` and closes `fd`. The caller opens the file
 * synchronously so that the read is queued at once: the disk then works while this thread sorts the
 * previous column (an asynchronous open would wait for the event loop, i.e. for the sort to end).
 */
function readInto(fd: number, target: Uint8Array): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const from = (off: number): void => {
      if (off >= target.length) return resolve();
      // At most 1 GiB per read (the kernel's limit per call is just under 2 GiB).
      read(fd, target, off, Math.min(target.length - off, 1 << 30), off, (err, bytesRead) => {
        if (err) reject(err);
        // Not the file's name: it is ours, in a private temporary folder.
        else if (bytesRead === 0)
          reject(new Error('a drift spill file is shorter than expected (was the temporary folder cleaned during the check?)'));
        else from(off + bytesRead);
      });
    };
    from(0);
  }).finally(() => closeSync(fd));
}
