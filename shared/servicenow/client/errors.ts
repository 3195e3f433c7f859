/**
 * Typed errors of the ServiceNow client. Messages never contain credentials, tokens
 * or response bodies of the token endpoint.
 *
 * @module
 */

/** What went wrong, as a caller needs to react to it. */
export type ServiceNowErrorKind =
  /** 401 from the API or the token endpoint; credentials or grant rejected. */
  | "auth_failed"
  /** 403: the integration user cannot read the table ("Insufficient rights to query records"). */
  | "not_readable"
  /** 404 or 400 "Invalid table": the table or record does not exist. */
  | "not_found"
  /** 429 and retries exhausted (or Retry-After longer than allowed). */
  | "rate_limited"
  /** 5xx, network failure, timeout or hibernating instance, after retries. */
  | "unavailable"
  /** The instance answered something that is not the Table API's JSON. */
  | "bad_response"
  /** The request was rejected as invalid (400 other than "Invalid table"), or bad input. */
  | "bad_request"
  /** The caller's AbortSignal fired. */
  | "aborted";

/** Finer cause for `unavailable`. */
export type UnavailableReason = "hibernating" | "timeout" | "network" | "server_error";

/** Options of {@link ServiceNowError}. */
export interface ServiceNowErrorOptions {
  status?: number | null;
  table?: string | null;
  retryAfterMs?: number | null;
  reason?: UnavailableReason | null;
  cause?: unknown;
}

/** The one error type the client throws. */
export class ServiceNowError extends Error {
  readonly kind: ServiceNowErrorKind;
  /** HTTP status, when there was a response. */
  readonly status: number | null;
  /** Table involved, when any. */
  readonly table: string | null;
  /** Server-requested wait for `rate_limited`. */
  readonly retryAfterMs: number | null;
  /** Cause detail for `unavailable`. */
  readonly reason: UnavailableReason | null;

  /**
   * @param kind what went wrong
   * @param message sentence-case message naming the failed action
   * @param options status, table, retry-after, reason, cause
   */
  constructor(kind: ServiceNowErrorKind, message: string, options: ServiceNowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ServiceNowError";
    this.kind = kind;
    this.status = options.status ?? null;
    this.table = options.table ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.reason = options.reason ?? null;
  }
}

/**
 * Narrows an unknown error to a {@link ServiceNowError}, optionally of one kind.
 *
 * @param error anything thrown
 * @param kind the kind to match
 * @returns whether it is such an error
 */
export function isServiceNowError(
  error: unknown,
  kind?: ServiceNowErrorKind,
): error is ServiceNowError {
  return error instanceof ServiceNowError && (kind === undefined || error.kind === kind);
}
