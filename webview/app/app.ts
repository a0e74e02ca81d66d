/**
 * The UI's controller: fetches the model description, hands it to the header and every tab, follows the
 * server's events and, when the model is reloaded, fetches the new description and updates them again.
 * Which events become notices is decided in notices.ts (news once, warnings while they hold).
 */
import type { ModelDescription, ServerEvent } from '../../server/protocol/api';
import type { ServerClient } from './client';
import { h, replaceChildren } from './dom';
import { ShowTabNotification } from '../lab-panel-messages';
import { createHeader } from './header';
import { onHostNotification } from './host-notifications';
import { createNoticePolicy } from './notices';
import { createTabStrip, type AppTab } from './tabs';

export function startApp(root: HTMLElement, client: ServerClient, tabs: AppTab[]): void {
  const header = createHeader();
  const strip = createTabStrip(tabs);
  const policy = createNoticePolicy();
  let current: ModelDescription | null = null;
  let refreshing: Promise<void> | null = null;
  /** Events that came before the first description: whether they still hold depends on what is serving. */
  let early: { event: ServerEvent; live: boolean }[] = [];

  function showLoadError(message: string): void {
    const retry = h('vscode-button', { on: { click: () => void refresh() } }, ['Retry']);
    replaceChildren(root, [
      h('div', { className: 'load-error', attrs: { role: 'alert' } }, [
        h('h1', {}, ['Cannot load the model']),
        h('p', {}, [message]),
        retry,
      ]),
    ]);
  }

  /** Fetches the description and updates everything if it is new (first load or another generation). */
  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      try {
        const next = await client.describeModel();
        if (current && next.generation === current.generation && next.loadedAt === current.loadedAt) return;
        const previous = current ?? undefined;
        current = next;
        document.title = `${next.info.name} — Model Lab`;
        if (!previous) replaceChildren(root, [header.element, strip.element]);
        header.show(next);
        header.resolveWarnings(next.generation);
        for (const tab of tabs) tab.update(next, previous);
        const waiting = early;
        early = [];
        for (const { event, live } of waiting) onServerEvent(event, live);
      } catch (err) {
        if (!current) showLoadError((err as Error).message);
        else
          header.notify({
            type: 'error',
            message: `The model was loaded again, but its new description could not be fetched: ${(err as Error).message}`,
            at: new Date().toISOString(),
          });
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  // The VS Code host asks for a tab ("Compare Latency & Compression" → Performance) with a message.
  onHostNotification(ShowTabNotification, ({ id }) => strip.show(id));

  function onServerEvent(event: ServerEvent, live: boolean): void {
    if (!current) {
      early.push({ event, live });
      return;
    }
    if (policy.admit(event, live, current.generation)) header.notify(event, () => policy.dismiss(event));
    if (event.type === 'model-loaded' && event.generation !== current.generation) void refresh();
  }

  let wasLive = false;
  client.subscribe(onServerEvent, (status) => {
    header.setConnection(status);
    // Back after a drop: a reload may have happened meanwhile.
    if (status === 'live' && wasLive && current) void refresh();
    if (status === 'live') wasLive = true;
  });

  document.addEventListener('keydown', (event) => strip.active()?.onShortcut?.(event));
  void refresh();
}
