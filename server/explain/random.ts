/** Seeded randomness for explanations: every shuffle, sample and coalition is reproducible from `seed`. */
import { seededRandom } from '../model/index';

export type Random = () => number;

export function createRandom(seed: number): Random {
  return seededRandom(seed);
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, random: Random): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** `count` distinct indices of 0..n-1 in increasing order (all of them when count ≥ n). */
export function sampleIndices(n: number, count: number, random: Random): Int32Array {
  if (count >= n) return Int32Array.from({ length: n }, (_, i) => i);
  return permutation(n, random)
    .subarray(0, count)
    .sort((a, b) => a - b);
}
