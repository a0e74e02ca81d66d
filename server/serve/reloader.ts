/**
 * Watches the model file and its companions (sidecar signature, reference CSV) and calls back once
 * they have settled after a change.
 *
 * - Watches the *directories* and filters by file name, not the files themselves: editors and
 *   exporters often save by writing a temp file and renaming it over the original, or delete and
 *   re-create it, and a watch on the old inode would go silent after that.
 * - Debounces: exporters write in several steps (torch.onnx.export writes, then appends external
 *   data; `cp` writes in chunks), so the callback runs only after `debounceMs` without events and once
 *   the file sizes stop changing.
 * - Serialises: a change during a running callback schedules exactly one more pass after it.
 */
import { watch, type FSWatcher } from 'chokidar';
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface FileWatchOptions {
  /** Quiet period after the last event, in ms. */
  debounceMs: number;
  /** Called with the changed file names once they are stable. Errors are reported via `onError`. */
  onChange: (changed: string[]) => Promise<void>;
  onError: (err: Error) => void;
}

export interface FileWatch {
  /** Resolves when the initial scan is done (changes before that are not reported). */
  ready: Promise<void>;
  /** Stops watching and waits for a running callback to finish. */
  close(): Promise<void>;
}

/** How long sizes must stay the same before a half-written file is considered settled, in ms. */
const STABILITY_CHECK_MS = 100;

/**
 * @example
 * const w = watchModelFiles(['/m/model.onnx', '/m/model.onnx.signature.json'], {
 *   debounceMs: 300, onChange: async (files) => host.reload(files.join()), onError: console.error });
 * await w.ready;
 */
export function watchModelFiles(files: string[], options: FileWatchOptions): FileWatch {
  const wanted = new Set(files.map((f) => resolve(f)));
  const dirs = [...new Set([...wanted].map((f) => dirname(f)))];
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const watcher: FSWatcher = watch(dirs, {
    ignoreInitial: true,
    depth: 0,
    // Only our files; the directories themselves must pass or nothing inside them is watched.
    ignored: (path: string) => {
      const p = resolve(path);
      return !dirs.includes(p) && !wanted.has(p);
    },
  });

  watcher.on('all', (_event, path) => {
    const p = resolve(path);
    if (!wanted.has(p) || closed) return;
    changed.add(basename(p));
    arm();
  });
  watcher.on('error', (err) => options.onError(err instanceof Error ? err : new Error(String(err))));

  function arm(): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, options.debounceMs);
  }

  function fire(): void {
    timer = null;
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      if (!(await sizesStable([...wanted]))) {
        arm();
        return;
      }
      const names = [...changed];
      changed.clear();
      try {
        await options.onChange(names);
      } catch (err) {
        options.onError(err instanceof Error ? err : new Error(String(err)));
      }
    })().finally(() => {
      running = null;
      if (again && !closed) {
        again = false;
        arm();
      }
    });
  }

  const ready = new Promise<void>((resolveReady) => watcher.once('ready', () => resolveReady()));

  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}

/** True when no file's size or mtime changed over a short interval (a writer is still busy otherwise). */
async function sizesStable(files: string[]): Promise<boolean> {
  const snapshot = (): string =>
    files
      .map((f) => {
        try {
          const s = statSync(f);
          return `${s.size}:${s.mtimeMs}`;
        } catch {
          return 'missing';
        }
      })
      .join('|');
  const before = snapshot();
  await new Promise((r) => setTimeout(r, STABILITY_CHECK_MS));
  return snapshot() === before;
}
