/** Shared helpers for the drift tests: fixture paths and a relative-tolerance comparison. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'drift');
export const fixture = (name: string) => join(FIXTURES, name);
export const readJson = (name: string) => JSON.parse(readFileSync(fixture(name), 'utf8'));

/** |actual − expected| ≤ rel·|expected| + abs. */
export function assertClose(actual: number | null, expected: number | null, rel: number, abs = 0, what = ''): void {
  if (expected === null) {
    assert.equal(actual, null, `${what}: expected no score, got ${actual}`);
    return;
  }
  assert.notEqual(actual, null, `${what}: expected ${expected}, got null`);
  const diff = Math.abs((actual as number) - expected);
  assert.ok(diff <= rel * Math.abs(expected) + abs, `${what}: expected ${expected}, got ${actual} (diff ${diff})`);
}
