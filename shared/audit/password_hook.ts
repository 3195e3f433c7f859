// Supabase Auth's "password verification attempt" hook (an HTTP hook signed
// per Standard Webhooks): every failed password attempt becomes a security
// event in the audit trail of each organization the user belongs to, and
// after AUTH_LOCK_AFTER_FAILURES failures within AUTH_LOCK_WINDOW_MINUTES the
// hook answers `reject` (the account is locked until the window has passed).
// docs/audit.md, "Failed sign-ins".
import { Webhook } from "standardwebhooks";
import { z } from "zod";
import type { Database, Tx } from "../db/mod.ts";
import { withRequestContext } from "../db/request_context.ts";
import { HttpError } from "../http/errors.ts";
import { recordAuditEvent } from "./store.ts";

/** The hook's payload (Supabase Auth sends more fields; these are the ones used). */
export const passwordAttemptSchema = z.object({
  user_id: z.uuid(),
  valid: z.boolean(),
}).loose();

/** The hook's answer. */
export type HookDecision = { decision: "continue" } | {
  decision: "reject";
  message: string;
  should_logout_user: boolean;
};

/** Audit actions of the hook (security events). */
export const SIGN_IN_FAILED = "auth.sign_in_failed";
export const ACCOUNT_LOCKED = "auth.account_locked";

/** The lock policy. */
export interface LockPolicy {
  failures: number;
  windowMinutes: number;
}

/**
 * Checks the Standard Webhooks signature of a hook request.
 *
 * @param secret `v1,whsec_…` (Supabase's form) or `whsec_…`
 * @throws {HttpError} 401 when the signature, id or timestamp does not verify
 */
export function verifyHookSignature(secret: string, body: string, headers: Headers): unknown {
  try {
    return new Webhook(secret.replace(/^v1,/, "")).verify(body, {
      "webhook-id": headers.get("webhook-id") ?? "",
      "webhook-timestamp": headers.get("webhook-timestamp") ?? "",
      "webhook-signature": headers.get("webhook-signature") ?? "",
    });
  } catch {
    throw new HttpError(401, "The hook's signature does not verify", { code: "bad_signature" });
  }
}

/** Failed attempts of the user within the window (read from one of their chains). */
async function recentFailures(tx: Tx, userId: string, orgId: string, minutes: number) {
  const [row] = await tx<{ n: number }[]>`
    select count(*)::int as n from public.audit_log
    where org_id = ${orgId} and action = ${SIGN_IN_FAILED} and target_id = ${userId}
      and occurred_at > now() - make_interval(mins => ${minutes})`;
  return row!.n;
}

/**
 * Records one password attempt and decides. A user in no organization has
 * no audit trail: their attempts are not recorded and never lock.
 *
 * @param db the database
 * @param attempt the verified payload
 * @param policy failures and window
 * @param ip the caller's address, for the record
 */
export async function passwordAttempt(
  db: Pick<Database, "asService">,
  attempt: z.infer<typeof passwordAttemptSchema>,
  policy: LockPolicy,
  ip: string | null = null,
): Promise<HookDecision> {
  const reject = {
    decision: "reject" as const,
    message: `Too many failed sign-ins: the account is locked for ${policy.windowMinutes} minutes.`,
    should_logout_user: false,
  };
  return await withRequestContext(
    { actor_kind: "anonymous", actor_id: attempt.user_id, action: SIGN_IN_FAILED, ip },
    () =>
      db.asService(async (tx) => {
        const orgs = await tx<{ org_id: string }[]>`
          select org_id from public.memberships where user_id = ${attempt.user_id}
          order by org_id`;
        if (orgs.length === 0) return { decision: "continue" as const };
        const first = orgs[0]!.org_id;
        const before = await recentFailures(tx, attempt.user_id, first, policy.windowMinutes);
        if (attempt.valid) {
          return before >= policy.failures ? reject : { decision: "continue" as const };
        }
        const failures = before + 1;
        for (const { org_id } of orgs) {
          await recordAuditEvent(tx, {
            orgId: org_id,
            action: SIGN_IN_FAILED,
            targetTable: "auth.users",
            targetId: attempt.user_id,
            details: { failures_in_window: failures, window_minutes: policy.windowMinutes },
          });
          if (failures === policy.failures) {
            await recordAuditEvent(tx, {
              orgId: org_id,
              action: ACCOUNT_LOCKED,
              targetTable: "auth.users",
              targetId: attempt.user_id,
              details: { failures, window_minutes: policy.windowMinutes },
            });
          }
        }
        return failures >= policy.failures ? reject : { decision: "continue" as const };
      }),
  );
}
