/**
 * Which server events become notices in the header. A page shows news once, and a warning while it holds:
 * - live events (after the page connected) are shown once each; an event the stream repeats after a
 *   reconnect is not shown again;
 * - the events the server replays when the page connects happened before it opened: a reload, the
 *   comparison after it or an error then is old news (the header's "reload N" chip says the model was
 *   reloaded). Only a warning that still holds — the model file fails to load or is gone, and the version
 *   kept in memory is still the one answering — is shown, until the user closes it;
 * - a closed notice stays closed when the page is reloaded (the tab's sessionStorage remembers it).
 */
import type { ServerEvent } from '../../server/protocol/api';

const DISMISSED_KEY = 'model-lab.dismissed-notices';
/** Enough for any real session; the oldest are forgotten first. */
const DISMISSED_LIMIT = 50;

export interface NoticePolicy {
  /**
   * True when `event` should be shown now (and remembers it, so it is shown once per page).
   * `servingGeneration` is the generation of the model the page shows.
   */
  admit(event: ServerEvent, live: boolean, servingGeneration: number): boolean;
  /** The user closed the notice of `event`: keep it closed after a reload of the page. */
  dismiss(event: ServerEvent): void;
}

/** Identifies one event across replays: the server stamps each with its time. */
export function eventKey(event: ServerEvent): string {
  return [event.type, event.at, 'file' in event ? event.file : ''].join('|');
}

/** The generation a warning is about while it still holds (the version kept serving), else undefined. */
export function keptGeneration(event: ServerEvent): number | undefined {
  return event.type === 'model-reload-failed' || event.type === 'file-removed' ? event.keptGeneration : undefined;
}

function readDismissed(storage: Storage | undefined): string[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(DISMISSED_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

/** `storage` defaults to the tab's sessionStorage; where that is unavailable, closed notices are kept in memory only. */
export function createNoticePolicy(storage: Storage | undefined = safeSessionStorage()): NoticePolicy {
  const shown = new Set<string>();
  const dismissed = readDismissed(storage);
  return {
    admit(event, live, servingGeneration) {
      const key = eventKey(event);
      if (shown.has(key) || dismissed.includes(key)) return false;
      const stillHolds = keptGeneration(event) === servingGeneration;
      if (!live && !stillHolds) return false;
      shown.add(key);
      return true;
    },
    dismiss(event) {
      const key = eventKey(event);
      if (!dismissed.includes(key)) dismissed.push(key);
      if (dismissed.length > DISMISSED_LIMIT) dismissed.splice(0, dismissed.length - DISMISSED_LIMIT);
      try {
        storage?.setItem(DISMISSED_KEY, JSON.stringify(dismissed));
      } catch {
        /* storage full or disabled: the notice is closed for this page only */
      }
    },
  };
}

function safeSessionStorage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}
