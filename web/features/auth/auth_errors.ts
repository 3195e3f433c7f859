import { UserFacingError } from "../../lib/api_error.ts";

const MESSAGES: Record<string, string> = {
  invalid_credentials: "Incorrect email or password.",
  email_not_confirmed: "Confirm your email address first: open the link we sent you, then sign in.",
  user_already_exists: "An account with this email already exists. Sign in instead.",
  email_exists: "An account with this email already exists. Sign in instead.",
  weak_password: "Choose a stronger password.",
  same_password: "Choose a password different from your current one.",
  over_request_rate_limit: "Too many attempts. Wait a minute, then try again.",
  over_email_send_rate_limit: "We just sent you an email. Wait a minute before asking for another.",
  email_address_invalid: "Enter a valid email address.",
  signup_disabled: "Sign-ups are closed on this ComplianceIQ server.",
  user_banned: "This account is suspended. Contact your ComplianceIQ administrator.",
  session_not_found: "Your session has expired. Sign in again.",
  session_expired: "Your session has expired. Sign in again.",
  otp_expired: "This link has expired or was already used. Ask for a new one.",
};

/**
 * Turns an error from supabase-js auth (an `AuthError`, or a network failure)
 * into a {@linkcode UserFacingError} whose message a user can act on.
 *
 * @param error what supabase-js returned or threw
 * @param action what the user tried, for the fallback message, e.g. "sign in"
 */
export function toAuthError(error: unknown, action: string): UserFacingError {
  const record = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    status?: unknown;
    name?: unknown;
    message?: unknown;
    reasons?: unknown;
  };
  const code = typeof record.code === "string" ? record.code : "";
  if (code === "weak_password" && typeof record.message === "string" && record.message) {
    return new UserFacingError(code, record.message, { cause: error });
  }
  const known = MESSAGES[code];
  if (known) return new UserFacingError(code, known, { cause: error });
  if (
    record.name === "AuthRetryableFetchError" || record.status === 0 || error instanceof TypeError
  ) {
    return new UserFacingError(
      "network",
      "Cannot reach ComplianceIQ. Check your connection and try again.",
      { cause: error },
    );
  }
  if (record.status === 429) {
    return new UserFacingError("rate_limited", MESSAGES.over_request_rate_limit!, { cause: error });
  }
  if (typeof record.status === "number" && record.status >= 400 && record.status < 500) {
    const message = typeof record.message === "string" && record.message ? record.message : "";
    if (message) {
      return new UserFacingError(
        code || "invalid",
        /[.!?]$/.test(message) ? message : `${message}.`,
        {
          cause: error,
        },
      );
    }
  }
  return new UserFacingError(
    code || "unknown",
    `Could not ${action} just now. Try again in a moment.`,
    { cause: error },
  );
}
