/**
 * What a share-link holder may see of this machine: file names, never absolute paths. The UI shows a
 * shared link the model's description and its lifecycle events; both carry the model's and the
 * reference CSV's paths, and reload errors quote them. The owner (and loopback users without a token,
 * who are on this machine already) see them whole.
 *
 * @example
 * shareSafeDescription(description).info.path   // 'flights.onnx', not '/home/ana/models/flights.onnx'
 * redactPaths('cannot read /home/ana/models/flights.onnx: EACCES')   // 'cannot read …/flights.onnx: EACCES'
 */
import type { ModelDescription, ServerEvent } from '../protocol/api';

/** The last segment of a path, either separator. */
const fileName = (path: string): string => path.split(/[\\/]/).filter(Boolean).pop() ?? '';

/** POSIX (`/a/b`), Windows (`C:\a\b`) and UNC (`\\host\share`) absolute paths inside free text. */
const ABSOLUTE_PATH = /(?:(?<!\w)[A-Za-z]:[\\/]|\\\\|(?<![\w.:/-])\/(?=[^\s/]))[^\s'"`<>|,;]*/g;

/** Replaces every absolute path in `text` by `…/<file name>`. */
export function redactPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (path) => `…/${fileName(path)}`);
}

export function shareSafeDescription(description: ModelDescription): ModelDescription {
  return {
    ...description,
    info: { ...description.info, path: fileName(description.info.path) },
    reference: description.reference && { ...description.reference, path: fileName(description.reference.path) },
  };
}

export function shareSafeEvent(event: ServerEvent): ServerEvent {
  if (event.type === 'model-reload-failed') return { ...event, error: redactPaths(event.error) };
  if (event.type === 'error') return { ...event, message: redactPaths(event.message) };
  if (event.type === 'file-removed') return { ...event, path: fileName(event.path), message: redactPaths(event.message) };
  return event;
}
