/**
 * Counts text cells by their raw bytes, without making a JS string per cell: a cell's bytes are hashed
 * (FNV-1a) into an open-addressing table of ids, first-seen order. Strings are made once per distinct
 * value at the end — on 200k-row files this removed most of the categorical cost (string creation,
 * Map lookups and the garbage they left).
 */

/** A distinct cell spelling and how many cells had it. */
export interface DictionaryEntry {
  text: string;
  count: number;
}

export class ByteDictionary {
  private slots = new Int32Array(64); // id + 1, 0 = empty
  private hashes = new Int32Array(16);
  private offsets = new Int32Array(16);
  private lengths = new Int32Array(16);
  /** 1 when the cell was quoted with `""` escapes (same bytes, different text than unquoted). */
  private escapedFlags = new Uint8Array(16);
  private counts = new Float64Array(16);
  private pool = Buffer.allocUnsafe(1024);
  private poolUsed = 0;
  size = 0;

  /** Counts the cell buf[start, end). */
  add(buf: Buffer, start: number, end: number, escaped: number): void {
    let h = 0x811c9dc5 ^ escaped;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const mask = this.slots.length - 1;
    const len = end - start;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const slot = this.slots[s];
      if (slot === 0) {
        this.insert(s, h, buf, start, len, escaped);
        return;
      }
      const id = slot - 1;
      if (this.hashes[id] === h && this.lengths[id] === len && this.escapedFlags[id] === escaped && this.sameBytes(id, buf, start, len)) {
        this.counts[id]++;
        return;
      }
    }
  }

  private sameBytes(id: number, buf: Buffer, start: number, len: number): boolean {
    const pool = this.pool;
    const off = this.offsets[id];
    for (let k = 0; k < len; k++) if (pool[off + k] !== buf[start + k]) return false;
    return true;
  }

  private insert(slot: number, h: number, buf: Buffer, start: number, len: number, escaped: number): void {
    const id = this.size++;
    if (id === this.hashes.length) this.growEntries();
    if (this.poolUsed + len > this.pool.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.pool.length * 2, this.poolUsed + len));
      this.pool.copy(grown, 0, 0, this.poolUsed);
      this.pool = grown;
    }
    buf.copy(this.pool, this.poolUsed, start, start + len);
    this.hashes[id] = h;
    this.offsets[id] = this.poolUsed;
    this.lengths[id] = len;
    this.escapedFlags[id] = escaped;
    this.counts[id] = 1;
    this.poolUsed += len;
    this.slots[slot] = id + 1;
    // Keep the table at most half full so probes stay short.
    if (this.size * 2 > this.slots.length) this.rehash();
  }

  private growEntries(): void {
    const n = this.hashes.length * 2;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes, (k) => new Int32Array(k));
    this.offsets = grow(this.offsets, (k) => new Int32Array(k));
    this.lengths = grow(this.lengths, (k) => new Int32Array(k));
    this.escapedFlags = grow(this.escapedFlags, (k) => new Uint8Array(k));
    this.counts = grow(this.counts, (k) => new Float64Array(k));
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let s = this.hashes[id] & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = id + 1;
    }
    this.slots = slots;
  }

  /**
   * Entry `id`'s raw bytes (a view of the pool, valid until the next `add`) and its `""` flag: what the
   * fast path's dictionary cache (fast-rows.ts) is given, to count such cells itself.
   */
  entryBytes(id: number): Buffer {
    const off = this.offsets[id];
    return this.pool.subarray(off, off + this.lengths[id]);
  }

  entryEscaped(id: number): number {
    return this.escapedFlags[id];
  }

  /** Adds `n` cells of entry `id` counted elsewhere (the fast path's cache). */
  addCount(id: number, n: number): void {
    this.counts[id] += n;
  }

  /** Distinct texts in first-seen order (`""` unescaped; spellings that unescape alike merged). */
  entries(): DictionaryEntry[] {
    const byText = new Map<string, DictionaryEntry>();
    for (let id = 0; id < this.size; id++) {
      const raw = this.pool.toString('utf8', this.offsets[id], this.offsets[id] + this.lengths[id]);
      const text = this.escapedFlags[id] ? raw.replaceAll('""', '"') : raw;
      const known = byText.get(text);
      if (known) known.count += this.counts[id];
      else byText.set(text, { text, count: this.counts[id] });
    }
    return [...byText.values()];
  }
}
