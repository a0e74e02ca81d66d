/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, reproducing scipy.stats.ks_2samp(method="auto"):
 * exact p-value when max(n1, n2) ≤ 10,000 (Hodges' lattice-path "inside" method with Viehmann's
 * recursion for 1 − p, or the closed form when n1 = n2), else kstwo.sf(D, round(n1·n2/(n1+n2))).
 */
import { kstwoSf } from './kolmogorov';

export const KS_EXACT_MAX_N = 10000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** Inputs must be sorted ascending and non-empty. */
export function ks2samp(sorted1: Float64Array, sorted2: Float64Array): KsResult {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  if (n1 === 0 || n2 === 0) return { statistic: NaN, pValue: NaN, method: 'exact' };
  // Walk the merged values; after each block of ties compare the two ECDFs (searchsorted side="right").
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minDiff = Infinity;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && sorted1[i] <= sorted2[j]) ? sorted1[i] : sorted2[j];
    while (i < n1 && sorted1[i] === v) i++;
    while (j < n2 && sorted2[j] === v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(1, Math.max(0, -minDiff));
  const d = minS > maxS ? minS : maxS;
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const exact = exactTwoSided(n1, n2, d);
    if (exact) return { statistic: exact.d, pValue: exact.p, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pValue: Math.min(1, Math.max(0, kstwoSf(roundHalfEven(en), d))), method: 'asymptotic' };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy.round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** scipy's _attempt_exact_2kssamp for the two-sided case; null when it would overflow. */
function exactTwoSided(n1: number, n2: number, d: number): { d: number; p: number } | null {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dRounded = h / lcm;
  if (h === 0) return { d: dRounded, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  if (!Number.isFinite(p) || p < 0 || p > 1) return null;
  return { d: dRounded, p };
}

/** P(D_{n,n} ≥ h/n), Horner-like evaluation of the alternating binomial sum (scipy's form). */
export function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/** Proportion of lattice paths (0,0)→(m,n) that leave the band |x/m − y/n| < h/lcm (1 − p recursion). */
export function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}
