/**
 * The messages between the VS Code extension host and the lab panel's UI (the webview), defined once.
 *
 * - Commands go webview → host (`vscode.postMessage`), notifications go host → webview
 *   (`webview.postMessage`, received as a window `message` event).
 * - Each message type has a `method` string and a params type; `isLabMessage` checks the method *and*
 *   the params at run time, because a window `message` event can come from anything on the page.
 * - Imported by both sides: extension/views/lab-panel.ts (Node) and the browser bundle, so it stays
 *   free of `vscode` and DOM imports. Add a message here, never as a bare string elsewhere.
 */

/** The lab panel's tabs, by the id each tab module gives itself. */
export type LabTabId = 'predict' | 'perf' | 'drift' | 'export' | 'explain';

/** What travels over `postMessage`. */
export interface LabMessage<Method extends string = string, Params = unknown> {
  method: Method;
  params: Params;
}

/** A message type: its method and a run-time check of its params. `direction` keeps commands and notifications apart. */
export interface LabMessageType<Direction extends 'command' | 'notification', Method extends string, Params> {
  readonly direction: Direction;
  readonly method: Method;
  readonly isParams: (params: unknown) => params is Params;
}

export type LabCommandType<Method extends string, Params> = LabMessageType<'command', Method, Params>;
export type LabNotificationType<Method extends string, Params> = LabMessageType<'notification', Method, Params>;

/** The message a type describes, e.g. `MessageOf<typeof ShowTabNotification>`. */
export type MessageOf<T> = T extends LabMessageType<'command' | 'notification', infer M, infer P> ? LabMessage<M, P> : never;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A command type; `M` and `P` are inferred from the method literal and the params check. */
function commandType<M extends string, P>(method: M, isParams: (params: unknown) => params is P): LabCommandType<M, P> {
  return { direction: 'command', method, isParams };
}

/** A notification type; `M` and `P` are inferred from the method literal and the params check. */
function notificationType<M extends string, P>(method: M, isParams: (params: unknown) => params is P): LabNotificationType<M, P> {
  return { direction: 'notification', method, isParams };
}

const TAB_IDS: readonly string[] = ['predict', 'perf', 'drift', 'export', 'explain'] satisfies LabTabId[];

// ---- Commands: webview → host ------------------------------------------------------------------

/** No params. */
export type ReadyParams = Record<string, never>;
/**
 * The page's UI has started and listens for notifications. The host queues notifications until then:
 * one posted to a page that is still loading would be lost. Sent again by every new page.
 */
export const ReadyCommand = commandType('model-lab.ready', (params): params is ReadyParams => params === undefined || isRecord(params));

export interface ExplainShownParams {
  /** The explain job whose result the Explain tab drew (after a `ShowExplainJobNotification`). */
  jobId: string;
  /** False when the tab could not show it; `error` says why. */
  ok: boolean;
  error?: string;
}
/** The Explain tab drew a job's result the host asked it to show ("Explain Model…"); the host records it. */
export const ExplainShownCommand = commandType(
  'model-lab.explain-shown',
  (params): params is ExplainShownParams =>
    isRecord(params) &&
    typeof params.jobId === 'string' &&
    typeof params.ok === 'boolean' &&
    (params.error === undefined || typeof params.error === 'string'),
);

// ---- Notifications: host → webview -------------------------------------------------------------

export interface ShowTabParams {
  /** Tab to select; an id the UI does not have (e.g. a lab tab on a share link) is ignored. */
  id: LabTabId;
}
/** Select a tab, e.g. Performance after "Compare Latency & Compression". */
export const ShowTabNotification = notificationType(
  'model-lab.show-tab',
  (params): params is ShowTabParams => isRecord(params) && typeof params.id === 'string' && TAB_IDS.includes(params.id),
);

export interface CheckDriftParams {
  /** Reference CSV path; absent = the served model's reference. */
  reference?: string;
  /** Current CSV path. Both must be in folders the server may read (beside the model). */
  current: string;
}
/** Fill the Drift tab's fields and run a check ("Check Drift Against Reference…" on a .csv). */
export const CheckDriftNotification = notificationType(
  'model-lab.check-drift',
  (params): params is CheckDriftParams =>
    isRecord(params) && typeof params.current === 'string' && (params.reference === undefined || typeof params.reference === 'string'),
);

export interface ShowExplainJobParams {
  /** An `explain` job on the panel's server (running or finished): the tab follows it and draws its result. */
  jobId: string;
}
/** Show an explain job's result in the Explain tab ("Explain Model…" ran the job through the panel's server). */
export const ShowExplainJobNotification = notificationType(
  'model-lab.show-explain-job',
  (params): params is ShowExplainJobParams => isRecord(params) && typeof params.jobId === 'string' && params.jobId.length > 0,
);

/** Every command the webview may send, and every notification the host may send. */
export type LabCommand = MessageOf<typeof ReadyCommand> | MessageOf<typeof ExplainShownCommand>;
export type LabNotification =
  MessageOf<typeof ShowTabNotification> | MessageOf<typeof CheckDriftNotification> | MessageOf<typeof ShowExplainJobNotification>;

// ---- Helpers ------------------------------------------------------------------------------------

/** Builds a message of a type; the params are checked against the type at compile time. */
export function labMessage<D extends 'command' | 'notification', M extends string, P>(
  type: LabMessageType<D, M, P>,
  params: P,
): LabMessage<M, P> {
  return { method: type.method, params };
}

/** Whether `data` (e.g. a `MessageEvent`'s) is a message of this type with valid params; narrows it. */
export function isLabMessage<D extends 'command' | 'notification', M extends string, P>(
  type: LabMessageType<D, M, P>,
  data: unknown,
): data is LabMessage<M, P> {
  return isRecord(data) && data.method === type.method && type.isParams(data.params);
}
