// GoTrue's error responses: two JSON shapes chosen by the request's
// `X-Supabase-Api-Version` header, an `x-sb-error-code` header on both, and the
// OAuth-style `{error, error_description}` a few token paths use.

/** The API version auth-js sends, after which errors use `{code, message}`. */
export const API_VERSION_2024 = "2024-01-01";
const API_VERSION_HEADER = "X-Supabase-Api-Version";

/** An error GoTrue would answer with, carrying its HTTP status and error code. */
export class AuthError extends Error {
  override name = "AuthError";
  /** Reasons sent as `weak_password.reasons` (only for `weak_password`). */
  readonly reasons?: string[];

  /**
   * @param status HTTP status
   * @param code GoTrue error code (`invalid_credentials`, `bad_jwt`, …)
   * @param message text shown to the user, as GoTrue words it
   * @param options weak-password reasons and the underlying cause
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { reasons?: string[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.reasons = options.reasons;
  }
}

/** An RFC 6749 error (`{error, error_description}`), as GoTrue's `NewOAuthError`. */
export class OAuthError extends Error {
  override name = "OAuthError";

  /**
   * @param error OAuth error, e.g. `invalid_request`
   * @param description human-readable description
   */
  constructor(readonly error: string, readonly description: string) {
    super(description);
  }
}

/** The OAuth error name GoTrue puts in redirect fragments, per HTTP status. */
export const OAUTH_ERROR_BY_STATUS: Record<number, string> = {
  400: "invalid_request",
  401: "unauthorized_client",
  403: "access_denied",
  500: "server_error",
  503: "temporarily_unavailable",
};

/**
 * The API version the request asked for: "2024-01-01" when the header names
 * that date or a later one, otherwise null (the initial version).
 */
export function requestedApiVersion(req: Request): string | null {
  const value = req.headers.get(API_VERSION_HEADER);
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const parsed = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed)) return null;
  return parsed >= Date.parse(`${API_VERSION_2024}T00:00:00Z`) ? API_VERSION_2024 : null;
}

/**
 * Renders an error the way GoTrue does for this request.
 *
 * @param error the error to send
 * @param req the request, whose API-version header picks the body shape
 * @param errorId request id put into 5xx bodies
 */
export function errorResponse(
  error: AuthError | OAuthError,
  req: Request,
  errorId?: string,
): Response {
  const headers = new Headers({ "Content-Type": "application/json" });
  if (error instanceof OAuthError) {
    return new Response(
      JSON.stringify({ error: error.error, error_description: error.description }),
      { status: 400, headers },
    );
  }
  const version = requestedApiVersion(req);
  headers.set("x-sb-error-code", error.code);
  let body: Record<string, unknown>;
  if (version) {
    headers.set(API_VERSION_HEADER, version);
    body = { code: error.code, message: error.message };
  } else {
    body = { code: error.status, error_code: error.code, msg: error.message };
    if (error.status >= 500 && errorId) body.error_id = errorId;
  }
  if (error.reasons) body.weak_password = { reasons: error.reasons };
  return new Response(JSON.stringify(body), { status: error.status, headers });
}
