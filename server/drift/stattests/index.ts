/** Registers every stat test (import for side effects) and re-exports the registry. */
import './ks';
import './chisquare';
import './z';
import './wasserstein';
import './jensenshannon';
import './psi';
import './kl-div';
import './hellinger';
import './t-test';
import './mannw';

export { getStatTest, isDrift, isPValueRule, listStatTests, type StatTest, type StatTestResult } from './registry';
