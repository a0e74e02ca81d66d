/** Reads the config the page embedded for the bundle (see `server/protocol/ui-page.ts`). */
import { CONFIG_META_NAME, type UiConfig } from '../../server/protocol/ui-page-config';

export function readUiConfig(doc: Document = document): UiConfig {
  const meta = doc.querySelector<HTMLMetaElement>(`meta[name="${CONFIG_META_NAME}"]`);
  if (!meta) return { serverOrigin: '' };
  try {
    const parsed = JSON.parse(meta.content) as Partial<UiConfig>;
    const config: UiConfig = { serverOrigin: typeof parsed.serverOrigin === 'string' ? parsed.serverOrigin.replace(/\/+$/, '') : '' };
    if (typeof parsed.token === 'string' && parsed.token) config.token = parsed.token;
    if (parsed.labTabs === false) config.labTabs = false;
    return config;
  } catch {
    // A broken config is a bug in the page, not something a user can fix: fall back to same origin.
    console.error(`Model Lab: <meta name="${CONFIG_META_NAME}"> does not hold valid JSON; using the page's own origin.`);
    return { serverOrigin: '' };
  }
}
