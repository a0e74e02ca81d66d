/**
 * The bundle's `server/package-lock.json`, derived from the project's own lock file: the subtree of one
 * dependency (onnxruntime-node and everything it needs), with the exact versions, `resolved` URLs and
 * `integrity` hashes the project installed and verified. So what the export verifies is what the bundle
 * ships, and `npm ci --offline` in the bundle needs nothing the project's own `npm ci` did not fetch.
 * (Letting npm resolve a fresh lock picks the newest matching versions instead: they may be missing from
 * the npm cache, and were never run here.)
 *
 * Pure: lock JSON in, lock JSON out.
 */

/** One `packages` entry of a lockfileVersion 2/3 lock (the fields this module reads or clears). */
export interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  extraneous?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

export interface PackageLock {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface BundleRoot {
  /** The bundle's own package name and version (its package.json says the same). */
  name: string;
  version: string;
  /** The one dependency whose subtree is shipped, e.g. `onnxruntime-node`. */
  dependency: string;
  engines?: Record<string, string>;
}

/** Flags that describe a package's role in the *project* (dev tool, optional…), not in the bundle. */
const PROJECT_ROLE_FLAGS = ['dev', 'optional', 'devOptional', 'peer', 'extraneous'] as const;

/**
 * Where npm finds `name` when required from the package at `from` (`''` = the root): the nearest
 * `node_modules/name` walking up from `from` — `node_modules/a/node_modules/b` looks in
 * `node_modules/a/node_modules/b/node_modules`, then `node_modules/a/node_modules`, then `node_modules`.
 */
export function resolveLocation(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

interface Edge {
  name: string;
  optional: boolean;
}

function edgesOf(entry: LockEntry): Edge[] {
  const edges: Edge[] = [];
  for (const name of Object.keys(entry.dependencies ?? {})) edges.push({ name, optional: false });
  for (const name of Object.keys(entry.optionalDependencies ?? {})) edges.push({ name, optional: true });
  for (const name of Object.keys(entry.peerDependencies ?? {}))
    edges.push({ name, optional: entry.peerDependenciesMeta?.[name]?.optional === true });
  return edges;
}

/** Every location reachable from `start`; with `requiredOnly`, following non-optional edges only. */
function reachable(packages: Record<string, LockEntry>, start: string, requiredOnly: boolean): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length) {
    const from = queue.shift()!;
    for (const edge of edgesOf(packages[from])) {
      if (requiredOnly && edge.optional) continue;
      const at = resolveLocation(packages, from, edge.name);
      if (!at) {
        // An optional dependency for another platform is legitimately absent from the lock.
        if (edge.optional) continue;
        throw new Error(`the project's package-lock.json has no ${edge.name} for ${from} (run npm install in the project)`);
      }
      if (packages[at].link)
        throw new Error(`${at} is a link (${String(packages[at].resolved)}), not a registry package: it cannot be shipped`);
      if (!seen.has(at)) {
        seen.add(at);
        queue.push(at);
      }
    }
  }
  return seen;
}

/**
 * The bundle's lock: a root package depending on exactly `root.dependency` at the project's version, and
 * that dependency's subtree copied from the project's lock.
 *
 * Paths: a direct dependency of the project sits at `node_modules/<name>` (npm always places it there),
 * and every package it reaches lies in that folder or in one of its ancestors' `node_modules`, so the
 * subtree's locations are already valid in a bundle whose root depends on the same package: they are
 * kept as they are (the rewrite to the bundle's root is the identity). Entries are copied whole except
 * the project-role flags (`dev`, `optional`…), which are recomputed for the bundle.
 */
export function deriveBundleLock(project: PackageLock, root: BundleRoot): PackageLock {
  if (project.lockfileVersion < 2 || !project.packages)
    throw new Error(`the project's package-lock.json is lockfileVersion ${project.lockfileVersion}; 2 or 3 is needed (npm 7+)`);
  const start = `node_modules/${root.dependency}`;
  const top = project.packages[start];
  if (!top?.version)
    throw new Error(`the project's package-lock.json has no ${start} (is ${root.dependency} a dependency of the project?)`);
  if (top.link) throw new Error(`${start} is a link, not a registry package: it cannot be shipped`);

  const all = reachable(project.packages, start, false);
  const required = reachable(project.packages, start, true);
  const packages: Record<string, LockEntry> = {
    '': {
      name: root.name,
      version: root.version,
      dependencies: { [root.dependency]: top.version },
      ...(root.engines ? { engines: root.engines } : {}),
    },
  };
  for (const location of [...all].sort()) {
    const entry: LockEntry = { ...project.packages[location] };
    for (const flag of PROJECT_ROLE_FLAGS) delete entry[flag];
    if (!required.has(location)) entry.optional = true;
    packages[location] = entry;
  }
  return { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages };
}
