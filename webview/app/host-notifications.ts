/**
 * The UI's side of the lab panel messages (../lab-panel-messages.ts): listening for the extension
 * host's notifications. Sending commands goes through the state store, which holds the one
 * `acquireVsCodeApi()` handle. Outside VS Code nothing posts these, so the handlers simply never run.
 */
import { isLabMessage, type LabNotification, type LabNotificationType } from '../lab-panel-messages';

/** Calls `handler` with the params of every valid notification of `type`; returns a function that stops listening. */
export function onHostNotification<M extends LabNotification['method'], P>(
  type: LabNotificationType<M, P>,
  handler: (params: P) => void,
): () => void {
  const listener = (event: MessageEvent): void => {
    if (isLabMessage(type, event.data)) handler(event.data.params);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}
