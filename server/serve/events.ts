/**
 * The server's lifecycle event bus: reloads, reload failures, differential checks.
 *
 * Listeners get events as they happen (the SSE route); `recent()` keeps the last few so a UI that
 * connects after a reload still learns about it.
 */
import type { ServerEvent } from '../protocol/api';

/** A ServerEvent before the bus stamps it with the time. */
export type ServerEventInput = ServerEvent extends infer E ? (E extends ServerEvent ? Omit<E, 'at'> : never) : never;

export interface EventBus {
  /** Stamps `at` and delivers the event to every listener. A throwing listener never affects the others. */
  emit(event: ServerEventInput): ServerEvent;
  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (event: ServerEvent) => void): () => void;
  /** Up to `capacity` most recent events, newest last. */
  recent(): ServerEvent[];
  /** Drops every listener (on shutdown). */
  clear(): void;
}

/**
 * @example
 * const bus = createEventBus(50);
 * const stop = bus.subscribe((e) => console.error(e.type));
 * bus.emit({ type: 'error', message: 'disk full' });
 */
export function createEventBus(capacity = 50): EventBus {
  const listeners = new Set<(event: ServerEvent) => void>();
  const buffer: ServerEvent[] = [];
  return {
    emit(input) {
      const event = { ...input, at: new Date().toISOString() };
      buffer.push(event);
      if (buffer.length > capacity) buffer.splice(0, buffer.length - capacity);
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (err) {
          // A broken SSE connection must not stop the reload that emitted the event.
          process.stderr.write(`model-lab: event listener failed: ${(err as Error).message}\n`);
        }
      }
      return event;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    recent: () => [...buffer],
    clear: () => listeners.clear(),
  };
}
