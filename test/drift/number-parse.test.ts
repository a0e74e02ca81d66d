/**
 * The byte-level number parser is correctly rounded: bit-identical to Number() on the decimals pandas
 * writes (17 significant digits), on long mantissas (18–20 digits), on exact half-way points between
 * two doubles and their neighbours, at the ends of the exponent range and on subnormals.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../server/drift/math/random';
import { parseNumberBytes } from '../../server/drift/csv/values';
import { parseLongDecimal, UNDECIDED } from '../../server/drift/csv/long-decimal';

/** Checks every text, collecting at most a few failures so a broken parser reports readably. */
function checkAll(texts: Iterable<string>): number {
  const failures: string[] = [];
  let n = 0;
  for (const text of texts) {
    n++;
    const buf = Buffer.from(text);
    const got = parseNumberBytes(buf, 0, buf.length);
    const want = Number(text);
    if (!Object.is(got, want) && failures.length < 5) failures.push(`${text}: got ${got}, Number() gives ${want}`);
  }
  assert.deepEqual(failures, []);
  return n;
}

const digitsOf = (random: () => number, n: number) => {
  let s = String(1 + Math.floor(random() * 9)); // a significant first digit
  for (let i = 1; i < n; i++) s += String(Math.floor(random() * 10));
  return s;
};

