/**
 * Python peers serving the same network (FastAPI + uvicorn, Flask), each in its own process, for the
 * serving benchmark. A peer whose Debian packages are missing is skipped with the install line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ServerProcess } from '../lib';
import { writeMlpWeights } from './network';

export interface PeerSpec {
  id: 'fastapi' | 'flask';
  label: string;
  script: string;
  modules: string[];
  install: string;
}

export const PEERS: PeerSpec[] = [
  {
    id: 'fastapi',
    label: 'FastAPI + uvicorn',
    script: 'fastapi_peer.py',
    modules: ['fastapi', 'uvicorn', 'numpy'],
    install: 'apt-get install python3-fastapi python3-uvicorn python3-sklearn',
  },
  {
    id: 'flask',
    label: 'Flask (werkzeug threaded)',
    script: 'flask_peer.py',
    modules: ['flask', 'numpy'],
    install: 'apt-get install python3-flask python3-sklearn',
  },
];

const HERE = join(process.cwd(), 'benchmarks', 'peers');

/**
 * Interpreters to try, in order: BENCH_PYTHON, Debian's own (where apt-get puts python3-fastapi & co.;
 * a pyenv or venv `python3` first on PATH does not see those), then whatever `python3` is.
 */
const PYTHONS = [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);

/** The first interpreter that imports the peer's modules, or why none does. */
export function pythonFor(peer: PeerSpec): { python: string } | { missing: string } {
  let reason = 'python3 not found';
  for (const python of PYTHONS) {
    const check = spawnSync(python, ['-c', `import ${peer.modules.join(', ')}`], { encoding: 'utf8' });
    if (check.error) continue;
    if (check.status === 0) return { python };
    reason = `${python}: ${check.stderr.trim().split('\n').pop()}`;
  }
  return { missing: `${reason} — install with: ${peer.install}` };
}

/** The weights of the sample network as JSON under .cache/bench/peers (rewritten each run: cheap). */
export function peerWeights(onnxPath: string, name: string): string {
  mkdirSync('.cache/bench/peers', { recursive: true });
  const path = join('.cache/bench/peers', `${name}.weights.json`);
  writeMlpWeights(onnxPath, path);
  return path;
}

/** Starts a peer and waits until its health route answers. `model` says sklearn or numpy. */
export async function startPeer(
  peer: PeerSpec,
  python: string,
  weightsPath: string,
  modelName: string,
): Promise<ServerProcess & { model: string }> {
  const child = spawn(python, [join(HERE, peer.script), resolve(weightsPath), modelName], {
    cwd: HERE,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  for await (const line of createInterface({ input: child.stdout })) {
    const ready = JSON.parse(line) as { url: string; model: string };
    for (let i = 0; i < 200; i++) {
      const ok = await fetch(`${ready.url}/v2/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { url: ready.url, child, stop, model: ready.model };
      await new Promise((r) => setTimeout(r, 50));
    }
    await stop();
    throw new Error(`${peer.label} did not answer on ${ready.url}`);
  }
  throw new Error(`${peer.label} exited before printing its ready line`);
}
