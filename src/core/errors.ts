/**
 * One failure taxonomy for the whole project (STYLE.md §2).
 *
 * Each system maps its responses into a ConnectorError in exactly one
 * classification function; everything above that (retries, the engine, the
 * queue, tool results) acts on `kind` and never on HTTP status codes.
 */

export const ERROR_KINDS = [
  /** Our own configuration is wrong (bad base URL, version mismatch, missing setting). Never retried. */
  'config',
  /** The credential was rejected or lacks a scope. Retried once after a refresh when one is possible. */
  'auth',
  /** The system asked us to slow down. Retried after `retryAfterMs`. */
  'rate_limited',
  /** Timeouts, resets, 5xx: retried with backoff. */
  'transient',
  /** A unique value or state conflict (e.g. the record already exists). Resolved, not retried blindly. */
  'conflict',
  /** The system rejected the input. Never retried; the record goes to the dead letters. */
  'validation',
  /** The record or resource does not exist. */
  'not_found',
  /** Anything else the system said that we cannot act on. */
  'system',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ConnectorErrorInit {
  kind: ErrorKind;
  /** Stable, dotted, machine-readable: `<system>.<what>` or `http.<what>`. */
  code: string;
  message: string;
  /** How long to wait before trying again, when the system said so. */
  retryAfterMs?: number;
  /** Extra facts worth keeping in the audit (status, correlation id, field names). Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export interface SerializedError {
  code: string;
  kind: ErrorKind;
  message: string;
  details: Record<string, unknown>;
}

export class ConnectorError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(init: ConnectorErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ConnectorError';
    this.kind = init.kind;
    this.code = init.code;
    this.retryAfterMs = init.retryAfterMs;
    this.details = init.details ?? {};
  }

  /** The form that survives a queue, the audit log and an MCP result. */
  toJSON(): SerializedError {
    return { code: this.code, kind: this.kind, message: this.message, details: this.details };
  }

  static fromJSON(value: SerializedError): ConnectorError {
    return new ConnectorError(value);
  }

  /**
   * True when the request may have taken effect even though we saw a failure
   * (a reset or timeout after the body was sent, a 5xx on a write). The engine
   * reads the target back before retrying such a write.
   */
  get uncertain(): boolean {
    return this.details.uncertain === true;
  }
}

export function isConnectorError(value: unknown): value is ConnectorError {
  return value instanceof ConnectorError;
}

/** Kinds that a retry can fix on its own. */
export function isRetryable(error: ConnectorError): boolean {
  return error.kind === 'transient' || error.kind === 'rate_limited';
}

/** Any thrown value in the serialized form: a ConnectorError as it is, anything else as an unexpected `system` error. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof ConnectorError) return error.toJSON();
  return { code: 'engine.unexpected', kind: 'system', message: error instanceof Error ? error.message : String(error), details: {} };
}
