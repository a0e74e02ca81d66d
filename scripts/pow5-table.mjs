#!/usr/bin/env node
/**
 * Prints the table of 128-bit powers of five that server/drift/csv/fast-rows.c's Eisel–Lemire step
 * multiplies by: for q in [-96, 96], ⌊5^q · 2^s⌋ with s chosen so the value has exactly 128 bits (its top
 * bit set) — rounded down, as Go's strconv table is, so the step's error bounds hold. Paste the output
 * into POW5_128 when the range changes: `node scripts/pow5-table.mjs`.
 */
const MIN_Q = -96;
const MAX_Q = 96;
const hex = (x) => `0x${x.toString(16).padStart(16, '0')}ULL`;
const mask64 = (1n << 64n) - 1n;
for (let q = MIN_Q; q <= MAX_Q; q++) {
  const p = 5n ** BigInt(Math.abs(q));
  const bits = BigInt(p.toString(2).length);
  // q ≥ 0: 5^q shifted to 128 bits (exact up to 5^55); q < 0: 2^(127 + bits) / 5^|q|, which lies in (2^127, 2^128).
  const c = q >= 0 ? (bits <= 128n ? p << (128n - bits) : p >> (bits - 128n)) : (1n << (127n + bits)) / p;
  if (c >> 127n !== 1n) throw new Error(`5^${q} is not normalized`);
  console.log(`    {${hex(c >> 64n)}, ${hex(c & mask64)}}, /* 5^${q} */`);
}
