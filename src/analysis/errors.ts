/**
 * Errors that reach the user. Each carries a kind (for tests and telemetry-free logging), an optional
 * location in the user's source, and a message that already names the file: callers show
 * `message` as is.
 */
export type InspectorErrorKind =
  | 'syntax' // the model file does not compile
  | 'runtime' // the model file threw while loading or building
  | 'no-model' // nothing the file exports is a model
  | 'export-not-found'
  | 'not-an-image-model'
  | 'image' // unreadable, corrupt, unsupported or too large image
  | 'layer' // a layer that cannot be analysed
  | 'cancelled'
  | 'timeout'
  | 'out-of-memory'
  | 'worker' // the worker died for another reason
  | 'onnx' // an ONNX file that cannot be read or translated exactly
  | 'usage'; // bad arguments

export interface SourceLocation {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
}

export class InspectorError extends Error {
  constructor(
    readonly kind: InspectorErrorKind,
    message: string,
    readonly location?: SourceLocation,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'InspectorError';
  }
}

/** A request given up because a newer one replaced it or the user stopped it: not worth showing. */
export function isCancellation(error: unknown): boolean {
  return error instanceof InspectorError && error.kind === 'cancelled';
}

/** What crosses thread boundaries: errors are flattened to plain data. */
export interface SerializedError {
  kind: InspectorErrorKind;
  message: string;
  location?: SourceLocation;
  detail?: string;
}

/** The message of anything thrown (an Error's message, else the value as text). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof InspectorError) {
    return {
      kind: error.kind,
      message: error.message,
      location: error.location,
      detail: error.detail,
    };
  }
  return {
    kind: 'runtime',
    message: errorMessage(error),
    detail: error instanceof Error ? error.stack : undefined,
  };
}

export function deserializeError(data: SerializedError): InspectorError {
  return new InspectorError(data.kind, data.message, data.location, data.detail);
}

/** "file.ts:3:7" style prefix, used at the start of messages about user code. */
export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