test('1,200,000 random 17-digit decimals, spelled as pandas writes them and with exponents, match Number() bit for bit', () => {
  const random = mulberry32(2024);
  function* texts() {
    for (let k = 0; k < 1_200_000; k++) {
      const digits = digitsOf(random, 17);
      const sign = random() < 0.5 ? '-' : '';
      const form = k % 4;
      if (form === 0) {
        // d.dddddddddddddddd (as in -0.8019314252534474 or 3.4567890123456789)
        yield `${sign}${digits[0]}.${digits.slice(1)}`;
      } else if (form === 1) {
        // 0.0ddd… and ddd.ddd: the decimal point anywhere, up to 21 fraction digits
        const point = Math.floor(random() * 22) - 4;
        yield point <= 0 ? `${sign}0.${'0'.repeat(-point)}${digits}` : `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
      } else if (form === 2) {
        // pandas' scientific form: d.ddde-05, d.ddde+16
        const exp = Math.floor(random() * 60) - 30;
        yield `${sign}${digits[0]}.${digits.slice(1)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
      } else {
        // the repr of a random double (shortest round-trip digits, 1–17 of them)
        const x = (random() - 0.5) * 10 ** (Math.floor(random() * 44) - 22);
        yield String(x);
      }
    }
  }
  assert.equal(checkAll(texts()), 1_200_000);
});

test('the long-mantissa path decides every 17-digit decimal itself but exact ties (those are left to Number())', () => {
  const random = mulberry32(7);
  let undecided = 0;
  let ties = 0;
  const n = 100_000;
  for (let k = 0; k < n; k++) {
    const digits = digitsOf(random, 17);
    // 17 digits with 2–22 decimals (never an exact half-way point between two doubles), or times 10–10^22.
    const scale = k % 2 ? -2 - Math.floor(random() * 21) : 1 + Math.floor(random() * 22);
    if (parseLongDecimal(Number(digits.slice(0, 15)), Number(digits.slice(15)), 2, scale) !== UNDECIDED) continue;
    undecided++;
    if (scale > 0) {
      // An integer above 2^53 is a tie when it sits exactly half-way between two multiples of the spacing.
      const value = BigInt(digits) * 10n ** BigInt(scale);
      const spacing = 2n ** BigInt(value.toString(2).length - 53);
      if (value % spacing === spacing / 2n) ties++;
    }
  }
  assert.ok(undecided - ties < 10, `${undecided - ties} of ${n} left to Number() (and ${ties} exact ties)`);
});

test('exact half-way points between doubles (ties to even) and their neighbours, scaled by powers of ten', () => {
  const random = mulberry32(99);
  function* texts() {
    for (let k = 0; k < 100_000; k++) {
      // Between 2^53 and 2^63 doubles are even integers (spacing 2^(e-52)); a midpoint is an integer too.
      const e = 53 + Math.floor(random() * 10);
      const spacing = 2n ** BigInt(e - 52);
      const base = 2n ** BigInt(e) + BigInt(Math.floor(random() * 2 ** 52)) * spacing;
      const mid = base + spacing / 2n;
      for (const v of [mid, mid - 1n, mid + 1n, base]) {
        const s = v.toString();
        yield s;
        // the same value with the decimal point moved and an exponent making up for it
        const shift = 1 + Math.floor(random() * (s.length - 1));
        yield `${s.slice(0, s.length - shift)}.${s.slice(s.length - shift)}e${shift}`;
        yield `${s}0e-1`;
        // and divided by a power of ten: decided by the division branch
        yield `${s.slice(0, s.length - shift)}.${s.slice(s.length - shift)}`;
      }
    }
  }
  checkAll(texts());
});

/** a⁻¹ mod m (extended Euclid). */
function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

test('near-ties: 19-digit decimals within 2^-50 ulp of a half-way point are decided right (left to Number())', () => {
  // a / 10^p is 1 / (5^p · 2^k) away from the midpoint b / 2^k (b odd, 2^53 ≤ b < 2^54) when
  // a · 2^(k-p) − b · 5^p = ±1: solve for a mod 5^p. Far closer than any random decimal gets, and
  // closer than a double-double without an error bound can tell (without the margin check two fail).
  const texts: string[] = [];
  for (let p = 16; p <= 22; p++) {
    const five = 5n ** BigInt(p);
    for (let k = p; k < p + 80; k++) {
      const two = 2n ** BigInt(k - p);
      const low = (2n ** 53n * five) / two;
      const high = (2n ** 54n * five) / two + 1n;
      if (high < 10n ** 15n || low >= 10n ** 19n) continue;
      for (const sign of [1n, -1n]) {
        const a0 = (((sign * inverse(two % five, five)) % five) + five) % five;
        let a = low - ((((low - a0) % five) + five) % five);
        for (let count = 0; a < high && a < 10n ** 19n && count < 50; a += five) {
          if (a < 10n ** 15n || a < low) continue;
          const b = (a * two - sign) / five;
          if (b % 2n === 0n || b < 2n ** 53n || b >= 2n ** 54n) continue;
          count++;
          texts.push(`${a}e-${p}`, `-${a}e-${p}`);
        }
      }
    }
  }
  assert.ok(texts.length > 10_000, `${texts.length} near-ties`);
  checkAll(texts);
});

test('18-, 19- and 20-digit mantissas, trailing zeros, leading zeros', () => {
  const random = mulberry32(5);
  function* texts() {
    for (let k = 0; k < 100_000; k++) {
      const n = 18 + (k % 3);
      const digits = digitsOf(random, n);
      const point = Math.floor(random() * (n + 1));
      const sign = random() < 0.5 ? '-' : '';
      yield `${sign}${digits.slice(0, point) || '0'}.${digits.slice(point)}`;
      yield `${sign}${digits}e${Math.floor(random() * 50) - 25}`;
      yield `${sign}000${digits.slice(0, 15)}00000.000`;
      yield `${sign}0.000${digits}`;
    }
  }
  checkAll(texts());
});

test('extreme exponents, subnormals, overflow and the largest and smallest doubles', () => {
  const fixed = [
    '1.7976931348623157e308',
    '1.7976931348623158e308',
    '1.7976931348623159e308',
    '1e309',
    '-1e400',
    '2.2250738585072014e-308',
    '2.2250738585072011e-308',
    '4.9406564584124654e-324',
    '2.4703282292062327e-324',
    '2.4703282292062328e-324',
    '5e-324',
    '1e-400',
    '9007199254740993',
    '9007199254740992.5',
    '18014398509481985',
    '9223372036854775807',
    '18446744073709551615',
    '0.1000000000000000055511151231257827',
    '1.00000000000000011102230246251565404236316680908203125',
    '123456789012345678901234567890',
    '0.00000000000000000000000000000001234567890123456789',
    '12345678901234567e-22',
    '12345678901234567e-23',
    '12345678901234567e22',
    '12345678901234567e23',
  ];
  const random = mulberry32(3);
  function* texts() {
    yield* fixed;
    for (let k = 0; k < 50_000; k++) {
      const digits = digitsOf(random, 1 + Math.floor(random() * 19));
      yield `${digits[0]}.${digits.slice(1)}e${Math.floor(random() * 660) - 340}`;
    }
  }
  checkAll(texts());
});
