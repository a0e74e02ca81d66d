/**
 * A small Dockerfile parser (instructions + arguments, line continuations, comments, exec-form JSON)
 * and the rules an exported Dockerfile must meet: pinned base image (exact version tag or digest, never
 * `latest`), production-only install, dependencies installed before the app code is copied (cache-
 * friendly layers), non-root USER, EXPOSE, HEALTHCHECK on the OIP readiness route, config by ENV, a CMD.
 * Docker is not available where bundles are made, so this is what checks the Dockerfile.
 */

export interface DockerInstruction {
  /** Upper-cased keyword, e.g. `FROM`. */
  keyword: string;
  /** Everything after the keyword, continuations joined with spaces. */
  args: string;
  /** The exec form (`["node", "index.js"]`) parsed, when the arguments are a JSON array. */
  exec?: string[];
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface DockerfileViolation {
  rule: string;
  line: number | null;
  message: string;
}

/** Splits a Dockerfile into instructions. Throws on a line that is not an instruction (names the line). */
export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  const lines = text.split(/\r?\n/);
  let pending: { text: string; line: number } | null = null;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    // Comments (and parser directives) only count at the start of a line; inside a continuation too.
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return;
    const continued = /\\\s*$/.test(raw);
    const piece = continued ? raw.replace(/\\\s*$/, '') : raw;
    pending = pending ? { text: `${pending.text} ${piece.trim()}`, line: pending.line } : { text: piece.trim(), line: i + 1 };
    if (continued) return;
    const match = /^([A-Za-z]+)\s*(.*)$/s.exec(pending.text);
    if (!match) throw new Error(`Dockerfile line ${pending.line}: expected an instruction, got '${pending.text.slice(0, 40)}'`);
    const args = match[2].trim();
    let exec: string[] | undefined;
    if (args.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(args);
        if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) exec = parsed;
      } catch {
        /* shell form after all */
      }
    }
    out.push({ keyword: match[1].toUpperCase(), args, exec, line: pending.line });
    pending = null;
  });
  if (pending) throw new Error(`Dockerfile line ${(pending as { line: number }).line}: the last instruction ends with a line continuation`);
  return out;
}

/** `node:20.20.2-bookworm-slim` → pinned; `node:20`, `node`, `node:latest` → not. */
export function baseImagePinned(image: string): { pinned: boolean; why: string } {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return { pinned: true, why: 'pinned by digest' };
  const tag = /:([^/:@]+)$/.exec(image)?.[1];
  if (!tag) return { pinned: false, why: `'${image}' has no tag, which means 'latest'` };
  if (tag === 'latest') return { pinned: false, why: `'${image}' uses the moving 'latest' tag` };
  if (!/^v?\d+\.\d+\.\d+/.test(tag)) return { pinned: false, why: `'${image}' tag '${tag}' is not an exact version (major.minor.patch)` };
  return { pinned: true, why: 'pinned by exact version tag' };
}

/** Checks a Dockerfile against the export rules; an empty list means it passes. */
export function checkDockerfile(text: string): DockerfileViolation[] {
  let instructions: DockerInstruction[];
  try {
    instructions = parseDockerfile(text);
  } catch (err) {
    return [{ rule: 'parse', line: null, message: (err as Error).message }];
  }
  const v: DockerfileViolation[] = [];
  const froms = instructions.filter((i) => i.keyword === 'FROM');
  if (froms.length === 0) return [{ rule: 'base-image', line: null, message: 'no FROM instruction' }];
  for (const from of froms) {
    const image = from.args.split(/\s+/).find((a) => !a.startsWith('--'))!;
    const { pinned, why } = baseImagePinned(image);
    if (!pinned)
      v.push({
        rule: 'pinned-base',
        line: from.line,
        message: `base image ${why}; pin an exact version such as node:20.20.2-bookworm-slim`,
      });
  }
  // Only the final stage decides what runs.
  const lastFrom = instructions.lastIndexOf(froms.at(-1)!);
  const stage = instructions.slice(lastFrom);
  const find = (k: string): DockerInstruction[] => stage.filter((i) => i.keyword === k);

  const users = find('USER');
  const user = users.at(-1);
  if (!user) v.push({ rule: 'non-root', line: null, message: 'no USER instruction: the container would run as root; add e.g. USER node' });
  else if (/^(root|0)(:|$)/.test(user.args.trim()))
    v.push({ rule: 'non-root', line: user.line, message: `USER ${user.args} runs as root; use an unprivileged user such as node` });

  const health = find('HEALTHCHECK').at(-1);
  if (!health)
    v.push({ rule: 'healthcheck', line: null, message: 'no HEALTHCHECK: orchestrators cannot tell a hung server from a healthy one' });
  else if (/^NONE\b/i.test(health.args))
    v.push({ rule: 'healthcheck', line: health.line, message: 'HEALTHCHECK NONE disables the health check' });
  else if (!health.args.includes('/v2/health/ready'))
    v.push({ rule: 'healthcheck', line: health.line, message: 'HEALTHCHECK does not probe /v2/health/ready' });

  if (find('EXPOSE').length === 0) v.push({ rule: 'expose', line: null, message: 'no EXPOSE: say which port the server listens on' });
  if (!find('ENV').some((e) => /\bPORT\b/.test(e.args)))
    v.push({ rule: 'env-config', line: null, message: 'no ENV PORT: the server is configured by environment variables' });
  if (find('CMD').length === 0 && find('ENTRYPOINT').length === 0) v.push({ rule: 'cmd', line: null, message: 'no CMD or ENTRYPOINT' });

  const installIndex = stage.findIndex((i) => i.keyword === 'RUN' && /\bnpm\s+(ci|install|i)\b/.test(i.args));
  const install = stage[installIndex];
  if (!install) {
    v.push({ rule: 'production-install', line: null, message: 'no RUN npm ci: dependencies are not installed' });
  } else {
    if (!/\bnpm\s+ci\b/.test(install.args))
      v.push({
        rule: 'production-install',
        line: install.line,
        message: 'use npm ci (reproducible from package-lock.json), not npm install',
      });
    if (!/--omit[= ]dev\b|--only[= ]prod(uction)?\b|--production\b/.test(install.args))
      v.push({ rule: 'production-install', line: install.line, message: 'npm ci without --omit=dev installs development dependencies' });
    // Cache-friendly order: only manifests are copied before the install; the code comes after it.
    const copiesBefore = stage.slice(0, installIndex).filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
    const codeCopy = copiesBefore.find((c) =>
      c.args
        .split(/\s+/)
        .slice(0, -1)
        .filter((a) => !a.startsWith('--'))
        .some((src) => !/(package(-lock)?\.json|\.npmrc)$/.test(src)),
    );
    if (codeCopy)
      v.push({
        rule: 'layer-order',
        line: codeCopy.line,
        message: 'code is copied before npm ci: every code or model change would reinstall the dependencies; copy package*.json first',
      });
  }
  return v;
}
