// One error type for everything the harness rejects or fails at: a stable `code` callers can test,
// the facts as fields, and the underlying `cause`. Messages say what is wrong, where, and what to do.

export type HarnessErrorCode =
  | 'BAD_CONFIG'
  | 'BAD_INPUT'
  | 'DOCKER_UNAVAILABLE'
  | 'SETUP_FAILED'
  | 'IMAGE_BUILD_FAILED'
  | 'START_FAILED'
  | 'TOXIPROXY_FAILED'
  | 'TIMEOUT'
  | 'OBSERVE_FAILED'
  | 'CONTROL_FAILED'
  /** The site's own machinery broke under a scenario (its engine, its Toxiproxy, a container gone): found right after a failure. */
  | 'MACHINERY_FAILED';

export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  readonly code: HarnessErrorCode;
  /** Extra facts for callers and the report (the option, the value given, the node...). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: HarnessErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isHarnessError(error: unknown, code?: HarnessErrorCode): error is HarnessError {
  return error instanceof HarnessError && (code === undefined || error.code === code);
}
