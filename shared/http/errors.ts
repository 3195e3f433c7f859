/** HTTP statuses our API answers errors with. */
export type ErrorStatus =
  | 400
  | 401
  | 402
  | 403
  | 404
  | 405
  | 409
  | 410
  | 413
  | 415
  | 422
  | 429
  | 500
  | 502
  | 503;

const DEFAULT_CODES: Record<ErrorStatus, string> = {
  400: "bad_request",
  401: "unauthorized",
  402: "payment_required",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  410: "gone",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable_entity",
  429: "rate_limited",
  500: "internal_error",
  502: "bad_gateway",
  503: "unavailable",
};

/** The one error body every endpoint returns. */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

/** Options for {@linkcode HttpError}. */
export interface HttpErrorOptions {
  /** Machine-readable code; defaults from the status (e.g. 404 → "not_found"). */
  code?: string;
  details?: unknown;
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error meant for the client: its status, code and message are sent as they are.
 *
 * @example
 * throw new HttpError(404, "Organization not found");
 */
export class HttpError extends Error {
  override name = "HttpError";
  readonly status: ErrorStatus;
  readonly code: string;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(status: ErrorStatus, message: string, options: HttpErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.status = status;
    this.code = options.code ?? DEFAULT_CODES[status];
    this.details = options.details ?? null;
    this.headers = options.headers ?? {};
  }

  /** The JSON body for this error. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

interface PgErrorLike {
  code?: string;
  message?: string;
  hint?: string;
  constraint_name?: string;
  column_name?: string;
  detail?: string;
}

/**
 * Translates a Postgres error into the HttpError a client should see, or
 * returns null when it is a server fault. Messages of our own SQL exceptions
 * (SQLSTATE class CQ, status in the last three digits) are written for users;
 * other Postgres messages never reach the client.
 *
 * @param error anything thrown by postgres.js
 */
export function httpErrorFromPostgres(error: unknown): HttpError | null {
  if (!error || typeof error !== "object") return null;
  const pg = error as PgErrorLike;
  if (typeof pg.code !== "string" || pg.code.length !== 5) return null;
  if (pg.code.startsWith("CQ")) {
    const status = Number(pg.code.slice(2)) as ErrorStatus;
    if (status in DEFAULT_CODES) {
      return new HttpError(status, pg.message ?? "Request refused", {
        code: pg.hint ?? DEFAULT_CODES[status],
        details: jsonDetail(pg.detail),
        cause: error,
      });
    }
  }
  switch (pg.code) {
    case "23505":
      return new HttpError(409, "A record with the same unique value already exists", {
        code: "already_exists",
        details: pg.constraint_name ? { constraint: pg.constraint_name } : null,
        cause: error,
      });
    case "23503":
      return new HttpError(409, "The record refers to something that does not exist", {
        code: "reference_missing",
        cause: error,
      });
    case "23514":
    case "23502":
    case "22001":
      return new HttpError(422, "The values break a rule of the data model", {
        code: "constraint_violation",
        details: pg.constraint_name ? { constraint: pg.constraint_name } : null,
        cause: error,
      });
    case "22P02":
      return new HttpError(400, "A value has the wrong format", {
        code: "invalid_value",
        cause: error,
      });
    case "22021":
    case "22P05":
      return new HttpError(400, "A text value has characters that cannot be stored", {
        code: "invalid_value",
        cause: error,
      });
    case "42501":
      // Row-level security or a column grant refused the write.
      return new HttpError(403, "You do not have permission to do that", { cause: error });
    case "57014":
      return new HttpError(503, "The request took too long and was cancelled", {
        code: "timeout",
        cause: error,
      });
    default:
      // Any other data exception (class 22: out-of-range numbers and dates,
      // malformed values) comes from a value the client sent; validation should
      // have refused it, and it is never the server's fault.
      if (pg.code.startsWith("22")) {
        return new HttpError(400, "A value is out of range or not valid for its type", {
          code: "invalid_value",
          cause: error,
        });
      }
      return null;
  }
}

/** Our SQL exceptions may carry a JSON object as DETAIL (e.g. a plan limit's figures). */
function jsonDetail(detail: string | undefined): unknown {
  if (!detail?.startsWith("{")) return null;
  try {
    return JSON.parse(detail);
  } catch {
    return null;
  }
}
