/** Special functions and the KS exact algorithms against values scipy computed (math_expected.json). */
import { test } from 'node:test';
import { kstwoSf } from '../../server/drift/math/kolmogorov';
import { outerProbInside, probOutsideSquare } from '../../server/drift/math/ks2samp';
import { chi2Sf, erfc, normalCdf, studentTwoSidedP } from '../../server/drift/math/special';
import { assertClose, readJson } from './helpers';

const table = readJson('math_expected.json');

test('erfc and the normal CDF match scipy.special', () => {
  for (const [x, want] of table.erfc) assertClose(erfc(x), want, 1e-12, 1e-300, `erfc(${x})`);
  for (const [z, want] of table.ndtr) assertClose(normalCdf(z), want, 1e-12, 1e-300, `ndtr(${z})`);
});

test('chi-square survival function matches scipy.stats.chi2.sf', () => {
  for (const [x, df, want] of table.chi2sf) assertClose(chi2Sf(x, df), want, 1e-10, 1e-300, `chi2.sf(${x}, ${df})`);
});

test("Student's t two-sided tail matches scipy", () => {
  for (const [t, df, want] of table.tsf2) assertClose(studentTwoSidedP(t, df), want, 1e-10, 1e-300, `t(${t}, ${df})`);
});

test('kstwo.sf (the asymptotic KS p-value) matches scipy', () => {
  for (const [n, x, want] of table.kstwosf) assertClose(kstwoSf(n, x), want, 1e-9, 1e-300, `kstwo.sf(${x}, ${n})`);
});

test('exact KS: equal sizes (outside-square) and unequal sizes (inside method) match scipy', () => {
  for (const [n, h, want] of table.square) assertClose(probOutsideSquare(n, h), want, 1e-11, 1e-300, `square(${n}, ${h})`);
  for (const [m, n, g, h, want] of table.inside) assertClose(outerProbInside(m, n, g, h), want, 1e-11, 1e-300, `inside(${m}, ${n}, ${h})`);
});
