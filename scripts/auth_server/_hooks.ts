// Supabase Auth's "password verification attempt" HTTP hook: after checking a
// password, GoTrue POSTs `{ user_id, valid }` signed per Standard Webhooks and
// obeys the answer (`continue`, or `reject` with a message). Configured as
// GoTrue is: GOTRUE_HOOK_PASSWORD_VERIFICATION_ATTEMPT_URI and _SECRETS.
import { Webhook } from "standardwebhooks";
import { AuthError } from "./_errors.ts";

/** Where the hook is and the secret it is signed with (`v1,whsec_…`). */
export interface PasswordHook {
  uri: string;
  secrets: string;
}

/**
 * Reads the hook from GoTrue's environment variables; null when not set.
 *
 * @param env the environment
 */
export function passwordHookFromEnv(
  env: { get(key: string): string | undefined },
): PasswordHook | null {
  const uri = env.get("GOTRUE_HOOK_PASSWORD_VERIFICATION_ATTEMPT_URI");
  const secrets = env.get("GOTRUE_HOOK_PASSWORD_VERIFICATION_ATTEMPT_SECRETS");
  return uri && secrets ? { uri, secrets } : null;
}

/**
 * Calls the hook; throws GoTrue's errors on a rejection or a broken hook.
 *
 * @throws {AuthError} 400 `invalid_credentials` with the hook's message on `reject`;
 *   500 `unexpected_failure` when the hook cannot be reached or answers otherwise
 */
export async function runPasswordHook(
  hook: PasswordHook,
  attempt: { user_id: string; valid: boolean },
): Promise<void> {
  // The first secret of a `|`-separated list signs (GoTrue's rotation form).
  const secret = hook.secrets.split("|")[0]!.replace(/^v1,/, "");
  const body = JSON.stringify(attempt);
  const id = `msg_${crypto.randomUUID()}`;
  const at = new Date();
  let answer: { decision?: string; message?: string };
  try {
    const res = await fetch(hook.uri, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": new Webhook(secret).sign(id, at, body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`the hook answered ${res.status}: ${await res.text()}`);
    answer = await res.json();
  } catch (cause) {
    throw new AuthError(500, "unexpected_failure", "Error running hook URI", { cause });
  }
  if (answer.decision === "reject") {
    throw new AuthError(400, "invalid_credentials", answer.message || "Invalid login credentials");
  }
  if (answer.decision !== "continue") {
    throw new AuthError(500, "unexpected_failure", "Error running hook URI: no decision");
  }
}
