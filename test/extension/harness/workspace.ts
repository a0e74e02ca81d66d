/**
 * A throwaway workspace folder holding copies of the samples, so the suite and the e2e test may open,
 * serve and write beside models (batch predictions, drift reports) without touching samples/.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './code-server';

export const WORKSPACE_SAMPLES = ['iris', 'breast-cancer', 'diabetes', 'flights'];

export async function makeWorkspace(samples = WORKSPACE_SAMPLES): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'model-lab-workspace-'));
  for (const name of samples) await cp(join(REPO_ROOT, 'samples', name), join(dir, name), { recursive: true });
  return { dir, remove: () => rm(dir, { recursive: true, force: true, maxRetries: 3 }) };
}
