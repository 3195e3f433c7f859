/** Why a request failed, as the UI needs to know it. */
export type ApiErrorKind =
  | "network"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "invalid"
  | "rate_limited"
  | "server";

/** Options for {@linkcode ApiError}. */
export interface ApiErrorOptions {
  /** The API's machine-readable code, e.g. "last_owner". */
  code?: string;
  details?: unknown;
  /** Seconds to wait, from a 429's Retry-After header. */
  retryAfter?: number;
  cause?: unknown;
}

/**
 * A failed API call. `message` is written for the user and safe to show as is.
 *
 * @example
 * try { await api.organizations.leave(orgId) }
 * catch (error) { if (error instanceof ApiError) toast.error(error.message) }
 */
export class ApiError extends Error {
  override name = "ApiError";
  /** HTTP status, or 0 when the server could not be reached. */
  readonly status: number;
  readonly kind: ApiErrorKind;
  readonly code: string;
  readonly details: unknown;
  readonly retryAfter: number | undefined;

  constructor(status: number, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.status = status;
    this.kind = kindOf(status);
    this.code = options.code ?? this.kind;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }
}

function kindOf(status: number): ApiErrorKind {
  if (status === 0) return "network";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server";
  return "invalid";
}

/**
 * A message to show for any thrown value: an {@linkcode ApiError}'s own message,
 * or a generic one (raw errors are never shown to users).
 *
 * @param error what was thrown
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof UserFacingError) return error.message;
  return "Something went wrong. Try again, and reload the page if it keeps happening.";
}

/** An error whose message was written for users (e.g. from the auth model). */
export class UserFacingError extends Error {
  override name = "UserFacingError";
  /** Machine-readable reason, e.g. "invalid_credentials". */
  readonly code: string;
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}
