import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupDigits } from '../../server/protocol/number-text';

test("groupDigits writes whole numbers as toLocaleString('en-US') does", () => {
  for (const n of [0, 7, 999, 1000, 1001, 12345, 999999, 1000000, 1234567, 2 ** 31, Number.MAX_SAFE_INTEGER, -1, -1000, -1234567]) {
    assert.equal(groupDigits(n), n.toLocaleString('en-US'), String(n));
  }
  // Not whole or not safe: as String() writes them (no grouping claimed for those).
  assert.equal(groupDigits(1.5), '1.5');
  assert.equal(groupDigits(Infinity), 'Infinity');
});
