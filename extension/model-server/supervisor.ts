/**
 * The set of supervised servers: one per model file (keyed by its absolute path), created on first
 * use, all stopped together when the extension deactivates. Plain Node, like model-server.ts.
 */
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { ModelServer, type ModelServerOptions, type ServerSnapshot } from './model-server';
import type { ServerSettings } from './cli-contract';

export { ModelServer, type ServerSnapshot, type ServerState } from './model-server';
export type { ServerSettings } from './cli-contract';

export class ServerSupervisor extends EventEmitter {
  private readonly servers = new Map<string, ModelServer>();
  /** Most recently started first: "the open model" when nothing else says which. */
  private recent: string[] = [];

  constructor(private readonly options: ModelServerOptions) {
    super();
  }

  get(modelPath: string): ModelServer | undefined {
    return this.servers.get(resolve(modelPath));
  }

  /** The server for this model (created stopped if new). */
  server(modelPath: string, settings: () => ServerSettings): ModelServer {
    const key = resolve(modelPath);
    let server = this.servers.get(key);
    if (!server) {
      server = new ModelServer(key, settings(), this.options);
      server.on('change', (snapshot: ServerSnapshot) => this.emit('change', snapshot));
      server.on('ready', (snapshot: ServerSnapshot) => {
        this.recent = [key, ...this.recent.filter((p) => p !== key)];
        this.emit('ready', snapshot);
      });
      this.servers.set(key, server);
    }
    return server;
  }

  /** Starts the model's server if needed and resolves when it is ready. */
  async ensure(modelPath: string, settings: () => ServerSettings, signal?: AbortSignal): Promise<ModelServer> {
    const server = this.server(modelPath, settings);
    if (server.state !== 'running') {
      // Settings may have changed since it last ran (reference CSV, LAN opt-in, batching).
      if (server.state === 'stopped' || server.state === 'failed') server.settings = settings();
      await server.start(signal);
    }
    return server;
  }

  list(): ServerSnapshot[] {
    return [...this.servers.values()].map((s) => s.snapshot());
  }

  running(): ModelServer[] {
    return [...this.servers.values()].filter((s) => s.state === 'running' || s.state === 'starting' || s.state === 'restarting');
  }

  /** The running server started most recently. */
  mostRecent(): ModelServer | undefined {
    return this.recent.map((p) => this.servers.get(p)!).find((s) => s.state === 'running');
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.stop()));
  }
}
