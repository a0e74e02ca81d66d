/**
 * `Dockerfile` + `.dockerignore` for the bundled server. The base image is the Node version this
 * machine runs (exact tag), dependencies are installed from the lockfile before the code and model are
 * copied (a new model rebuilds only the last layers), the server runs as the image's `node` user, and
 * configuration is by environment variables.
 */

export const CONTAINER_PORT = 8080;

/** `node:<this node's exact version>-bookworm-slim` (Debian 12, glibc: what onnxruntime-node's binaries need). */
export function baseImage(nodeVersion = process.versions.node): string {
  return `node:${nodeVersion}-bookworm-slim`;
}

export function renderDockerfile(options: { modelName: string; modelFile: string; toolVersion: string; nodeVersion?: string }): string {
  const image = baseImage(options.nodeVersion);
  const healthProbe = `fetch('http://127.0.0.1:'+(process.env.PORT||${CONTAINER_PORT})+'/v2/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;
  return `# Prediction server for the '${options.modelName}' model, exported by Model Lab ${options.toolVersion}.
#   docker build -t ${options.modelName.toLowerCase()}-server:1.0.0 .
#   docker run --rm -p ${CONTAINER_PORT}:${CONTAINER_PORT} ${options.modelName.toLowerCase()}-server:1.0.0
# The base image is pinned by its exact version tag. To pin it byte for byte, append its digest:
#   FROM ${image}@sha256:<digest>   (docker buildx imagetools inspect ${image})
FROM ${image}

ENV NODE_ENV=production
WORKDIR /app/server

# Dependencies first (only onnxruntime-node, pinned by package-lock.json): this layer is reused until
# the lockfile changes. onnxruntime-node's install script would download CUDA binaries; the CPU ones are
# in the package. npm 11+ skips it (allowScripts in package.json denies it); older npm, as in this
# image, runs it, and the script skips itself when ONNXRUNTIME_NODE_INSTALL=skip.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY server/package.json server/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Then the server bundle, then the model: a new model rebuilds only the last layer.
COPY server/ ./
COPY model/ /app/model/

# Configuration by environment (override with docker run -e): bind all interfaces inside the container.
ENV HOST=0.0.0.0 \\
    PORT=${CONTAINER_PORT} \\
    MODEL_PATH=/app/${options.modelFile} \\
    BATCH_MAX=64 \\
    BATCH_DELAY_MS=0 \\
    WORKERS=auto

# Files stay owned by root (read-only to the server); the server runs as the unprivileged node user.
USER node
EXPOSE ${CONTAINER_PORT}

# Slim images have no curl: probe the Open Inference Protocol readiness route with node itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\
  CMD ["node", "-e", ${JSON.stringify(healthProbe)}]

CMD ["node", "index.js"]
`;
}

/** Only the server and the model go into the build context; never a host node_modules. */
export function renderDockerignore(): string {
  return `# The image needs only server/ and model/ (see Dockerfile).
*
!server/
!model/
server/node_modules
**/.DS_Store
`;
}
